#include "rules/string_table.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace vigil::rules {
namespace {

// A fast 64-bit hash of short strings, eight bytes at a time. Keys come from rules and the
// table never changes, so values from events cannot lengthen its probe sequences.
std::uint64_t hash_of(std::string_view text) {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ text.size();
    const char* p = text.data();
    std::size_t n = text.size();
    auto mix = [&h](std::uint64_t word) {
        h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    };
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, 8);
        mix(word);
    }
    if (n > 0) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, n);
        mix(word);
    }
    return h ^ (h >> 29);
}

} // namespace

void string_table::builder::add(std::string_view key, std::uint32_t id) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        it = entries_.emplace(std::string(key), std::vector<std::uint32_t>{}).first;
    }
    it->second.push_back(id);
}

string_table string_table::builder::build() const {
    string_table table;
    table.size_ = entries_.size();
    if (!entries_.empty()) {
        table.min_key_size_ = SIZE_MAX;
    }
    table.slots_.resize(std::bit_ceil(std::max<std::size_t>(2 * entries_.size(), 8)));
    const std::size_t mask = table.slots_.size() - 1;
    for (const auto& [key, ids] : entries_) {
        const std::uint64_t hash = hash_of(key);
        std::size_t i = hash & mask;
        while (table.slots_[i].count != 0) {
            i = (i + 1) & mask;
        }
        table.slots_[i] = {hash, static_cast<std::uint32_t>(table.keys_.size()),
                           static_cast<std::uint32_t>(key.size()),
                           static_cast<std::uint32_t>(table.ids_.size()),
                           static_cast<std::uint32_t>(ids.size())};
        table.keys_ += key;
        table.min_key_size_ = std::min(table.min_key_size_, key.size());
        table.max_key_size_ = std::max(table.max_key_size_, key.size());
        table.ids_.insert(table.ids_.end(), ids.begin(), ids.end());
    }
    return table;
}

std::span<const std::uint32_t> string_table::find(std::string_view key) const {
    if (size_ == 0) {
        return {};
    }
    const std::uint64_t hash = hash_of(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const slot& s = slots_[i];
        if (s.count == 0) {
            return {};
        }
        if (s.hash == hash && s.key_size == key.size() &&
            (key.empty() ||
             std::memcmp(keys_.data() + s.key_offset, key.data(), key.size()) == 0)) {
            return {ids_.data() + s.first, s.count};
        }
    }
}

} // namespace vigil::rules
