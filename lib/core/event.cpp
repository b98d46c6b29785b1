#include "core/event.hpp"

namespace vigil::core {

void event::clear() {
    fields_.clear();
    structured_data_.clear();
    time_ns.reset();
    parser = {};
    parse_error = {};
    raw = nullptr;
}

void event::set(field_id id, std::string_view value) {
    for (auto& f : fields_) {
        if (f.id == id) {
            f.value = value;
            return;
        }
    }
    fields_.push_back({id, value});
}

std::optional<std::string_view> event::get(field_id id) const {
    for (const auto& f : fields_) {
        if (f.id == id) {
            return f.value;
        }
    }
    return std::nullopt;
}

} // namespace vigil::core
