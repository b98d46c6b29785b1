#pragma once

#include "core/event.hpp"
#include "core/time_zone.hpp"
#include "parse/parse_error.hpp"
#include "parse/syslog_timestamp.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace vigil::parse {

// How to complete the year- and zone-less timestamps of RFC 3164.
struct rfc3164_config {
    // The year of every timestamp; nothing = the year that puts the time nearest to the moment
    // the record was received (so December lines received in January land in the old year).
    std::optional<std::int64_t> year;
    // The senders' time zone.
    std::shared_ptr<const core::time_zone> zone =
        std::make_shared<core::time_zone>(core::time_zone::utc());
};

// Parses the part of a BSD syslog record after its optional "<PRI>" (RFC 3164 §4.1):
// TIMESTAMP HOSTNAME TAG[PID]: MSG. Real senders leave out parts: the hostname (local
// loggers), the tag, or use an RFC 3339 timestamp; those forms are accepted. One per worker:
// it caches the year of the last receipt day.
class rfc3164_parser {
public:
    explicit rfc3164_parser(rfc3164_config config) : config_(std::move(config)) {}

    // Fills `out` with views into `text`. `received_ns` anchors the year when none is configured.
    [[nodiscard]] parse_error parse(std::string_view text, std::int64_t received_ns,
                                    core::event& out) const;

private:
    [[nodiscard]] std::optional<std::int64_t> resolve_time(const bsd_timestamp& ts,
                                                           std::int64_t received_ns) const;

    rfc3164_config config_;
    mutable std::int64_t cached_day_ = -1;
    mutable std::int64_t cached_year_ = 0;
};

} // namespace vigil::parse
