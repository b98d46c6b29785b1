#include "core/event.hpp"

namespace vigil::core {

void event::clear() {
    for (const auto& f : fields_) {
        slot_[f.id] = absent;
        last_[f.id] = absent;
    }
    fields_.clear();
    structured_data_.clear();
    time_ns.reset();
    parser = {};
    mapping = {};
    parse_error = {};
    raw = nullptr;
    tenant = {};
}

void event::set(field_id id, std::string_view value) {
    if (id < slot_.size() && slot_[id] != absent) {
        // Replace the value; a multi-valued field keeps only this one.
        field_value& first = fields_[slot_[id]];
        first.value = value;
        first.next = absent;
        last_[id] = slot_[id];
        return;
    }
    add(id, value);
}

void event::add(field_id id, std::string_view value) {
    if (id >= slot_.size()) {
        slot_.resize(static_cast<std::size_t>(id) + 1, absent);
        last_.resize(static_cast<std::size_t>(id) + 1, absent);
    }
    const auto index = static_cast<std::uint16_t>(fields_.size());
    if (slot_[id] == absent) {
        slot_[id] = index;
    } else {
        fields_[last_[id]].next = index;
    }
    last_[id] = index;
    fields_.push_back({id, value, absent});
}

std::optional<std::string_view> event::get(field_id id) const {
    if (id >= slot_.size() || slot_[id] == absent) {
        return std::nullopt;
    }
    return fields_[slot_[id]].value;
}

} // namespace vigil::core
