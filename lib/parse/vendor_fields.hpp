#pragma once

#include "parse/parse_error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vigil::parse {

// The limits every parser keeps to (config `parse.limits`). A record that breaks one is still
// an event: what was read up to the limit is kept, with the reason as its parse error.
struct parse_limits {
    std::size_t max_depth = 64;          // JSON nesting
    std::size_t max_fields = 1024;       // fields per record; the rest are not read
    std::size_t max_value_bytes = 65536; // longer values are cut at this length
};

// One field under the name its source gave it: a CEF extension key, a LEEF attribute, a JSON
// path ("alert.signature"), a key of key=value text, a CSV column name. Views into the record
// or into the worker's scratch arena.
struct vendor_field {
    std::string_view name;
    std::string_view value;
    std::size_t name_hash = 0; // vendor_fields::hash_of(name), set as the field is indexed
};

// The fields one record yielded, in order, before a vendor mapping turns them into canonical
// fields. Owned by one worker and reused for every record (clear() keeps the capacity and
// costs nothing per field). add() enforces the field-count and value-length limits and
// remembers the first one broken. Fields are indexed by name as they are added, so that
// mappings find them in constant time however many a record has.
class vendor_fields {
public:
    static constexpr std::uint32_t none = 0xffffffff;

    // A Bloom filter of field names (256 bits, one per name): a set of names some test needs,
    // or the names a record has. Checking it first rejects most mappings whose fields a
    // record lacks with a few AND operations instead of a lookup per field.
    struct name_filter {
        std::array<std::uint64_t, 4> bits{};
        void add(std::size_t name_hash) {
            const std::size_t bit = (name_hash >> 40) & 255;
            bits[bit >> 6] |= std::uint64_t{1} << (bit & 63);
        }
        // Whether every name of `wanted` may be among ours.
        [[nodiscard]] bool may_have(const name_filter& wanted) const {
            return ((bits[0] & wanted.bits[0]) == wanted.bits[0]) &
                   ((bits[1] & wanted.bits[1]) == wanted.bits[1]) &
                   ((bits[2] & wanted.bits[2]) == wanted.bits[2]) &
                   ((bits[3] & wanted.bits[3]) == wanted.bits[3]);
        }
    };

    explicit vendor_fields(parse_limits limits = {}) : limits_(limits) {}

    void clear();
    void add(std::string_view name, std::string_view value);
    // Adds a field the event already has (a syslog header field), so that a mapping can detect
    // and extract from it; mapping does not add it to the event again. Before any add().
    void seed(std::string_view name, std::string_view value);
    // How many fields at the front were seeded.
    [[nodiscard]] std::size_t seeded() const { return seeded_; }

    // The first value under `name`.
    [[nodiscard]] std::optional<std::string_view> find(std::string_view name) const {
        const std::uint32_t i = first(name);
        return i == none ? std::nullopt : std::optional(items_[i].value);
    }
    // The index of the first field named `name`, and of the next field of the same name.
    [[nodiscard]] std::uint32_t first(std::string_view name) const {
        return first(name, hash_of(name));
    }
    // The same, with the name's hash_of() computed in advance.
    [[nodiscard]] std::uint32_t first(std::string_view name, std::size_t hash) const;
    [[nodiscard]] static std::size_t hash_of(std::string_view name);
    [[nodiscard]] std::uint32_t next(std::uint32_t index) const { return next_[index]; }

    // Gives field `index` another name (a column named by its layout); call reindex() after
    // the last rename and before the next lookup.
    void rename(std::size_t index, std::string_view name) { items_[index].name = name; }
    void reindex();
    // Records a problem; the first one is the record's parse error.
    void note(parse_error e) {
        if (error_ == parse_error::none) {
            error_ = e;
        }
    }

    // The names this record has (false positives possible, no false negatives).
    [[nodiscard]] const name_filter& names() const { return names_; }
    [[nodiscard]] const std::vector<vendor_field>& items() const { return items_; }
    [[nodiscard]] std::size_t size() const { return items_.size(); }
    [[nodiscard]] parse_error error() const { return error_; }
    [[nodiscard]] const parse_limits& limits() const { return limits_; }

private:
    // Open addressing over names; a slot belongs to this record when its generation is current.
    // `tag` holds high bits of the name's hash: a probe compares names only when they agree.
    struct slot {
        std::uint32_t generation = 0;
        std::uint32_t first = 0;
        std::uint32_t last = 0;
        std::uint32_t tag = 0;
    };
    static std::uint32_t tag_of(std::size_t hash) { return static_cast<std::uint32_t>(hash >> 32); }

    void push(std::string_view name, std::string_view value);
    void next_generation();
    void index(std::uint32_t i);
    void grow();

    parse_limits limits_;
    std::vector<vendor_field> items_;
    std::vector<std::uint32_t> next_;
    std::vector<slot> slots_ = std::vector<slot>(64);
    std::uint32_t generation_ = 1;
    std::size_t seeded_ = 0;
    parse_error error_ = parse_error::none;
    name_filter names_;
};

} // namespace vigil::parse
