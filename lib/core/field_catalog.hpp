#pragma once

#include "core/string_hash.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::core {

// The identity of a normalized field. Ids are dense and small so that events can index their
// fields by id and rule sets can keep per-field tables.
using field_id = std::uint16_t;

// What a field holds; parsers and the numeric and network modifiers use it.
enum class field_type : std::uint8_t {
    string,
    integer,
    number,
    ip,
    port,
    timestamp,
    hash,
    boolean
};

[[nodiscard]] std::string_view to_string(field_type type);
[[nodiscard]] std::optional<field_type> parse_field_type(std::string_view text);

// The fields vigil's own syslog parsers produce. Their ids are fixed: every catalog starts
// with them, in this order (schemas/fields.yaml lists them first too).
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
inline constexpr std::size_t builtin_count = 14;
} // namespace fields

// Names of fields (canonical names and aliases) and their ids. Built on the control plane
// (from schemas/fields.yaml, then extended with the vendor field names a rule set uses), then
// shared read-only: parsers, the rule compiler and the alert encoder agree on ids through it.
class field_catalog {
public:
    // A catalog of the built-in syslog fields only.
    field_catalog();

    // The built-in catalog, for code that has no schema loaded (tests, tools).
    [[nodiscard]] static const field_catalog& builtin();

    // Adds a field under its canonical name, or returns the id the name already has.
    field_id add(std::string_view name, field_type type = field_type::string);
    // Makes `alias` another name of `id`. False if the name already belongs to another field.
    bool add_alias(std::string_view alias, field_id id);

    // The field a canonical name or an alias names.
    [[nodiscard]] std::optional<field_id> find(std::string_view name) const;
    // Preconditions: id < size().
    [[nodiscard]] std::string_view name(field_id id) const { return fields_[id].name; }
    [[nodiscard]] field_type type(field_id id) const { return fields_[id].type; }
    // Whether the field takes few distinct values (a vendor, an integrity level, an event
    // code): a value of it says little about an event, so the rule compiler does not pick it
    // to decide which rules an event may match when a rule offers a rarer test.
    [[nodiscard]] bool few_values(field_id id) const { return fields_[id].few_values; }
    void set_few_values(field_id id, bool few) { fields_[id].few_values = few; }
    // Whether alerts keep the field as evidence even when no rule reads it (source.ip,
    // user.name, ...): the projection of a rule set never leaves it out.
    [[nodiscard]] bool evidence(field_id id) const { return fields_[id].evidence; }
    void set_evidence(field_id id, bool keep) { fields_[id].evidence = keep; }
    [[nodiscard]] std::size_t size() const { return fields_.size(); }

private:
    struct entry {
        std::string name;
        field_type type;
        bool few_values = false;
        bool evidence = false;
    };

    std::vector<entry> fields_;
    string_map<field_id> by_name_;
};

} // namespace vigil::core
