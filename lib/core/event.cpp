#include "core/event.hpp"

namespace vigil::core {

void event::clear() {
    for (const auto& f : fields_) {
        slot_[f.id] = absent;
    }
    fields_.clear();
    structured_data_.clear();
    time_ns.reset();
    parser = {};
    parse_error = {};
    raw = nullptr;
}

void event::set(field_id id, std::string_view value) {
    if (id >= slot_.size()) {
        slot_.resize(static_cast<std::size_t>(id) + 1, absent);
    }
    if (slot_[id] != absent) {
        fields_[slot_[id]].value = value;
        return;
    }
    slot_[id] = static_cast<std::uint16_t>(fields_.size());
    fields_.push_back({id, value});
}

void event::add(field_id id, std::string_view value) {
    if (id >= slot_.size()) {
        slot_.resize(static_cast<std::size_t>(id) + 1, absent);
    }
    if (slot_[id] == absent) {
        slot_[id] = static_cast<std::uint16_t>(fields_.size());
    }
    fields_.push_back({id, value});
}

std::optional<std::string_view> event::get(field_id id) const {
    if (id >= slot_.size() || slot_[id] == absent) {
        return std::nullopt;
    }
    return fields_[slot_[id]].value;
}

} // namespace vigil::core
