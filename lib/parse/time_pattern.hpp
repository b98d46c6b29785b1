#pragma once

#include "core/time_zone.hpp"

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
// "GMT", "Z", "+08:00", "+0800"; other zone names are taken as the default zone). Text in
// 'quotes' and any other character must match as is. Immutable; share freely.
class time_pattern {
public:
    [[nodiscard]] static std::expected<time_pattern, std::string>
    compile(std::string_view pattern,
            std::shared_ptr<const core::time_zone> zone = nullptr);

    // Nanoseconds since the epoch, if `text` holds a complete timestamp of this layout (trailing
    // spaces allowed). Without a year in the layout, `default_year` is used.
    [[nodiscard]] std::optional<std::int64_t> parse(std::string_view text,
                                                    std::int64_t default_year = 1970) const;

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
        std::string text; // literal text
        int epoch_digits = 0; // epoch: 0 seconds, 3 ms, 6 us, 9 ns
    };

    std::string pattern_;
    std::vector<token> tokens_;
    std::shared_ptr<const core::time_zone> zone_;
};

} // namespace vigil::parse
