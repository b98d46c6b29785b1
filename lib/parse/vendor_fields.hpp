#pragma once

#include "parse/parse_error.hpp"

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace vigil::parse {

// The limits every parser keeps to (config `parse.limits`). A record that breaks one is still
// an event: what was read up to the limit is kept, with the reason as its parse error.
struct parse_limits {
    std::size_t max_depth = 64;            // JSON nesting
    std::size_t max_fields = 1024;         // fields per record; the rest are not read
    std::size_t max_value_bytes = 65536;   // longer values are cut at this length
};

// One field under the name its source gave it: a CEF extension key, a LEEF attribute, a JSON
// path ("alert.signature"), a key of key=value text, a CSV column name. Views into the record
// or into the worker's scratch arena.
struct vendor_field {
    std::string_view name;
    std::string_view value;
};

// The fields one record yielded, in order, before a vendor mapping turns them into canonical
// fields. Owned by one worker and reused for every record (clear() keeps the capacity). add()
// enforces the field-count and value-length limits and remembers the first one broken.
class vendor_fields {
public:
    explicit vendor_fields(parse_limits limits = {}) : limits_(limits) {}

    void clear() {
        items_.clear();
        seeded_ = 0;
        error_ = parse_error::none;
    }
    // Adds a field the event already has (a syslog header field), so that a mapping can detect
    // and extract from it; mapping does not add it to the event again. Before any add().
    void seed(std::string_view name, std::string_view value) {
        items_.push_back({name, value});
        seeded_ = items_.size();
    }
    // How many fields at the front were seeded.
    [[nodiscard]] std::size_t seeded() const { return seeded_; }
    void add(std::string_view name, std::string_view value) {
        if (items_.size() >= limits_.max_fields) {
            note(parse_error::too_many_fields);
            return;
        }
        if (value.size() > limits_.max_value_bytes) {
            value = value.substr(0, limits_.max_value_bytes);
            note(parse_error::value_too_long);
        }
        items_.push_back({name, value});
    }
    // The first value under `name`.
    [[nodiscard]] std::optional<std::string_view> find(std::string_view name) const {
        for (const auto& f : items_) {
            if (f.name == name) {
                return f.value;
            }
        }
        return std::nullopt;
    }
    // Gives field `index` another name (a column named by its layout).
    void rename(std::size_t index, std::string_view name) { items_[index].name = name; }
    // Records a problem; the first one is the record's parse error.
    void note(parse_error e) {
        if (error_ == parse_error::none) {
            error_ = e;
        }
    }

    [[nodiscard]] const std::vector<vendor_field>& items() const { return items_; }
    [[nodiscard]] std::size_t size() const { return items_.size(); }
    [[nodiscard]] parse_error error() const { return error_; }
    [[nodiscard]] const parse_limits& limits() const { return limits_; }

private:
    parse_limits limits_;
    std::vector<vendor_field> items_;
    std::size_t seeded_ = 0;
    parse_error error_ = parse_error::none;
};

} // namespace vigil::parse
