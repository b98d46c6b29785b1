#pragma once

#include "core/field_catalog.hpp"
#include "core/raw_record.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vigil::core {

struct field_value {
    field_id id;
    std::string_view value;
    std::uint16_t next = 0xffff; // index of this field's next value in the event, if any
};

// One RFC 5424 SD-PARAM, with its SD-ID. Values are unescaped.
struct structured_data_param {
    std::string_view sd_id;
    std::string_view name;
    std::string_view value;
};

// A parsed record (DESIGN.md §4): event time, a compact table of (field id, value) pairs, the
// raw record and the parser that made it. Values are views into the raw bytes or into the
// parsing worker's arena, so an event is valid only until that worker parses its next record.
// A worker reuses one event for every record: clear() keeps the capacity.
class event {
public:
    void clear();

    // Adds or replaces a field. An empty value is a present, empty field.
    void set(field_id id, std::string_view value);
    // Adds one more value to a field that may hold several (the elements of a JSON array).
    void add(field_id id, std::string_view value);
    // The (first) value of a field.
    [[nodiscard]] std::optional<std::string_view> get(field_id id) const;
    // Calls `fn(value)` for every value of a field, in order.
    template <typename Fn>
    void for_each_value(field_id id, Fn&& fn) const {
        if (id >= slot_.size()) {
            return;
        }
        for (std::uint16_t i = slot_[id]; i != absent; i = fields_[i].next) {
            fn(fields_[i].value);
        }
    }
    // Every (id, value) pair in the order they were added; a multi-valued field appears once
    // per value.
    [[nodiscard]] const std::vector<field_value>& fields() const { return fields_; }

    void add_structured_data(structured_data_param param) { structured_data_.push_back(param); }
    [[nodiscard]] const std::vector<structured_data_param>& structured_data() const {
        return structured_data_;
    }

    // Event time in nanoseconds since the Unix epoch, when the record carried one.
    std::optional<std::int64_t> time_ns;
    // Static name of the parser that made the event ("rfc5424", "rfc3164", "json").
    std::string_view parser;
    // For JSON events, the name of the schemas/mappings entry that read it ("windows", "json").
    std::string_view mapping;
    // Static reason code when the record could not be parsed completely; empty otherwise. The
    // same code is in the field error.type, so rules can see it.
    std::string_view parse_error;
    const raw_record* raw = nullptr;
    // The customer the record belongs to (incident::tenant_map); empty when none is configured
    // or none matched. Points into the configuration's tenant names.
    std::string_view tenant;

private:
    static constexpr std::uint16_t absent = 0xffff;

    std::vector<field_value> fields_;
    // Position of each field's first and last value in fields_, or `absent`: set(), add() and
    // get() in constant time. Grow to the largest id seen, so one event serves any catalog.
    std::vector<std::uint16_t> slot_ = std::vector<std::uint16_t>(fields::builtin_count, absent);
    std::vector<std::uint16_t> last_ = std::vector<std::uint16_t>(fields::builtin_count, absent);
    std::vector<structured_data_param> structured_data_;
};

} // namespace vigil::core
