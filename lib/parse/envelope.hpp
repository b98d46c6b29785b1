#pragma once

#include "core/diagnostic.hpp"
#include "parse/vendor_fields.hpp"
#include "parse/vendor_mapping.hpp"

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::parse {

// A wrapper that a forwarder or an integration puts around a source's own JSON record
// (schemas/envelopes.yaml): Wazuh's alerts keep the agent's record under `data.`, its cloud and
// SaaS integrations under a key named by `integration` ({"integration": "github", "github":
// {...}}), AWS EventBridge under `detail.`. Unwrapping gives the inner fields the names the
// source itself uses, so that one vendor mapping and one log source class serve the record
// whether it arrives native or wrapped; the envelope's own fields keep their names.
struct envelope {
    std::string name;
    std::string file;
    int line = 0;
    std::vector<vendor_mapping::condition> detect; // all must hold
    std::string prefix;                            // a fixed path prefix with its dot ("data."),
    std::string prefix_field;                      // or the field whose value names it,
    std::size_t prefix_field_hash = 0;
    // or the field whose text is the record itself (Docker's {"log": "<a syslog line>\n",
    // ...}): that text is parsed as if it had arrived alone.
    std::string record_field;
    std::size_t record_field_hash = 0;
    // With record_field: the field holding the wrapper's RFC 3339 time, the event time when
    // the carried record has none ("" = none).
    std::string time_field;
    std::size_t time_field_hash = 0;
};

// The envelopes of a schema, tried in file order. Immutable once loaded; shared by workers.
class envelope_set {
public:
    // How many envelopes one record may be wrapped in (a Wazuh alert around an integration's
    // record is two).
    static constexpr std::size_t max_depth = 4;
    using unwrapped_list = std::array<const envelope*, max_depth>;

    // Reads `file` (a missing file means no envelopes).
    [[nodiscard]] static envelope_set load(const std::filesystem::path& file,
                                           core::diagnostics& diags);
    [[nodiscard]] static envelope_set parse(std::string_view yaml, const std::string& file_name,
                                            core::diagnostics& diags);

    // Unwraps the envelopes around the record in `fields`, outermost first: the first envelope
    // whose `detect` holds and under whose prefix some field lies gives those fields their
    // names without it; then the next, each envelope at most once. Writes the envelopes
    // unwrapped to `unwrapped` and returns how many.
    std::size_t unwrap(vendor_fields& fields, unwrapped_list& unwrapped) const;

    // The first envelope that carries a record as text (`record: FIELD`) whose `detect` holds
    // on `fields`, with that text in `text`; null when none does.
    [[nodiscard]] const envelope* carried_record(const vendor_fields& fields,
                                                 std::string_view& text) const;

    [[nodiscard]] const std::vector<envelope>& items() const { return items_; }
    [[nodiscard]] bool empty() const { return items_.empty(); }

private:
    std::vector<envelope> items_;
};

} // namespace vigil::parse
