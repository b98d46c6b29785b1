#pragma once

#include "core/arena.hpp"
#include "core/event.hpp"
#include "core/field_catalog.hpp"
#include "core/flat_string_map.hpp"
#include "parse/field_projection.hpp"
#include "parse/kv_parser.hpp"
#include "parse/local_time.hpp"
#include "parse/vendor_fields.hpp"
#include "parse/vendor_mapping.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace vigil::parse {

// Applies a vendor mapping to the vendor fields of one record and fills the event: runs the
// mapping's extract steps and column layouts, renames, resolves names in the field catalog
// (names the catalog does not know stay out of the event; `vigil parse` shows them from the
// vendor fields), keeps only projected fields, adds constants and translations and reads the
// time. One per worker: it caches the field id of every name it has resolved.
class field_mapper {
public:
    // Prepares for records mapped with `mappings` and `catalog` (a reload brings new ones and
    // empties the caches). Call before apply(), for every record; it costs two comparisons.
    void use(const vendor_mapping_set& mappings, const core::field_catalog& catalog);

    // `fields` grows by what the extract steps cut out. Values of `out` point into `fields`'
    // views, the mapping or `scratch`. `mapping` is one of the set given to use(). A time
    // without a zone or year is completed by `local` for the event's host.name.
    void apply(const vendor_mapping& mapping, vendor_fields& fields,
               const core::field_catalog& catalog, const field_projection& projection,
               core::event& out, core::arena& scratch,
               const local_time& local = local_time::utc_1970());

private:
    static constexpr core::field_id unknown = 0xffff;
    using name_cache = core::flat_string_map<core::field_id>;
    // Per mapping and catalog: the ids of vendor names seen so far, and of the fields the
    // mapping's constants, cases and translations name (resolved once, not per record).
    struct mapping_cache {
        name_cache names;
        bool targets_resolved = false;
        std::vector<core::field_id> constants;
        std::vector<std::vector<core::field_id>> classify;
        std::vector<std::pair<core::field_id, core::field_id>> translations; // to, from
    };
    void resolve_targets(const vendor_mapping& mapping, const core::field_catalog& catalog,
                         mapping_cache& cache) const;

    // The field id of a vendor field's name under `mapping` (its cached hash spares hashing
    // the name again).
    [[nodiscard]] core::field_id resolve(const vendor_mapping& mapping, name_cache& cache,
                                         const vendor_field& field,
                                         const core::field_catalog& catalog);
    void extract(const vendor_mapping& mapping, vendor_fields& fields, core::arena& scratch);
    void name_columns(const vendor_mapping& mapping, vendor_fields& fields);
    void read_time(const vendor_mapping& mapping, const vendor_fields& fields, core::event& out,
                   core::arena& scratch, const local_time& local);

    // Caches per mapping, for one mapping set and catalog.
    std::uint64_t cached_set_ = 0;
    const core::field_catalog* cached_catalog_ = nullptr;
    std::unordered_map<const vendor_mapping*, mapping_cache> caches_;
    std::string buffer_;
    kv_parser kv_;
    // Which fields this record's mapping has written: written_[id] == generation_.
    std::vector<std::uint32_t> written_;
    std::uint32_t generation_ = 0;
};

} // namespace vigil::parse
