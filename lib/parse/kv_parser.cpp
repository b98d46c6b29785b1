#include "parse/kv_parser.hpp"

namespace vigil::parse {
namespace {

constexpr bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

bool is_separator(char c, const kv_format& format) {
    return format.separator == ' ' ? c == ' ' || c == '\t' : c == format.separator;
}

// A quoted value starting after the opening quote at `at`: its raw text and the position after
// the closing quote, or nothing if the quote is not closed.
struct quoted {
    std::string_view raw;
    std::size_t end = 0;
    bool escaped = false;
    bool closed = false;
};

quoted read_quoted(std::string_view text, std::size_t at, char quote) {
    quoted q;
    for (std::size_t i = at; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            q.escaped = true;
            ++i;
        } else if (text[i] == quote) {
            q.raw = text.substr(at, i - at);
            q.end = i + 1;
            q.closed = true;
            return q;
        }
    }
    q.raw = text.substr(at);
    q.end = text.size();
    return q;
}

std::string_view unescape(std::string_view raw, core::arena& scratch) {
    char* out = scratch.allocate(raw.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() &&
            (raw[i + 1] == '"' || raw[i + 1] == '\'' || raw[i + 1] == '\\')) {
            ++i;
        }
        out[n++] = raw[i];
    }
    return {out, n};
}

} // namespace

parse_error kv_parser::parse(std::string_view text, vendor_fields& out, core::arena& scratch,
                             kv_format format) const {
    parse_error error = parse_error::none;
    std::size_t pairs = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_separator(text[i], format)) {
            ++i;
        }
        // One word: up to a separator, or up to the assign character.
        std::size_t j = i;
        while (j < text.size() && text[j] != format.assign && !is_separator(text[j], format)) {
            ++j;
        }
        if (j >= text.size() || text[j] != format.assign) {
            i = j; // a word without '=': skip it
            continue;
        }
        std::size_t key_start = j;
        while (key_start > i && is_key_char(text[key_start - 1])) {
            --key_start;
        }
        const std::string_view key = text.substr(key_start, j - key_start);
        std::size_t v = j + 1;
        std::string_view value;
        if (v < text.size() && (text[v] == '"' || text[v] == '\'')) {
            const quoted q = read_quoted(text, v + 1, text[v]);
            if (!q.closed && error == parse_error::none) {
                error = parse_error::unterminated_quote;
            }
            value = q.escaped ? unescape(q.raw, scratch) : q.raw;
            i = q.end;
        } else {
            std::size_t end = v;
            while (end < text.size() && !is_separator(text[end], format)) {
                ++end;
            }
            value = text.substr(v, end - v);
            i = end;
        }
        if (!key.empty()) {
            out.add(key, value);
            ++pairs;
        }
    }
    if (pairs == 0 && error == parse_error::none) {
        error = parse_error::bad_extension;
    }
    return error;
}

std::size_t kv_parser::leading_pairs(std::string_view text, std::size_t probe) {
    text = text.substr(0, probe);
    std::size_t pairs = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t k = i;
        while (k < text.size() && is_key_char(text[k])) {
            ++k;
        }
        if (k == i || k >= text.size() || text[k] != '=') {
            return pairs;
        }
        ++pairs;
        std::size_t v = k + 1;
        if (v < text.size() && text[v] == '"') {
            const std::size_t close = text.find('"', v + 1);
            if (close == std::string_view::npos) {
                return pairs;
            }
            v = close + 1;
        }
        while (v < text.size() && text[v] != ' ') {
            ++v;
        }
        while (v < text.size() && text[v] == ' ') {
            ++v;
        }
        i = v;
    }
    return pairs;
}

} // namespace vigil::parse
