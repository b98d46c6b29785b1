#include "parse/record_parser.hpp"

#include "parse/syslog_timestamp.hpp"

#include <algorithm>

namespace vigil::parse {
namespace {

namespace f = core::fields;

// How far into a message a CEF or LEEF body may start ("<prefix> CEF:0|...").
constexpr std::size_t max_prefix_bytes = 1024;

std::string_view trim_record_end(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) {
        text.remove_suffix(1);
    }
    return text;
}

std::string_view trim_front(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    return text;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Where a body that `starts` recognizes begins in `text`: at the start, after a space, or after
// a colon (F5 BIG-IP ASM writes "ASM:CEF:0|F5|ASM|...").
template <typename Starts>
std::size_t find_body(std::string_view text, std::string_view marker, Starts starts) {
    const std::string_view window = text.substr(0, max_prefix_bytes + marker.size());
    for (std::size_t at = window.find(marker); at != std::string_view::npos;
         at = window.find(marker, at + 1)) {
        if ((at == 0 || text[at - 1] == ' ' || text[at - 1] == ':') && starts(text.substr(at))) {
            return at;
        }
    }
    return std::string_view::npos;
}

std::size_t find_cef(std::string_view text) {
    return find_body(text, "CEF:", [](std::string_view t) { return cef_parser::starts(t); });
}

std::size_t find_leef(std::string_view text) {
    return find_body(text, "LEEF:", [](std::string_view t) { return leef_parser::starts(t); });
}

// Palo Alto's CSV: "1,2012/04/10 04:39:56,<serial>,TRAFFIC,...".
bool looks_like_panos_csv(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && is_digit(text[i])) {
        ++i;
    }
    if (i == 0 || i >= text.size() || text[i] != ',') {
        return false;
    }
    const std::string_view date = text.substr(i + 1, 20);
    constexpr std::string_view shape = "dddd/dd/dd dd:dd:dd,";
    if (date.size() != shape.size()) {
        return false;
    }
    for (std::size_t k = 0; k < shape.size(); ++k) {
        if (shape[k] == 'd' ? !is_digit(date[k]) : date[k] != shape[k]) {
            return false;
        }
    }
    return true;
}

std::string_view strip_cee_cookie(std::string_view text) {
    text = trim_front(text);
    if (text.starts_with("@cee:")) {
        text = trim_front(text.substr(5));
    }
    return text;
}

} // namespace

std::string_view to_string(record_format format) {
    switch (format) {
    case record_format::auto_detect:
        return "auto";
    case record_format::syslog:
        return "syslog";
    case record_format::rfc5424:
        return "rfc5424";
    case record_format::rfc3164:
        return "rfc3164";
    case record_format::cef:
        return "cef";
    case record_format::leef:
        return "leef";
    case record_format::json:
        return "json";
    case record_format::kv:
        return "kv";
    case record_format::csv:
        return "csv";
    }
    return "auto";
}

std::optional<record_format> parse_record_format(std::string_view text) {
    if (text == "plain") {
        return record_format::syslog;
    }
    for (auto format : {record_format::auto_detect, record_format::syslog, record_format::rfc5424,
                        record_format::rfc3164, record_format::cef, record_format::leef,
                        record_format::json, record_format::kv, record_format::csv}) {
        if (to_string(format) == text) {
            return format;
        }
    }
    return std::nullopt;
}

std::size_t parser_index(std::string_view name) {
    const auto it = std::find(parser_names.begin(), parser_names.end(), name);
    return it == parser_names.end() ? 1 : static_cast<std::size_t>(it - parser_names.begin());
}

record_parser::record_parser(record_parser_config config)
    : config_(std::move(config)), syslog_(config_.rfc3164), json_(config_.limits),
      fields_(config_.limits) {}

record_format record_parser::detect_payload(std::string_view message) const {
    const std::string_view text = strip_cee_cookie(message);
    if (text.starts_with('{')) {
        return record_format::json;
    }
    if (find_cef(message) != std::string_view::npos) {
        return record_format::cef;
    }
    if (find_leef(message) != std::string_view::npos) {
        return record_format::leef;
    }
    if (looks_like_panos_csv(message)) {
        return record_format::csv;
    }
    if (kv_parser::leading_pairs(message) >= 3) {
        return record_format::kv;
    }
    return record_format::syslog;
}

void record_parser::read_prefix(std::string_view prefix, const core::raw_record& record,
                                core::event& out, core::arena& scratch) {
    const core::raw_record header{prefix, record.source, record.recv_ns, record.peer};
    (void)syslog_.parse(header, prefix_event_, scratch);
    if (prefix_event_.time_ns) {
        out.time_ns = prefix_event_.time_ns;
    }
    if (auto host = prefix_event_.get(f::host_name)) {
        out.set(f::host_name, *host);
    }
    // What the syslog reader left as message: "1493738863000 host.example.com" (epoch time in
    // seconds or milliseconds, then the host), or the host alone.
    std::string_view rest = trim_front(prefix_event_.get(f::message).value_or(""));
    while (!rest.empty() && rest.back() == ' ') {
        rest.remove_suffix(1);
    }
    if (rest.empty()) {
        return;
    }
    const std::size_t space = rest.find(' ');
    const std::string_view first = rest.substr(0, space);
    if ((first.size() == 10 || first.size() == 13) &&
        std::all_of(first.begin(), first.end(), is_digit)) {
        std::int64_t value = 0;
        for (char c : first) {
            value = value * 10 + (c - '0');
        }
        out.time_ns = first.size() == 13 ? value * 1'000'000 : value * 1'000'000'000;
        rest =
            space == std::string_view::npos ? std::string_view{} : trim_front(rest.substr(space));
    }
    if (!rest.empty() && rest.find(' ') == std::string_view::npos && !out.get(f::host_name)) {
        out.set(f::host_name, rest);
    }
}

