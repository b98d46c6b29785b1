#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::core {

// Converts local wall-clock times of one zone to UTC, for timestamps that carry no offset
// (RFC 3164). Built from "UTC", a fixed offset ("+08:00", "-0530"), "local" (/etc/localtime) or
// an IANA name read from the system's TZif files ("Asia/Shanghai"). Immutable after load; safe to
// share between threads. After the last transition in the TZif data (2037 in Debian's files)
// the last offset stays in force.
class time_zone {
public:
    [[nodiscard]] static time_zone utc();
    [[nodiscard]] static std::expected<time_zone, std::string> load(std::string_view spec);
    // Reads TZif data (RFC 8536, version 1 to 4) from memory; `name` is for messages only.
    [[nodiscard]] static std::expected<time_zone, std::string> from_tzif(std::string_view name,
                                                                         std::string_view data);

    // The UTC offset in seconds in force at `utc_seconds`.
    [[nodiscard]] std::int32_t offset_at(std::int64_t utc_seconds) const;
    // UTC seconds of a local wall-clock time given as seconds since 1970-01-01T00:00 local. In a
    // gap or an overlap (DST changes) one of the two nearby readings is chosen.
    [[nodiscard]] std::int64_t local_to_utc(std::int64_t local_seconds) const;
    [[nodiscard]] const std::string& name() const { return name_; }

private:
    std::string name_;
    std::vector<std::int64_t> transitions_; // UTC seconds, ascending
    std::vector<std::int32_t> offsets_;     // offsets_[i] is in force from transitions_[i - 1]
};

// The UTC offset in seconds of a zone abbreviation devices write after timestamps ("UTC",
// "GMT", "Z", "EST", "EDT", "CET", "JST", ...), if it is one of those.
[[nodiscard]] std::optional<std::int32_t> zone_abbreviation_offset(std::string_view name);

} // namespace vigil::core
