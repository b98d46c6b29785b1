#pragma once

#include "core/diagnostic.hpp"
#include "core/event.hpp"
#include "core/field_catalog.hpp"
#include "core/string_hash.hpp"
#include "core/value_prefilter.hpp"
#include "parse/dissect_pattern.hpp"
#include "parse/time_pattern.hpp"
#include "parse/vendor_fields.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace YAML {
class Node;
}

namespace vigil::parse {

class envelope_set;
class field_projection;

// How the records of one vendor format (schemas/mappings/<name>.yaml) become canonical fields:
// which records it applies to (`formats` and `detect`), how more fields are cut out of free
// text (`extract`: dissect patterns, key=value), how positional columns are named (`columns`),
// how vendor names turn into field names (`fields` renames, `prefixes` rewrites), constant,
// translated and case-by-case fields (`set`, `translate`, `classify`: event.category,
// event.action, event.outcome, ...), where the time is
// (`timestamp`) and which Sigma log source the events belong to (`logsource`, read by the rule
// compiler's log source map). A mapping is data: adding a vendor needs no rebuild.
// Immutable once loaded; shared by all workers.
class vendor_mapping {
public:
    // A test on the record's vendor fields.
    struct condition {
        enum class kind : std::uint8_t { exists, equals, starts_with, contains };
        kind type = kind::exists;
        std::string field;
        std::size_t field_hash = 0;      // of `field`, for vendor_fields::first
        std::vector<std::string> values; // equals, starts_with, contains: any of
        // contains: what every value starts with (when 2 bytes or more), so that one search for
        // it finds every place where a value may start; else what every value ends with (" GET
        // /", " POST /": " /"), which finds every place where one may end.
        std::string common_prefix;
        std::string common_suffix;
        // equals, starts_with: rejects most field values without a comparison.
        core::value_prefilter prefilter;
    };
    // Cuts fields out of the value of `from` when `when` holds.
    struct extract_step {
        std::vector<condition> when;
        std::string from;
        std::size_t from_hash = 0; // vendor_fields::hash_of(from)
        std::optional<dissect_pattern> dissect;
        std::size_t first_field_hash = 0; // of the dissect pattern's first capture
        bool key_value = false;
        // Windows rendered text: "Label: value" pairs, named under this prefix (label_text.hpp).
        std::optional<std::string> labels_prefix;
    };
    // Constant fields set when `when` holds; the first case that holds wins.
    struct classification {
        std::vector<condition> when; // empty: always
        std::vector<std::pair<std::string, std::string>> constants;
    };
    struct translation {
        std::string from;
        std::string to;
        core::string_map<std::string> values;
        std::optional<std::string> otherwise;
    };
    struct column_layouts {
        std::size_t select = 0; // the column whose value names the layout
        core::string_map<std::vector<std::string>> layouts;
    };
    struct sigma_logsource {
        std::vector<std::string> products;
        std::vector<std::string> categories;
        std::vector<std::string> services;
    };

    std::string name;
    std::string file;
    // Parsers whose records this mapping reads: json, cef, leef, kv, csv, syslog (the plain
    // message of a syslog record). Empty: json.
    std::vector<std::string> formats;
    std::vector<condition> detect;
    std::vector<extract_step> extract;
    std::optional<column_layouts> columns;
    std::vector<std::string> timestamp_fields;    // joined with one space when several
    std::optional<time_pattern> timestamp_format; // nothing: RFC 3339
    bool strip_spaces = false;
    // Names a prefix rewrite produced get their first letter upper-cased (`prefix_case:
    // upper_first`: Wazuh writes Windows EventData names in lowerCamelCase, commandLine for
    // CommandLine).
    bool prefix_upper_first = false;
    // Paths under these prefixes hold values JSON-escaped a second time (the Wazuh agent's
    // EventData: "C:\\Windows" for C:\Windows); their escapes are decoded once more.
    std::vector<std::string> unescape;
    [[nodiscard]] bool unescapes(std::string_view path) const;
    std::vector<std::pair<std::string, std::string>> constants; // `set`
    std::vector<translation> translations;
    std::vector<classification> classify;
    std::optional<sigma_logsource> logsource;

