#include "core/diagnostic.hpp"

#include <algorithm>

namespace vigil::core {

std::string diagnostic::to_string() const {
    std::string out;
    if (!file.empty()) {
        out += file;
        if (line > 0) {
            out += ':';
            out += std::to_string(line);
            if (column > 0) {
                out += ':';
                out += std::to_string(column);
            }
        }
        out += ": ";
    }
    if (!rule_id.empty()) {
        out += rule_id;
        out += ": ";
    }
    if (level == severity::warning) {
        out += "warning: ";
    }
    out += reason;
    return out;
}

void diagnostics::error(std::string file, int line, std::string rule_id, std::string reason,
                        std::string code) {
    items_.push_back({diagnostic::severity::error, std::move(file), line, std::move(rule_id),
                      std::move(reason), std::move(code)});
}

void diagnostics::warning(std::string file, int line, std::string rule_id, std::string reason) {
    items_.push_back({diagnostic::severity::warning,
                      std::move(file),
                      line,
                      std::move(rule_id),
                      std::move(reason),
                      {}});
}

void diagnostics::append(const diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool diagnostics::has_errors() const {
    return error_count() > 0;
}

std::size_t diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const auto& d) {
        return d.level == diagnostic::severity::error;
    }));
}

std::size_t diagnostics::warning_count() const {
    return items_.size() - error_count();
}

std::string diagnostics::to_string() const {
    std::string out;
    for (const auto& d : items_) {
        out += d.to_string();
        out += '\n';
    }
    return out;
}

} // namespace vigil::core
