#include "parse/vendor_fields.hpp"

#include "core/string_hash.hpp"

namespace vigil::parse {
std::size_t vendor_fields::hash_of(std::string_view name) {
    return core::string_hash{}(name); // field_mapper's name caches are looked up with it
}

void vendor_fields::next_generation() {
    if (++generation_ == 0) {
        // Wrapped after four billion records: forget every slot once.
        for (auto& s : slots_) {
            s.generation = 0;
        }
        generation_ = 1;
    }
}

void vendor_fields::clear() {
    items_.clear();
    next_.clear();
    names_ = {};
    seeded_ = 0;
    error_ = parse_error::none;
    next_generation();
}

void vendor_fields::add(std::string_view name, std::string_view value) {
    if (items_.size() >= limits_.max_fields) {
        note(parse_error::too_many_fields);
        return;
    }
    if (value.size() > limits_.max_value_bytes) {
        value = value.substr(0, limits_.max_value_bytes);
        note(parse_error::value_too_long);
    }
    push(name, value);
}

void vendor_fields::seed(std::string_view name, std::string_view value) {
    push(name, value);
    seeded_ = items_.size();
}

void vendor_fields::push(std::string_view name, std::string_view value) {
    items_.push_back({name, value});
    next_.push_back(none);
    if (items_.size() * 2 > slots_.size()) {
        grow();
    } else {
        index(static_cast<std::uint32_t>(items_.size() - 1));
    }
}

void vendor_fields::index(std::uint32_t i) {
    const std::string_view name = items_[i].name;
    const std::size_t mask = slots_.size() - 1;
    const std::size_t hash = hash_of(name);
    items_[i].name_hash = hash;
    names_.add(hash);
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t at = hash & mask;; at = (at + 1) & mask) {
        slot& s = slots_[at];
        if (s.generation != generation_) {
            s = {generation_, i, i, tag};
            return;
        }
        if (s.tag == tag && items_[s.first].name == name) {
            next_[s.last] = i;
            s.last = i;
            return;
        }
    }
}

void vendor_fields::grow() {
    slots_.assign(slots_.size() * 2, slot{});
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
        next_[i] = none;
        index(i);
    }
}

std::uint32_t vendor_fields::first(std::string_view name, std::size_t hash) const {
    const std::size_t mask = slots_.size() - 1;
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t at = hash & mask;; at = (at + 1) & mask) {
        const slot& s = slots_[at];
        if (s.generation != generation_) {
            return none;
        }
        if (s.tag == tag && items_[s.first].name == name) {
            return s.first;
        }
    }
}

void vendor_fields::reindex() {
    next_generation();
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
        next_[i] = none;
        index(i);
    }
}

} // namespace vigil::parse
