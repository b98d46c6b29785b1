#include "parse/cef_parser.hpp"

#include <array>

namespace vigil::parse {
namespace {

constexpr std::array<std::string_view, 7> header_names{
    "cef.version",      "cef.device_vendor", "cef.device_product", "cef.device_version",
    "cef.signature_id", "cef.name",          "cef.severity"};

// The characters of an extension key. ArcSight keys are letters and digits; vendors add '_',
// '.', '-' and bracketed indexes ("ad.Foo[0]").
constexpr bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '[' || c == ']';
}

// Length of the key at the start of `text` if "key=" starts there, else 0.
std::size_t key_length(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && is_key_char(text[i])) {
        ++i;
    }
    return i > 0 && i < text.size() && text[i] == '=' ? i : 0;
}

// Undoes the escapes of a header field (\| and \\); other backslashes stay.
std::string_view unescape_header(std::string_view raw, core::arena& scratch) {
    if (raw.find('\\') == std::string_view::npos) {
        return raw;
    }
    char* out = scratch.allocate(raw.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '|' || raw[i + 1] == '\\')) {
            ++i;
        }
        out[n++] = raw[i];
    }
    return {out, n};
}

// Undoes the escapes of an extension value (\=, \\, \n, \r); other backslashes stay.
std::string_view unescape_value(std::string_view raw, core::arena& scratch) {
    if (raw.find('\\') == std::string_view::npos) {
        return raw;
    }
    char* out = scratch.allocate(raw.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
            const char next = raw[i + 1];
            if (next == '=' || next == '\\') {
                out[n++] = next;
                ++i;
                continue;
            }
            if (next == 'n' || next == 'r') {
                out[n++] = next == 'n' ? '\n' : '\r';
                ++i;
                continue;
            }
        }
        out[n++] = raw[i];
    }
    return {out, n};
}

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.back() == ' ') {
        s.remove_suffix(1);
    }
    return s;
}

// Where the value that starts at `at` ends: at the space before the next "key=" (an escaped
// "\=" is not a key's '='), or at the end of the text.
std::size_t value_end(std::string_view text, std::size_t at) {
    for (std::size_t i = at; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == '=')) {
            ++i;
        } else if (text[i] == ' ' && key_length(text.substr(i + 1)) > 0) {
            return i;
        }
    }
    return text.size();
}

// The label keys of custom extension fields: "cs1Label" names the value of "cs1".
std::string_view labelled_key(std::string_view key) {
    constexpr std::string_view suffix = "Label";
    if (key.size() <= suffix.size() || !key.ends_with(suffix)) {
        return {};
    }
    return key.substr(0, key.size() - suffix.size());
}

void add_labels(vendor_fields& out, std::size_t first, core::arena& scratch) {
    const std::size_t end = out.size();
    for (std::size_t i = first; i < end; ++i) {
        const vendor_field label = out.items()[i];
        const std::string_view key = labelled_key(label.name);
        if (key.empty() || label.value.empty()) {
            continue;
        }
        for (std::size_t j = first; j < end; ++j) {
            if (out.items()[j].name == key) {
                constexpr std::string_view prefix = "cef.label.";
                char* name = scratch.allocate(prefix.size() + label.value.size());
                prefix.copy(name, prefix.size());
                label.value.copy(name + prefix.size(), label.value.size());
                out.add({name, prefix.size() + label.value.size()}, out.items()[j].value);
                break;
            }
        }
    }
}

} // namespace

parse_error cef_parser::parse(std::string_view text, vendor_fields& out,
                              core::arena& scratch) const {
    parse_error error = parse_error::none;
    text.remove_prefix(4); // "CEF:"
    std::size_t at = 0;
    std::size_t field = 0;
    // Header: seven fields, each ended by an unescaped '|'. The last one (severity) may end the
    // record: "...|Name|10" has no extension.
    while (field < header_names.size()) {
        std::size_t i = at;
        while (i < text.size() && text[i] != '|') {
            i += text[i] == '\\' && i + 1 < text.size() ? std::size_t{2} : std::size_t{1};
        }
        if (i >= text.size() && field + 1 < header_names.size()) {
            out.add(header_names[field], unescape_header(text.substr(at), scratch));
            return parse_error::truncated_header;
        }
        const std::string_view raw = text.substr(at, std::min(i, text.size()) - at);
        out.add(header_names[field], unescape_header(raw, scratch));
        if (field == 0 && raw != "0" && raw != "1") {
            error = parse_error::unknown_version;
        }
        ++field;
        at = std::min(i + 1, text.size());
        if (i >= text.size()) {
            return error; // severity ended the record
        }
    }

    // Extension.
    const std::size_t first_pair = out.size();
    std::string_view ext = text.substr(at);
    std::size_t i = 0;
    while (i < ext.size() && ext[i] == ' ') {
        ++i;
    }
    while (i < ext.size()) {
        const std::size_t key_len = key_length(ext.substr(i));
        if (key_len == 0) {
            // Not "key=": skip to the next pair and count the damage.
            if (error == parse_error::none) {
                error = parse_error::bad_extension;
            }
            const std::size_t next = value_end(ext, i);
            i = next < ext.size() ? next + 1 : ext.size();
            continue;
        }
        const std::string_view key = ext.substr(i, key_len);
        const std::size_t start = i + key_len + 1;
        const std::size_t end = value_end(ext, start);
        out.add(key, unescape_value(trim_spaces(ext.substr(start, end - start)), scratch));
        i = end;
        while (i < ext.size() && ext[i] == ' ') {
            ++i;
        }
    }
    add_labels(out, first_pair, scratch);
    return error;
}

} // namespace vigil::parse
