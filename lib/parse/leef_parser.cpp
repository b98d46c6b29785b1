#include "parse/leef_parser.hpp"

#include "core/ascii.hpp"

#include <array>

namespace vigil::parse {
namespace {

constexpr std::array<std::string_view, 5> header_names{"leef.version", "leef.device_vendor",
                                                       "leef.device_product", "leef.device_version",
                                                       "leef.event_id"};

// Splits the next '|'-ended header field off `text` (a backslash escapes the next byte).
std::optional<std::string_view> next_header_field(std::string_view& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\') {
            ++i;
        } else if (text[i] == '|') {
            const std::string_view field = text.substr(0, i);
            text.remove_prefix(i + 1);
            return field;
        }
    }
    return std::nullopt;
}

// The delimiter a LEEF 2.0 header names: "^", "x09", "0x09", "\t"; nothing if it is none.
std::optional<char> read_delimiter(std::string_view field) {
    if (field.empty()) {
        return '\t';
    }
    if (field.size() == 1) {
        return field[0];
    }
    if (field == "\\t") {
        return '\t';
    }
    std::string_view hex = field;
    if (hex.starts_with("0x") || hex.starts_with("0X")) {
        hex.remove_prefix(2);
    } else if (hex.starts_with("x") || hex.starts_with("X")) {
        hex.remove_prefix(1);
    } else {
        return std::nullopt;
    }
    if (hex.empty() || hex.size() > 2) {
        return std::nullopt;
    }
    int value = 0;
    for (char c : hex) {
        const int digit = core::ascii::hex_value(c);
        if (digit < 0) {
            return std::nullopt;
        }
        value = value * 16 + digit;
    }
    return value == 0 ? std::nullopt : std::optional(static_cast<char>(value));
}

} // namespace

std::optional<std::int64_t> leef_parser::read_dev_time(std::string_view value,
                                                       std::string_view format,
                                                       const local_time& local,
                                                       std::string_view host) {
    if (format.empty()) {
        static const time_pattern epoch_ms = *time_pattern::compile("epoch_ms");
        static const time_pattern standard = *time_pattern::compile("MMM dd yyyy HH:mm:ss");
        if (auto ns = epoch_ms.parse(value, local, host)) {
            return ns;
        }
        return standard.parse(value, local, host);
    }
    if (format != cached_format_) {
        cached_format_.assign(format);
        auto compiled = time_pattern::compile(format);
        cached_pattern_ = compiled ? std::optional(std::move(*compiled)) : std::nullopt;
    }
    return cached_pattern_ ? cached_pattern_->parse(value, local, host) : std::nullopt;
}

parse_error leef_parser::parse(std::string_view text, vendor_fields& out,
                               std::optional<std::int64_t>& time_ns, core::arena&,
                               const local_time& local, std::string_view host) {
    parse_error error = parse_error::none;
    text.remove_prefix(5); // "LEEF:"
    std::array<std::string_view, header_names.size()> header;
    for (std::size_t i = 0; i < header.size(); ++i) {
        auto field = next_header_field(text);
        if (!field) {
            // LEEF 1.0 senders sometimes end the event id with the record: no attributes.
            if (i + 1 == header.size()) {
                field = text;
                text = {};
            } else {
                out.add(header_names[i], text);
                return parse_error::truncated_header;
            }
        }
        header[i] = *field;
        out.add(header_names[i], *field);
    }
    const std::string_view version = header[0];
    char delimiter = '\t';
    if (version != "1.0" && version != "1") {
        if (version != "2.0" && version != "2") {
            error = parse_error::unknown_version;
        }
        // 2.0: the delimiter field, unless the sender left it out and attributes follow.
        std::string_view rest = text;
        auto field = next_header_field(rest);
        if (field && field->find('=') == std::string_view::npos) {
            out.add("leef.delimiter", *field);
            text = rest;
            if (auto d = read_delimiter(*field)) {
                delimiter = *d;
            } else if (error == parse_error::none) {
                error = parse_error::bad_delimiter;
            }
        }
    }

    std::string_view dev_time;
    std::string_view dev_time_format;
    while (!text.empty()) {
        const std::size_t end = text.find(delimiter);
        const std::string_view pair = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (core::ascii::trim_blanks(pair).empty()) {
            continue;
        }
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos || core::ascii::trim_blanks(pair.substr(0, eq)).empty()) {
            if (error == parse_error::none) {
                error = parse_error::bad_extension;
            }
            continue;
        }
        const std::string_view key = core::ascii::trim_blanks(pair.substr(0, eq));
        std::string_view value = pair.substr(eq + 1);
        if (delimiter != ' ') {
            value = core::ascii::trim_blanks(value);
        }
        out.add(key, value);
        if (key == "devTime") {
            dev_time = value;
        } else if (key == "devTimeFormat") {
            dev_time_format = value;
        }
    }
    if (!dev_time.empty()) {
        time_ns = read_dev_time(dev_time, dev_time_format, local, host);
        if (!time_ns && error == parse_error::none) {
            error = parse_error::bad_timestamp;
        }
    }
    return error;
}

} // namespace vigil::parse
