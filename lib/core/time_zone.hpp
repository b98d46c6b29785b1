#pragma once

#include <absl/time/time.h>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::core {

// Converts local wall-clock times of one zone to UTC, for timestamps that carry no offset
// (RFC 3164, vendor time formats without a zone). Built from "UTC", a fixed offset ("+08:00",
// "-0530"), "local" (/etc/localtime) or an IANA name ("Asia/Shanghai") read from the system's
// zoneinfo (TZDIR when set) by Abseil's time zone library, which also applies the POSIX rule at
// the end of a TZif file to dates after its last explicit transition (2037 in Debian's "fat"
// files, much earlier in "slim" ones). Immutable after load; a cheap handle, safe to share and
// to use from any thread.
//
// Local times that a DST change makes ambiguous are read as follows (local_to_utc):
// - a skipped time (spring forward: 02:30 on a day the clock jumps from 02:00 to 03:00) is read
//   with the offset in force before the change, so it lands as far after the change as it is
//   after 02:00 (02:30 EST = 03:30 EDT): a sender whose clock did not move yet writes exactly
//   that, and times stay in order;
// - a repeated time (fall back: 01:30 happens twice) is the earlier instant, the first pass on
//   summer time.
// That is what absl::FromCivil does.
class time_zone {
public:
    [[nodiscard]] static time_zone utc();
    // `spec`: "UTC", "+08:00" / "+0800" / "-05", "local", or an IANA name. The error names the
    // zone and says what is accepted.
    [[nodiscard]] static std::expected<time_zone, std::string> load(std::string_view spec);

    // The UTC offset in seconds in force at `utc_seconds`.
    [[nodiscard]] std::int32_t offset_at(std::int64_t utc_seconds) const;
    // UTC seconds of a local wall-clock time given as seconds since 1970-01-01T00:00 local
    // (gaps and overlaps as described above).
    [[nodiscard]] std::int64_t local_to_utc(std::int64_t local_seconds) const;
    // The spec it was loaded from ("UTC", "+08:00", "local", "Europe/Berlin").
    [[nodiscard]] const std::string& name() const { return name_; }

private:
    time_zone(std::string name, absl::TimeZone zone, std::optional<std::int32_t> fixed)
        : name_(std::move(name)), zone_(zone), fixed_offset_(fixed) {}

    std::string name_;
    absl::TimeZone zone_;
    // UTC and fixed offsets skip the zone lookup: most senders use one of those.
    std::optional<std::int32_t> fixed_offset_;
};

// The UTC offset in seconds of a zone abbreviation devices write after timestamps ("UTC",
// "GMT", "Z", "EST", "EDT", "CET", "JST", ...), if it is one of those.
[[nodiscard]] std::optional<std::int32_t> zone_abbreviation_offset(std::string_view name);

} // namespace vigil::core
