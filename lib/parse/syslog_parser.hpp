#pragma once

#include "core/arena.hpp"
#include "core/event.hpp"
#include "core/raw_record.hpp"
#include "parse/parse_error.hpp"
#include "parse/rfc3164_parser.hpp"
#include "parse/rfc5424_parser.hpp"

namespace vigil::parse {

// Turns one syslog record into an event: reads the priority, tells RFC 5424 from RFC 3164 and
// runs the matching parser. Every record becomes an event, malformed ones included (with
// error.type set and the whole record as the message). One per worker thread.
class syslog_parser {
public:
    explicit syslog_parser(local_time_config local_time) : local_time_(std::move(local_time)) {}

    // Clears `out` and fills it from `record`. Values point into the record's bytes or into
    // `scratch`, which the caller resets between records (or batches). Zone-less timestamps are
    // completed for the record's sender and receipt time.
    [[nodiscard]] parse_error parse(const core::raw_record& record, core::event& out,
                                    core::arena& scratch) const;

    static constexpr std::string_view rfc5424_name = "rfc5424";
    static constexpr std::string_view rfc3164_name = "rfc3164";

private:
    local_time_config local_time_;
    rfc5424_parser rfc5424_;
    rfc3164_parser rfc3164_;
};

} // namespace vigil::parse
