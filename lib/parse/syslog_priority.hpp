#pragma once

#include "core/event.hpp"
#include "parse/parse_error.hpp"

#include <cstdint>
#include <string_view>

namespace vigil::parse {

// The "<PRI>" that opens a syslog record (RFC 5424 §6.2.1, RFC 3164 §4.1.1).
struct syslog_priority {
    // Outcome: parse_error::none with `length` bytes consumed, or the reason it is invalid.
    parse_error error = parse_error::none;
    bool present = false;
    std::uint8_t value = 0;
    std::size_t length = 0;
};

// Reads a priority at the start of `text`. No "<" means no priority (present = false).
[[nodiscard]] syslog_priority read_priority(std::string_view text);

// Sets log.syslog.priority, facility code and name, severity code and name from a valid value.
void set_priority_fields(core::event& out, std::uint8_t value);

// "0".."255" as static strings, so numeric fields need no allocation.
[[nodiscard]] std::string_view small_number_text(std::uint8_t n);

} // namespace vigil::parse
