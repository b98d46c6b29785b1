#pragma once

#include "core/string_hash.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::core {

// A hash of the length and the first and last eight bytes of a string only: a few instructions
// whatever its length. Strings that share length, start and end collide, so use it only for a
// key set fixed on the control plane (a lookup with any string then probes among those keys
// alone), never for keys taken from records.
struct head_tail_hash {
    std::size_t operator()(std::string_view key) const {
        const std::size_t n = key.size();
        const std::uint64_t head = load(key.data(), n < 8 ? n : 8);
        const std::uint64_t tail = n > 8 ? load(key.data() + n - 8, 8) : 0;
        const std::uint64_t h = (head ^ std::rotl(tail, 29) ^ n) * 0x9e3779b97f4a7c15ULL;
        return static_cast<std::size_t>(h ^ (h >> 32));
    }

private:
    static std::uint64_t load(const char* p, std::size_t n) {
        std::uint64_t v = 0;
        std::memcpy(&v, p, n);
        return v;
    }
};

// A map from strings to values in two flat arrays (open addressing over positions, with each
// key's hash beside its position), for lookups on workers' hot paths: a probe compares hashes
// and touches a key only when they agree, where std::unordered_map follows a node per step.
// Entries are never erased one by one (clear() empties the map).
template <typename Value, typename Hash = string_hash>
class flat_string_map {
public:
    [[nodiscard]] const Value* find(std::string_view key) const { return find(key, Hash{}(key)); }
    // The same, with the key's Hash computed in advance.
    [[nodiscard]] const Value* find(std::string_view key, std::size_t hash) const {
        if (slots_.empty()) {
            return nullptr;
        }
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            const slot& s = slots_[i];
            if (s.entry == 0) {
                return nullptr;
            }
            if (s.hash == hash) {
                const auto& [k, v] = entries_[s.entry - 1];
                if (k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0) {
                    return &v;
                }
            }
        }
    }

    // The value of `key`, inserted default-constructed when new.
    Value& operator[](std::string_view key) {
        const std::size_t hash = Hash{}(key);
        if (const Value* v = find(key, hash)) {
            return const_cast<Value&>(*v);
        }
        entries_.emplace_back(std::string(key), Value{});
        if (entries_.size() * 2 > slots_.size()) {
            rehash(std::max<std::size_t>(16, slots_.size() * 2));
        } else {
            place(hash, static_cast<std::uint32_t>(entries_.size()));
        }
        return entries_.back().second;
    }

    void clear() {
        entries_.clear();
        slots_.clear();
    }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }

private:
    struct slot {
        std::size_t hash = 0;
        std::uint32_t entry = 0; // index in entries_ + 1; 0: empty
    };
    void place(std::size_t hash, std::uint32_t entry) {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = hash & mask;
        while (slots_[i].entry != 0) {
            i = (i + 1) & mask;
        }
        slots_[i] = {hash, entry};
    }
    void rehash(std::size_t size) {
        slots_.assign(size, slot{});
        for (std::uint32_t e = 0; e < entries_.size(); ++e) {
            place(Hash{}(entries_[e].first), e + 1);
        }
    }

    std::vector<std::pair<std::string, Value>> entries_;
    std::vector<slot> slots_; // a power of two in size, at most half full
};

// A flat_string_map for a fixed key set (head_tail_hash).
template <typename Value>
using static_string_map = flat_string_map<Value, head_tail_hash>;

} // namespace vigil::core
