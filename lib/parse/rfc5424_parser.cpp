#include "parse/rfc5424_parser.hpp"

#include "core/json_writer.hpp"
#include "parse/syslog_timestamp.hpp"

namespace vigil::parse {
namespace {

namespace f = core::fields;

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads one space-terminated header token and the space after it. Returns false when the
// record ends before the space (a truncated header).
bool next_token(std::string_view text, std::size_t& at, std::string_view& token) {
    const std::size_t space = text.find(' ', at);
    if (space == std::string_view::npos) {
        return false;
    }
    token = text.substr(at, space - at);
    at = space + 1;
    return true;
}

bool is_sd_name_char(char c) {
    return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"';
}

// Reads SD-NAME characters at `at`.
std::string_view sd_name(std::string_view text, std::size_t& at) {
    const std::size_t start = at;
    while (at < text.size() && is_sd_name_char(text[at])) {
        ++at;
    }
    return text.substr(start, at - start);
}

// Reads one STRUCTURED-DATA field (RFC 5424 §6.3) starting at `at` and adds its params to `out`.
parse_error read_structured_data(std::string_view text, std::size_t& at, core::event& out,
                                 core::arena& scratch) {
    if (at >= text.size()) {
        return parse_error::truncated_header;
    }
    if (text[at] == '-') {
        ++at;
        return parse_error::none;
    }
    const std::size_t start = at;
    if (text[at] != '[') {
        return parse_error::bad_structured_data;
    }
    while (at < text.size() && text[at] == '[') {
        ++at;
        const std::string_view sd_id = sd_name(text, at);
        if (sd_id.empty()) {
            return parse_error::bad_structured_data;
        }
        while (at < text.size() && text[at] == ' ') {
            ++at;
            const std::string_view name = sd_name(text, at);
            if (name.empty() || at + 1 >= text.size() || text[at] != '=' || text[at + 1] != '"') {
                return parse_error::bad_structured_data;
            }
            at += 2;
            // PARAM-VALUE: '"', '\' and ']' are escaped with '\'; other backslashes stay.
            const std::size_t value_start = at;
            bool escaped = false;
            while (at < text.size() && text[at] != '"') {
                if (text[at] == '\\' && at + 1 < text.size()) {
                    escaped = true;
                    ++at;
                }
                ++at;
            }
            if (at >= text.size()) {
                return parse_error::bad_structured_data;
            }
            std::string_view value = text.substr(value_start, at - value_start);
            ++at; // closing quote
            if (escaped) {
                char* buffer = scratch.allocate(value.size());
                std::size_t n = 0;
                for (std::size_t i = 0; i < value.size(); ++i) {
                    if (value[i] == '\\' && i + 1 < value.size() &&
                        (value[i + 1] == '"' || value[i + 1] == '\\' || value[i + 1] == ']')) {
                        ++i;
                    }
                    buffer[n++] = value[i];
                }
                value = {buffer, n};
            }
            out.add_structured_data({sd_id, name, value});
        }
        if (at >= text.size() || text[at] != ']') {
            return parse_error::bad_structured_data;
        }
        ++at;
    }
    out.set(f::syslog_structured_data, text.substr(start, at - start));
    return parse_error::none;
}

} // namespace

bool rfc5424_parser::looks_like(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && i < 3 && is_digit(text[i])) {
        ++i;
    }
    return i > 0 && i < text.size() && text[i] == ' ';
}

parse_error rfc5424_parser::parse(std::string_view text, core::event& out,
                                  core::arena& scratch) const {
    std::size_t at = 0;
    std::string_view token;
    if (!next_token(text, at, token)) {
        return parse_error::truncated_header;
    }
    if (token != "1") {
        return parse_error::bad_version;
    }
    out.set(f::syslog_version, token);

    if (!next_token(text, at, token)) {
        return parse_error::truncated_header;
    }
    if (token != "-") {
        auto ts = read_rfc3339(token);
        if (!ts || ts->length != token.size()) {
            return parse_error::bad_timestamp;
        }
        out.time_ns = ts->unix_ns;
    }

    static constexpr core::field_id header_fields[] = {f::host_name, f::process_name,
                                                       f::process_pid, f::syslog_msgid};
    for (core::field_id id : header_fields) {
        if (!next_token(text, at, token) || token.empty()) {
            return parse_error::truncated_header;
        }
        if (token != "-") {
            out.set(id, token);
        }
    }

    if (auto e = read_structured_data(text, at, out, scratch); e != parse_error::none) {
        return e;
    }
    if (at == text.size()) {
        out.set(f::message, {});
        return parse_error::none;
    }
    if (text[at] != ' ') {
        return parse_error::bad_structured_data;
    }
    std::string_view message = text.substr(at + 1);
    if (message.starts_with(utf8_bom)) {
        message.remove_prefix(utf8_bom.size());
        out.set(f::message, message);
        if (!core::is_valid_utf8(message)) {
            return parse_error::invalid_utf8;
        }
        return parse_error::none;
    }
    out.set(f::message, message);
    return parse_error::none;
}

} // namespace vigil::parse
