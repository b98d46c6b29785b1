#include "parse/syslog_parser.hpp"

#include "parse/syslog_priority.hpp"

namespace vigil::parse {
namespace {

namespace f = core::fields;

// Line ends and NULs that framing or UDP senders leave at the end of a record.
std::string_view trim_record_end(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

parse_error syslog_parser::parse(const core::raw_record& record, core::event& out,
                                 core::arena& scratch) const {
    out.clear();
    out.raw = &record;
    const std::string_view text = trim_record_end(record.bytes);
    out.set(f::event_original, text);

    parse_error error = parse_error::none;
    const syslog_priority priority = read_priority(text);
    if (text.empty()) {
        out.parser = rfc3164_name;
        error = parse_error::empty_record;
    } else if (priority.error != parse_error::none) {
        out.parser = rfc3164_name;
        error = priority.error;
    } else {
        if (priority.present) {
            set_priority_fields(out, priority.value);
        }
        const std::string_view rest = text.substr(priority.length);
        if (priority.present && rfc5424_parser::looks_like(rest)) {
            out.parser = rfc5424_name;
            error = rfc5424_.parse(rest, out, scratch);
        } else {
            out.parser = rfc3164_name;
            const local_time local(local_time_, record.recv_ns, record.peer);
            error = rfc3164_.parse(rest, local, out);
        }
    }
    if (error != parse_error::none) {
        mark_damaged(out, error, text);
    }
    return error;
}

} // namespace vigil::parse
