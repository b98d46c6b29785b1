#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::core {

// The identity of a normalized field. Ids are dense and small so that events can hold
// (id, value) pairs and rule sets can index per-field databases by id.
using field_id = std::uint16_t;

// The fields that vigil's parsers produce, named in the ECS style (DESIGN.md §4). The catalog
// is immutable and shared by parsers, the rule compiler and the alert encoder, which all agree
// on ids through it. schemas/fields.yaml will extend it with vendor fields and aliases.
namespace fields {
inline constexpr field_id message = 0;
inline constexpr field_id event_original = 1;
inline constexpr field_id host_name = 2;
inline constexpr field_id process_name = 3;
inline constexpr field_id process_pid = 4;
inline constexpr field_id syslog_priority = 5;
inline constexpr field_id syslog_facility_code = 6;
inline constexpr field_id syslog_facility_name = 7;
inline constexpr field_id syslog_severity_code = 8;
inline constexpr field_id syslog_severity_name = 9;
inline constexpr field_id syslog_version = 10;
inline constexpr field_id syslog_msgid = 11;
inline constexpr field_id syslog_structured_data = 12;
inline constexpr field_id error_type = 13;
inline constexpr std::size_t count = 14;
} // namespace fields

class field_catalog {
public:
    // The catalog of built-in fields.
    [[nodiscard]] static const field_catalog& builtin();

    [[nodiscard]] std::optional<field_id> find(std::string_view name) const;
    // Precondition: id < size().
    [[nodiscard]] std::string_view name(field_id id) const;
    [[nodiscard]] std::size_t size() const { return fields::count; }
};

} // namespace vigil::core
