#include "api/prometheus_text.hpp"

namespace vigil::api {
namespace {

void append_label_value(std::string& out, const std::string& value) {
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

} // namespace

std::string render_prometheus(const core::metrics_registry& registry) {
    std::string out;
    registry.visit([&](const core::metrics_registry::family_view& family) {
        out += "# HELP " + family.name + " " + family.help + "\n";
        out += "# TYPE " + family.name + " " +
               (family.type == core::metrics_registry::kind::counter ? "counter" : "gauge") + "\n";
        for (const auto& s : family.series) {
            out += family.name;
            if (!s.labels.empty()) {
                out += '{';
                bool first = true;
                for (const auto& [name, value] : s.labels) {
                    if (!first) {
                        out += ',';
                    }
                    first = false;
                    out += name + "=\"";
                    append_label_value(out, value);
                    out += '"';
                }
                out += '}';
            }
            out += ' ';
            out += std::to_string(s.value);
            out += '\n';
        }
    });
    return out;
}

} // namespace vigil::api
