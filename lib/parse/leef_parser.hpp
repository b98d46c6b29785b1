#pragma once

#include "core/arena.hpp"
#include "parse/parse_error.hpp"
#include "parse/time_pattern.hpp"
#include "parse/vendor_fields.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::parse {

// IBM QRadar's Log Event Extended Format, 1.0 and 2.0:
//   LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value...
//   LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|key=value<D>key=value...
// The header becomes leef.version, leef.device_vendor, leef.device_product,
// leef.device_version, leef.event_id (and leef.delimiter for 2.0); attributes keep their keys.
// A 2.0 delimiter is one character ("^", "|") or its hex code ("x09", "0x5E"); empty means tab.
// devTime is read with devTimeFormat (a Java date pattern, e.g. "MMM dd yyyy HH:mm:ss.SSS
// zzz"), or as epoch milliseconds or "MMM dd yyyy HH:mm:ss" when there is none; a devTime without
// a zone is local to the sender (`local`, `host`: the record's zone and receipt time).
//
// One per worker: it caches the last devTimeFormat it compiled.
class leef_parser {
public:
    // `text` starts at "LEEF:". Appends the fields to `out` and sets `time_ns` from devTime.
    // Returns the first problem: truncated_header, unknown_version (other than 1.0 / 2.0; read
    // as 2.0 when it has a delimiter field), bad_delimiter (read with tab), bad_extension (an
    // attribute without '='), bad_timestamp (devTime that its format does not read).
    [[nodiscard]] parse_error parse(std::string_view text, vendor_fields& out,
                                    std::optional<std::int64_t>& time_ns, core::arena& scratch,
                                    const local_time& local = local_time::utc_1970(),
                                    std::string_view host = {});

    [[nodiscard]] static bool starts(std::string_view text) {
        return text.size() > 5 && text.starts_with("LEEF:") && text[5] >= '0' && text[5] <= '9';
    }

    static constexpr std::string_view name = "leef";

private:
    [[nodiscard]] std::optional<std::int64_t> read_dev_time(std::string_view value,
                                                            std::string_view format,
                                                            const local_time& local,
                                                            std::string_view host);

    std::string cached_format_;
    std::optional<time_pattern> cached_pattern_;
};

} // namespace vigil::parse
