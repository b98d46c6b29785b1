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
// loggers), the tag, or use an ISO 8601 timestamp ("2026-11-21T10:02:13Z", and with a space
// for the T as macOS and file forwarders write it, "2020-03-24 08:38:42.344447-0700"); those
// forms are accepted. A zone-less "YYYY-MM-DD HH:MM:SS" is a header only when a host and a
// "tag:" follow it (otherwise it is the start of a plain message, as in Windows CBS logs).
// Stateless: one may serve any thread.
class rfc3164_parser {
public:
    // Fills `out` with views into `text`. `local` completes a timestamp without zone or year:
    // the zone is chosen once the host name is read (time.zones host rules), the year from the
    // receipt time.
    [[nodiscard]] parse_error parse(std::string_view text, const local_time& local,
                                    core::event& out) const;
};

} // namespace vigil::parse