parse_error record_parser::read_payload(std::string_view text, record_format format,
                                        core::event& out, core::arena& scratch,
                                        std::string_view& format_name, const local_time& local) {
    switch (format) {
    case record_format::json:
        format_name = json_parser::parser_name;
        out.parser = json_parser::parser_name;
        return json_.flatten(strip_cee_cookie(text), fields_, scratch,
                             projection_->keeps_all() ? nullptr : &filter_);
    case record_format::cef: {
        format_name = cef_parser::name;
        out.parser = cef_parser::name;
        const std::size_t at = find_cef(text);
        if (at == std::string_view::npos) {
            return parse_error::truncated_header;
        }
        return cef_.parse(text.substr(at), fields_, scratch);
    }
    case record_format::leef: {
        format_name = leef_parser::name;
        out.parser = leef_parser::name;
        const std::size_t at = find_leef(text);
        if (at == std::string_view::npos) {
            return parse_error::truncated_header;
        }
        std::optional<std::int64_t> time_ns;
        const parse_error error = leef_.parse(text.substr(at), fields_, time_ns, scratch, local,
                                              out.get(f::host_name).value_or(""));
        if (time_ns) {
            out.time_ns = time_ns;
        }
        return error;
    }
    case record_format::kv:
        format_name = kv_parser::name;
        out.parser = kv_parser::name;
        return kv_.parse(text, fields_, scratch);
    case record_format::csv:
        format_name = csv_parser::name;
        out.parser = csv_parser::name;
        return csv_.parse(text, fields_, scratch);
    default:
        format_name = "syslog";
        return parse_error::none;
    }
}

parse_error record_parser::parse(const core::raw_record& record, const vendor_mapping_set& mappings,
                                 const core::field_catalog& catalog,
                                 const field_projection& projection, core::event& out,
                                 core::arena& scratch) {
    fields_.clear();
    projection_ = &projection;
    if (!projection.keeps_all()) {
        filter_.use(mappings, catalog, projection);
    }
    const std::string_view text = trim_record_end(record.bytes);
    const local_time local(config_.rfc3164, record.recv_ns, record.peer);
    record_format format = text.empty() ? record_format::syslog : config_.format;
    if (format == record_format::auto_detect) {
        const std::string_view start = trim_front(text);
        format = start.starts_with('{')       ? record_format::json
                 : cef_parser::starts(start)  ? record_format::cef
                 : leef_parser::starts(start) ? record_format::leef
                 : find_cef(text) != std::string_view::npos && !text.starts_with('<')
                     ? record_format::cef
                 : find_leef(text) != std::string_view::npos && !text.starts_with('<')
                     ? record_format::leef
                     : record_format::syslog;
    }

    parse_error error = parse_error::none;
    std::string_view format_name = "syslog";
    const vendor_mapping* detected = nullptr; // a mapping already found to detect the record
    if (format == record_format::syslog || format == record_format::rfc5424 ||
        format == record_format::rfc3164) {
        error = syslog_.parse(record, out, scratch);
        if (format == record_format::rfc5424 && error == parse_error::none &&
            out.parser != syslog_parser::rfc5424_name) {
            error = parse_error::bad_version; // RFC 5424 was required
        }
        const std::string_view message = out.get(f::message).value_or("");
        // The header fields, so that mappings can detect and cut from them.
        fields_.seed("message", message);
        fields_.seed("event.original", text);
        for (auto [name, id] : {std::pair{"host.name", f::host_name},
                                {"process.name", f::process_name},
                                {"process.pid", f::process_pid},
                                {"log.syslog.msgid", f::syslog_msgid},
                                {"log.syslog.structured_data", f::syslog_structured_data}}) {
            if (auto v = out.get(id)) {
                fields_.seed(name, *v);
            }
        }
        record_format payload = error != parse_error::none ? record_format::syslog
                                : config_.payload == record_format::auto_detect
                                    ? detect_payload(message)
                                    : config_.payload;
        // A detected payload gives way to a mapping written for these plain syslog messages
        // (netfilter's "IN=eth0 OUT= SRC=..." looks like key=value text, but its mapping also
        // needs the syslog tag).
        if (payload != record_format::syslog && config_.payload == record_format::auto_detect) {
            if (const vendor_mapping* m = mappings.detect("syslog", fields_)) {
                payload = record_format::syslog;
                detected = m;
            }
        }
        if (payload != record_format::syslog) {
            const parse_error payload_error =
                read_payload(message, payload, out, scratch, format_name, local);
            error = error == parse_error::none ? payload_error : error;
        }
    } else {
        out.clear();
        out.raw = &record;
        out.set(f::event_original, text);
        const std::size_t body = format == record_format::cef    ? find_cef(text)
                                 : format == record_format::leef ? find_leef(text)
                                                                 : 0;
        // The prefix first: its host may choose the zone of a LEEF devTime. Its time, when it
        // has one, still wins over the body's.
        const bool has_prefix = body != std::string_view::npos && body > 0;
        if (has_prefix) {
            read_prefix(text.substr(0, body), record, out, scratch);
        }
        const std::optional<std::int64_t> prefix_time = out.time_ns;
        error = read_payload(text, format, out, scratch, format_name, local);
        if (prefix_time) {
            out.time_ns = prefix_time;
        }
    }

    // A JSON record that carries another as text (Docker's {"log": "<a syslog line>"}): the
    // carried record, parsed as if it had arrived alone (once: it is not unwrapped further).
    if (format_name == json_parser::parser_name && mappings.envelopes && !parsing_carried_) {
        std::string_view carried;
        if (const envelope* e = mappings.envelopes->carried_record(fields_, carried)) {
            return parse_carried(record, *e, carried, mappings, catalog, projection, out, scratch);
        }
    }
    return map_fields(detected, format_name, error, text, mappings, catalog, projection, out,
                      scratch, local);
}