    [[nodiscard]] bool reads(std::string_view format) const;
    // The names of the fields `detect` tests (each test needs its field): a record that cannot
    // have them all is rejected before any test runs.
    vendor_fields::name_filter detect_names;
    // Computes detect_names once `detect` is read.
    void finish_detect();
    [[nodiscard]] bool detects(const vendor_fields& fields) const {
        return fields.names().may_have(detect_names) && all_hold(detect, fields);
    }
    [[nodiscard]] static bool all_hold(const std::vector<condition>& conditions,
                                       const vendor_fields& fields);

    // The field name a vendor name turns into: exact renames, then prefix rewrites (a prefix may
    // use * for one path segment), then the name itself. `buffer` holds a rewritten name.
    [[nodiscard]] std::string_view field_name(std::string_view path, std::string& buffer) const;

    void add_rename(std::string path, std::string field);
    void add_prefix(const std::string& prefix, std::string replacement);

private:
    [[nodiscard]] std::string_view field_name_without_spaces(std::string_view path,
                                                             std::string& buffer) const;

    struct prefix_rule {
        std::vector<std::string> segments; // "*" matches any one segment
        std::string replacement;
    };
    core::string_map<std::string> renames_;
    std::vector<prefix_rule> prefixes_;
};

// Every mapping, tried in file-name order; the generic mapping of each format ("json": paths
// as they are, time in @timestamp; "cef", "leef", "kv", "csv", "syslog": names as they are)
// comes last and takes whatever no other mapping detected.
struct vendor_mapping_set {
    std::vector<vendor_mapping> mappings;
    // The envelopes JSON records are unwrapped from before a mapping is chosen
    // (schemas/envelopes.yaml); null: none.
    std::shared_ptr<const envelope_set> envelopes;

    // Lists the mappings of each format, so that choosing one looks only at those, and gives
    // the set a new identity. The loaders call it; call it again after changing `mappings`.
    void build_index();
    // Distinct for every set built in this process (copies share it): per-worker caches compare
    // it, not addresses, which a reload may reuse.
    [[nodiscard]] std::uint64_t identity() const { return identity_; }

    // The built-in generic mappings alone.
    [[nodiscard]] static vendor_mapping_set generic_only();

    // The mapping named `name`, if any.
    [[nodiscard]] const vendor_mapping* find(std::string_view name) const;
    // The first vendor mapping (not a generic one) of `format` that detects `fields`, if any.
    [[nodiscard]] const vendor_mapping* detect(std::string_view format,
                                               const vendor_fields& fields) const;
    // The first mapping of `format` that detects `fields` (a generic one at worst).
    [[nodiscard]] const vendor_mapping& choose(std::string_view format,
                                               const vendor_fields& fields) const;

private:
    // A mapping that detects, as detection scans them: the filter of its detect fields next to
    // its position, so that rejecting one touches a few contiguous bytes, not the mapping.
    struct detector {
        vendor_fields::name_filter names;
        std::size_t index; // in `mappings` (a position, so that copies stay valid)
    };

    struct format_index {
        std::string format;
        std::vector<detector> detectors; // its mappings that detect, in file-name order
        std::size_t generic = 0;         // its generic mapping (in `mappings`)
    };
    [[nodiscard]] const format_index* of_format(std::string_view format) const;
    std::vector<format_index> by_format_;
    std::uint64_t identity_ = 0;
};

// Reads a `detect:` / `when:` block (a list of fields that must exist, or a map of exists /
// equals / starts_with / contains tests) into `out`, cheapest tests first. False after an
// error, which is reported to `diags`. Envelopes (envelope.hpp) use the same tests.
bool read_mapping_conditions(const YAML::Node& node, std::vector<vendor_mapping::condition>& out,
                             const std::string& file, core::diagnostics& diags);

// Reads every *.yaml / *.yml under `dir` (a missing directory means only the generic
// mappings). Field names the mappings produce are added to `catalog` when it lacks them.
[[nodiscard]] vendor_mapping_set load_vendor_mappings(const std::filesystem::path& dir,
                                                      core::field_catalog& catalog,
                                                      core::diagnostics& diags);
[[nodiscard]] vendor_mapping_set parse_vendor_mapping(std::string_view yaml,
                                                      const std::string& file_name,
                                                      core::field_catalog& catalog,
                                                      core::diagnostics& diags);

} // namespace vigil::parse
