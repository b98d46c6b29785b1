#pragma once

#include "core/raw_record.hpp"
#include "core/time_zone.hpp"
#include "parse/source_zone_rules.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace vigil::parse {

// How far after its receipt a timestamp without a year may fall before the year before is taken
// instead (config time.max_future_skew): clocks of senders and receiver disagree by seconds.
inline constexpr std::int64_t default_max_future_skew_ns = 5LL * 60 * 1'000'000'000;

// How the zone-less (and year-less) local timestamps of one listener's records become UTC: RFC
// 3164 BSD timestamps, local "YYYY-MM-DD HH:MM:SS" lines, vendor mappings' and LEEF's time
// formats without a zone. Part of parse::record_parser_config; copied into each worker's parser.
struct local_time_config {
    // The year of every year-less timestamp (syslog.rfc3164.year); nothing = inferred from the
    // receipt time (local_time::place_in_year).
    std::optional<std::int64_t> year;
    // The listener's zone (syslog.udp.timezone, ..., default syslog.rfc3164.timezone or UTC).
    std::shared_ptr<const core::time_zone> zone =
        std::make_shared<core::time_zone>(core::time_zone::utc());
    // time.zones: per-source zones, tried before the listener's; null = none.
    std::shared_ptr<const source_zone_rules> source_zones;
    std::int64_t max_future_skew_ns = default_max_future_skew_ns;
};

// A wall-clock time read from a record, before its zone (and maybe year) is known.
struct local_civil_time {
    std::optional<std::int64_t> year;
    unsigned month = 1; // 1-12
    unsigned day = 1;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0; // 0-60
    std::int64_t fraction_ns = 0;
};

// The local-time rules applied to one record: its listener's config, receipt time and sender.
// Built per record on the worker's stack (three pointers and a number); const methods only.
class local_time {
public:
    local_time(const local_time_config& config, std::int64_t received_ns,
               const core::peer_address& peer)
        : config_(&config), peer_(&peer), received_ns_(received_ns) {}

    // The zone of the record's zone-less times: the first time.zones rule that the sender's
    // address or `host` (the host name the record carries; empty if none) matches, else the
    // listener's zone.
    [[nodiscard]] const core::time_zone& zone(std::string_view host) const;
    // Whether zone() reads the host name at all (time.zones has rules): callers skip looking
    // it up otherwise.
    [[nodiscard]] bool zone_depends_on_host() const { return config_->source_zones != nullptr; }

    // Nanoseconds since the epoch of `t` read in zone(host). Without a year in `t`: the
    // configured year, else the inferred one. Nothing if the date does not exist (Feb 29 of a
    // configured or given non-leap year, April 31).
    [[nodiscard]] std::optional<std::int64_t> to_utc_ns(const local_civil_time& t,
                                                        std::string_view host) const;
    // The same for a time whose record named its offset ("... 10:00:00 EST"): the offset
    // replaces the zone; the year is completed as above.
    [[nodiscard]] std::optional<std::int64_t> to_utc_ns(const local_civil_time& t,
                                                        std::int32_t offset_seconds) const;

    [[nodiscard]] std::int64_t received_ns() const { return received_ns_; }

    // For text that comes from no record (tests, fixed layouts): UTC, and 1970 for a time
    // without a year.
    [[nodiscard]] static const local_time& utc_1970();

private:
    // In `zone`, or at the fixed `offset_seconds` when `zone` is null.
    [[nodiscard]] std::optional<std::int64_t> convert(const local_civil_time& t,
                                                      const core::time_zone* zone,
                                                      std::int32_t offset_seconds) const;

    const local_time_config* config_;
    const core::peer_address* peer_;
    std::int64_t received_ns_;
};

// The year of a year-less local time (month, day, time of day: `seconds_of_day` plus
// `fraction_ns`) received at `received_ns`: of the receipt's year - 2 to year + 1 (UTC; - 2 for
// a Dec 31 west of UTC received in the first hours of the UTC year), the latest in which the time,
// read in `zone` (or at the fixed `offset_seconds` when `zone` is null), is at most
// `max_future_skew_ns` after the receipt. So "Mar 14" received in December is this year's March,
// "Dec 31 23:59:50" received just after New Year is last year's, and "Jan 1 00:00:10" received 11 s
// before New Year is next year's. Feb 29 takes the latest leap year so placed (up to eight years
// back). Returns UTC nanoseconds, or nothing when the date exists in none of those years (an
// invalid date such as April 31).
[[nodiscard]] std::optional<std::int64_t>
place_in_year(unsigned month, unsigned day, std::int64_t seconds_of_day, std::int64_t fraction_ns,
              std::int64_t received_ns, std::int64_t max_future_skew_ns,
              const core::time_zone* zone, std::int32_t offset_seconds = 0);

} // namespace vigil::parse
