#pragma once

#include "parse/local_time.hpp"

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::parse {

// A timestamp layout that vendors declare as data: a Java SimpleDateFormat-style pattern (what
// LEEF's devTimeFormat carries, e.g. "MMM dd yyyy HH:mm:ss.SSS zzz", and what vendor mappings
// use, e.g. "yyyy/MM/dd HH:mm:ss"), or one of the named forms "rfc3339", "epoch_s",
// "epoch_ms", "epoch_us", "epoch_ns" (epoch numbers may have a fraction: "1557917400.123").
//
// Letters: yyyy / yy year, M / MM month number, MMM / MMMM month name, d / dd day, H / HH
// hour 0-23, h / hh hour 1-12 with a / aa AM/PM, m / mm, s / ss, S... fraction (1-9 digits
// read, whatever the count of S), E... day name (skipped), z / zzz / Z / X / XXX zone ("UTC",
// "GMT", "Z", "+08:00", "+0800"; other zone names are read as no zone). Text in 'quotes' and
// any other character must match as is. A time without a zone is local to the sender (the
// record's local_time: time.zones, the listener's zone); one without a year gets the year the
// receipt time implies. Immutable; share freely.
class time_pattern {
public:
    [[nodiscard]] static std::expected<time_pattern, std::string> compile(std::string_view pattern);

    // Nanoseconds since the epoch, if `text` holds a complete timestamp of this layout (trailing
    // spaces allowed). A time without a zone is read in `local.zone(host)` (`host`: the host name
    // the record carries), a year-less one placed by `local`.
    [[nodiscard]] std::optional<std::int64_t> parse(std::string_view text, const local_time& local,
                                                    std::string_view host = {}) const;
    // The same in UTC, with 1970 for a layout without a year (tests, fixed layouts).
    [[nodiscard]] std::optional<std::int64_t> parse(std::string_view text) const;

    [[nodiscard]] const std::string& pattern() const { return pattern_; }

private:
    enum class kind : std::uint8_t {
        literal,
        year4,
        year2,
        month_number,
        month_name,
        day,
        hour24,
        hour12,
        am_pm,
        minute,
        second,
        fraction,
        day_name,
        zone,
        rfc3339,
        epoch
    };
    struct token {
        kind type = kind::literal;
        std::string text;     // literal text
        int epoch_digits = 0; // epoch: 0 seconds, 3 ms, 6 us, 9 ns
    };

    std::string pattern_;
    std::vector<token> tokens_;
};

} // namespace vigil::parse
