#include "core/field_catalog.hpp"

#include <array>
#include <stdexcept>

namespace vigil::core {
namespace {

struct builtin_field {
    std::string_view name;
    field_type type;
};

// Indexed by field id; the order must follow the constants in the header.
constexpr std::array<builtin_field, fields::builtin_count> builtins{{
    {"message", field_type::string},
    {"event.original", field_type::string},
    {"host.name", field_type::string},
    {"process.name", field_type::string},
    {"process.pid", field_type::integer},
    {"log.syslog.priority", field_type::integer},
    {"log.syslog.facility.code", field_type::integer},
    {"log.syslog.facility.name", field_type::string},
    {"log.syslog.severity.code", field_type::integer},
    {"log.syslog.severity.name", field_type::string},
    {"log.syslog.version", field_type::integer},
    {"log.syslog.msgid", field_type::string},
    {"log.syslog.structured_data", field_type::string},
    {"error.type", field_type::string},
}};

constexpr std::array<std::string_view, 8> type_names{"string", "integer",   "number", "ip",
                                                     "port",   "timestamp", "hash",   "boolean"};

} // namespace

std::string_view to_string(field_type type) {
    return type_names[static_cast<std::size_t>(type)];
}

std::optional<field_type> parse_field_type(std::string_view text) {
    for (std::size_t i = 0; i < type_names.size(); ++i) {
        if (type_names[i] == text) {
            return static_cast<field_type>(i);
        }
    }
    return std::nullopt;
}

field_catalog::field_catalog() {
    for (const auto& b : builtins) {
        add(b.name, b.type);
    }
}

const field_catalog& field_catalog::builtin() {
    static const field_catalog catalog;
    return catalog;
}

field_id field_catalog::add(std::string_view name, field_type type) {
    if (auto it = by_name_.find(name); it != by_name_.end()) {
        return it->second;
    }
    if (fields_.size() >= 0xfffe) {
        throw std::length_error("more than 65534 distinct fields");
    }
    const auto id = static_cast<field_id>(fields_.size());
    fields_.push_back({std::string(name), type, false});
    by_name_.emplace(std::string(name), id);
    return id;
}

bool field_catalog::add_alias(std::string_view alias, field_id id) {
    auto [it, inserted] = by_name_.emplace(std::string(alias), id);
    return inserted || it->second == id;
}

std::optional<field_id> field_catalog::find(std::string_view name) const {
    if (auto it = by_name_.find(name); it != by_name_.end()) {
        return it->second;
    }
    return std::nullopt;
}

} // namespace vigil::core
