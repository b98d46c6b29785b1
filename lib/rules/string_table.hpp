#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::rules {

// An immutable hash table from strings to lists of ids (the predicates an exact value or a
// domain decides), laid out flat: open addressing over one slot array, keys in one string and
// the lists in one vector, so that a lookup in the matcher's first stage touches a slot and a
// key and allocates nothing. Built once on the control plane.
class string_table {
public:
    string_table() = default;

    // Collects keys and their ids, then builds the table.
    class builder {
    public:
        void add(std::string_view key, std::uint32_t id);
        [[nodiscard]] string_table build() const;

    private:
        std::map<std::string, std::vector<std::uint32_t>, std::less<>> entries_;
    };

    // The ids stored under `key`; empty when it is not in the table.
    [[nodiscard]] std::span<const std::uint32_t> find(std::string_view key) const;
    [[nodiscard]] std::size_t size() const { return size_; }
    // Bounds of the key lengths: a value outside them needs no lookup (nor case folding).
    [[nodiscard]] std::size_t min_key_size() const { return min_key_size_; }
    [[nodiscard]] std::size_t max_key_size() const { return max_key_size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }

private:
    struct slot {
        std::uint64_t hash = 0;
        std::uint32_t key_offset = 0;
        std::uint32_t key_size = 0;
        std::uint32_t first = 0; // into ids_
        std::uint32_t count = 0; // 0: the slot is free
    };

    std::vector<slot> slots_; // a power of two, at most half full
    std::string keys_;
    std::vector<std::uint32_t> ids_;
    std::size_t size_ = 0;
    std::size_t min_key_size_ = 0;
    std::size_t max_key_size_ = 0;
};

} // namespace vigil::rules