parse_error record_parser::parse_carried(const core::raw_record& record, const envelope& e,
                                         std::string_view carried,
                                         const vendor_mapping_set& mappings,
                                         const core::field_catalog& catalog,
                                         const field_projection& projection, core::event& out,
                                         core::arena& scratch) {
    // The wrapper's time, the event's when the carried record has none (an application's
    // line in a container log).
    std::optional<std::int64_t> wrapper_time;
    if (!e.time_field.empty()) {
        if (const std::uint32_t i = fields_.first(e.time_field, e.time_field_hash);
            i != vendor_fields::none) {
            const std::string_view text = fields_.items()[i].value;
            if (auto t = read_rfc3339(text); t && t->length == text.size()) {
                wrapper_time = t->unix_ns;
            }
        }
    }
    // The text may live in `fields_`, which parsing clears: a copy in the record's arena.
    char* copy = scratch.allocate(carried.size(), 1);
    std::copy(carried.begin(), carried.end(), copy);
    core::raw_record inner = record;
    inner.bytes = std::string_view(copy, carried.size());
    parsing_carried_ = true;
    const parse_error error = parse(inner, mappings, catalog, projection, out, scratch);
    parsing_carried_ = false;
    out.raw = &record;
    if (!out.time_ns && wrapper_time) {
        out.time_ns = wrapper_time;
    }
    // Shown by `vigil parse --explain` as the outermost envelope.
    std::copy_backward(unwrapped_.begin(), unwrapped_.end() - 1, unwrapped_.end());
    unwrapped_[0] = &e;
    unwrapped_count_ = std::min(unwrapped_count_ + 1, unwrapped_.size());
    return error;
}

parse_error record_parser::map_fields(const vendor_mapping* detected, std::string_view format_name,
                                      parse_error error, std::string_view text,
                                      const vendor_mapping_set& mappings,
                                      const core::field_catalog& catalog,
                                      const field_projection& projection, core::event& out,
                                      core::arena& scratch, const local_time& local) {
    unwrapped_count_ = 0;
    if (format_name == json_parser::parser_name && mappings.envelopes) {
        unwrapped_count_ = mappings.envelopes->unwrap(fields_, unwrapped_);
    }
    const vendor_mapping* mapping = detected;
    if (!config_.mapping.empty()) {
        mapping = mappings.find(config_.mapping);
    }
    if (mapping == nullptr) {
        mapping = &mappings.choose(format_name, fields_);
    }
    mapper_.use(mappings, catalog);
    mapper_.apply(*mapping, fields_, catalog, projection, out, scratch, local);

    if (error == parse_error::none) {
        error = fields_.error();
    }
    if (error != parse_error::none && out.parse_error.empty()) {
        mark_damaged(out, error, text);
    }
    return error;
}

void record_parser::parse_documents(std::string_view text, std::int64_t received_ns,
                                    const vendor_mapping_set& mappings,
                                    const core::field_catalog& catalog, core::arena& scratch,
                                    const event_callback& on_event) {
    const field_projection everything;
    const core::peer_address nowhere;
    const local_time local(config_.rfc3164, received_ns, nowhere);
    json_.for_each_document(
        text, fields_, scratch, [&](std::string_view source, parse_error error) {
            const core::raw_record record{source, core::source_kind::file, received_ns, {}};
            core::event& e = document_event_;
            e.clear();
            e.raw = &record;
            e.parser = json_parser::parser_name;
            e.set(f::event_original, source);
            error = map_fields(nullptr, json_parser::parser_name, error, source, mappings, catalog,
                               everything, e, scratch, local);
            on_event(e, error);
        });
}

} // namespace vigil::parse
