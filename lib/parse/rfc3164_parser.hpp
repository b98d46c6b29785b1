#pragma once

#include "core/event.hpp"
#include "parse/local_time.hpp"
#include "parse/parse_error.hpp"
#include "parse/syslog_timestamp.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::parse {

// How the year- and zone-less timestamps of RFC 3164 are completed. The name stays for the
// callers that configure a syslog parser alone; the same settings complete the other zone-less
// formats (local_time_config).
using rfc3164_config = local_time_config;

// Parses the part of a BSD syslog record after its optional "<PRI>" (RFC 3164 §4.1):
// TIMESTAMP HOSTNAME TAG[PID]: MSG. Real senders leave out parts: the hostname (local
// loggers), the tag, or use an RFC 3339 timestamp; those forms are accepted. Stateless: one
// may serve any thread.
class rfc3164_parser {
public:
    // Fills `out` with views into `text`. `local` completes a timestamp without zone or year:
    // the zone is chosen once the host name is read (time.zones host rules), the year from the
    // receipt time.
    [[nodiscard]] parse_error parse(std::string_view text, const local_time& local,
                                    core::event& out) const;
};

} // namespace vigil::parse
