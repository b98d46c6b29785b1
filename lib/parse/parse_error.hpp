#pragma once

#include "core/event.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::parse {

// Why a record could not be parsed completely. The record still becomes an event (with
// event.original, message = the whole record, and error.type = the reason's name), so keyword
// rules see it and nothing is dropped; the reason is counted per parser.
enum class parse_error : std::uint8_t {
    none,
    empty_record,        // zero bytes, or only line-end characters
    bad_pri,             // "<" without a valid "<digits>" priority
    pri_out_of_range,    // priority above 191
    bad_version,         // RFC 5424 version other than 1
    truncated_header,    // the record ends inside the header (CEF: fewer than 7 header fields)
    bad_timestamp,       // a timestamp that is not a valid date and time
    bad_structured_data, // RFC 5424 structured data that does not follow the grammar
    invalid_utf8,        // text that is not valid UTF-8 (JSON, or a message with a BOM)
    invalid_json,        // a JSON record that is not valid JSON
    too_deep,            // JSON nested deeper than the limit (the rest is not read)
    too_many_fields,     // more fields than the limit (the rest are not read)
    unknown_version,     // a CEF or LEEF version this parser does not know
    bad_extension,       // CEF extension / LEEF attribute text that is not key=value
    bad_delimiter,       // a LEEF 2.0 delimiter that is not one character or a hex code
    value_too_long,      // a value longer than the limit (kept cut at the limit)
    not_an_object,       // a JSON record whose top level is not an object
    unterminated_quote,  // a quoted key=value or CSV value without its closing quote
};

inline constexpr std::size_t parse_error_count = 18;

[[nodiscard]] constexpr std::string_view to_string(parse_error e) {
    constexpr std::array<std::string_view, parse_error_count> names{"none",
                                                                    "empty_record",
                                                                    "bad_pri",
                                                                    "pri_out_of_range",
                                                                    "bad_version",
                                                                    "truncated_header",
                                                                    "bad_timestamp",
                                                                    "bad_structured_data",
                                                                    "invalid_utf8",
                                                                    "invalid_json",
                                                                    "too_deep",
                                                                    "too_many_fields",
                                                                    "unknown_version",
                                                                    "bad_extension",
                                                                    "bad_delimiter",
                                                                    "value_too_long",
                                                                    "not_an_object",
                                                                    "unterminated_quote"};
    return names[static_cast<std::size_t>(e)];
}

// Marks `out` as damaged by `error`: the reason in event.parse_error and the field error.type
// (so rules see it), and the whole record `text` as the message when nothing else is.
inline void mark_damaged(core::event& out, parse_error error, std::string_view text) {
    out.parse_error = to_string(error);
    out.set(core::fields::error_type, out.parse_error);
    if (!out.get(core::fields::message)) {
        out.set(core::fields::message, text);
    }
}

} // namespace vigil::parse
