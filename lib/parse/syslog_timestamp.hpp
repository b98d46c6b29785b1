#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::parse {

// A timestamp read from the front of a string, and how many bytes it took.
struct timestamp_read {
    std::int64_t unix_ns = 0;
    std::size_t length = 0;
};

// RFC 3339 / RFC 5424 §6.2.3: "2026-11-21T11:31:20.052271+08:00" (fraction of 1 to 9 digits,
// "Z" or a numeric offset). Returns nothing if the text does not start with a valid one.
[[nodiscard]] std::optional<timestamp_read> read_rfc3339(std::string_view text);
// The same, also with a space between date and time ("2020-03-24 08:38:42.344447-0700", as
// macOS and file forwarders write it; RFC 3339 §5.6 allows it). A zone is still required.
[[nodiscard]] std::optional<timestamp_read> read_iso8601(std::string_view text);

// The BSD timestamp of RFC 3164 §4.1.2, "Nov 21 11:31:20" (day space- or zero-padded), also with
// a fraction ("Nov 21 11:31:20.123") or a year after the day ("Nov 21 2026 11:31:20"), which
// network devices often send. The time is local to the sender and has no year unless given.
struct bsd_timestamp {
    unsigned month = 0; // 1-12
    unsigned day = 0;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    std::int64_t fraction_ns = 0;
    std::optional<std::int64_t> year;
    std::size_t length = 0;
};

[[nodiscard]] std::optional<bsd_timestamp> read_bsd_timestamp(std::string_view text);

} // namespace vigil::parse
