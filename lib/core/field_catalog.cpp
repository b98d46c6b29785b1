#include "core/field_catalog.hpp"

#include <array>

namespace vigil::core {
namespace {

// Indexed by field id; the order must follow the constants in the header.
constexpr std::array<std::string_view, fields::count> names{
    "message",
    "event.original",
    "host.name",
    "process.name",
    "process.pid",
    "log.syslog.priority",
    "log.syslog.facility.code",
    "log.syslog.facility.name",
    "log.syslog.severity.code",
    "log.syslog.severity.name",
    "log.syslog.version",
    "log.syslog.msgid",
    "log.syslog.structured_data",
    "error.type",
};

} // namespace

const field_catalog& field_catalog::builtin() {
    static const field_catalog catalog;
    return catalog;
}

std::optional<field_id> field_catalog::find(std::string_view name) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) {
            return static_cast<field_id>(i);
        }
    }
    return std::nullopt;
}

std::string_view field_catalog::name(field_id id) const {
    return names[id];
}

} // namespace vigil::core
