#pragma once

#include "core/ulid.hpp"
#include "correlate/time_list.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::correlate {

// One observation kept for a key: a distinct value (value_count) or one event's value (the
// metric types and windows evaluated at their close).
struct sample {
    std::int64_t time_ns = 0;
    double number = 0;
    std::uint64_t hash = 0;
    std::uint64_t weight = 1; // observations merged into this one (sums at the value cap)
    std::string value;
};

// The alert a key raised while it is quiet (`suppress`): later events update it instead of
// raising new ones.
struct open_alert {
    core::ulid id;
    std::int64_t quiet_until_ns = 0; // event time until which the key stays quiet
    std::uint64_t count = 0;
    std::int64_t first_seen_ns = 0;
    std::int64_t last_seen_ns = 0;
    std::int64_t created_ns = 0; // processing time of the first alert
    std::vector<std::string> evidence;
    std::vector<std::string> values; // distinct values (value_count), for the alert
    double metric = 0;               // the value the condition was decided on
    bool dirty = false;              // changed since it was last emitted
};

// What some keys need besides their times: observations, the evidence of the event that may
// fire later (windows closing, absence).
struct key_extra {
    std::vector<sample> samples;
    std::string evidence;
};

// The window state of one group-by key of one correlation. What `times` and `extra` hold
// depends on the correlation type (see correlator_shard.cpp); the rest is common.
struct key_entry {
    static constexpr std::uint32_t none = 0xffffffffu;

    std::string key;              // group-by values joined with key_separator
    std::int64_t newest_ns = 0;   // newest event time seen for the key
    std::int64_t opened_ns = 0;   // start of the open window / pending "A" (absence)
    std::uint32_t generation = 0; // changes whenever the slot is reused (timer wheel)
    std::uint32_t count = 0;
    bool live = false;
    bool in_wheel = false;
    time_list times;
    std::unique_ptr<key_extra> extra;
    std::unique_ptr<open_alert> open;
};
// Two cache lines: what one match reads of a key.
static_assert(sizeof(key_entry) <= 128);

// The keys of one correlation on one shard: an open-addressing index (linear probing, backward
// shift deletion) over a slab of entries. Slots are stable while a key lives. Not thread-safe:
// one shard owns it.
//
// Oldest-first eviction uses a queue of keys in the order they were last looked at, kept
// lazily: a match does not touch it (a linked LRU list would cost two cache misses per match
// at a million keys); when a key is needed for eviction, front entries whose key has seen a
// newer event since are moved to the back with that time. So the key evicted is the one whose
// newest event time is (about) the oldest.
class key_table {
public:
    static constexpr std::uint32_t none = key_entry::none;

    key_table();

    [[nodiscard]] std::uint32_t find(std::string_view key, std::uint64_t hash) const;
    // `hash` is always key_hash(key) (callers computed it already).
    // Adds a key that is not present, first seen at event time `seen_ns`; returns its slot.
    std::uint32_t insert(std::string_view key, std::uint64_t hash, std::int64_t seen_ns);
    void erase(std::uint32_t slot);
    // The key whose newest event is oldest, or none.
    [[nodiscard]] std::uint32_t oldest();
    [[nodiscard]] key_entry& at(std::uint32_t slot) { return entries_[slot]; }
    [[nodiscard]] const key_entry& at(std::uint32_t slot) const { return entries_[slot]; }
    [[nodiscard]] std::size_t size() const { return live_; }
    [[nodiscard]] std::uint32_t slot_count() const {
        return static_cast<std::uint32_t>(entries_.size());
    }
    // Memory held, in bytes: slab, index and what entries own on the heap.
    [[nodiscard]] std::size_t bytes() const;
    // The release loop looks a few matches ahead in three stages, so that the cache misses of
    // many keys overlap: first the index cell of a hash, then the entry it points to (the cell
    // is in cache by then), then the entry's timestamps.
    void prefetch_index(std::uint64_t hash) const { __builtin_prefetch(&index_[hash & mask_]); }
    void prefetch_entry(std::uint64_t hash) const {
        if (const key_entry* e = cached_entry(hash)) {
            __builtin_prefetch(e);
            __builtin_prefetch(reinterpret_cast<const char*>(e) + 64);
        }
    }
    void prefetch_times(std::uint64_t hash) const {
        if (const key_entry* e = cached_entry(hash); e != nullptr && e->times.on_heap()) {
            __builtin_prefetch(e->times.data());
        }
    }

    template <typename Fn>
    void for_each(Fn&& fn) {
        for (std::uint32_t s = 0; s < entries_.size(); ++s) {
            if (entries_[s].live) {
                fn(s, entries_[s]);
            }
        }
    }

private:
    void grow();
    // An index cell: the hash's low half (it gives the home position, so moving and growing
    // need not rehash keys) and the slot + 1.
    [[nodiscard]] static std::uint64_t pack(std::uint64_t hash, std::uint32_t slot) {
        return (hash << 32) | (std::uint64_t{slot} + 1);
    }
    [[nodiscard]] static bool same_hash(std::uint64_t cell, std::uint64_t hash) {
        return (cell >> 32) == (hash & 0xffffffffull);
    }
    // The entry the hash's home cell points to, if that cell holds the hash (for prefetching:
    // a key that moved along its probe sequence is simply not prefetched).
    [[nodiscard]] const key_entry* cached_entry(std::uint64_t hash) const {
        const std::uint64_t cell = index_[hash & mask_];
        if (cell == 0 || !same_hash(cell, hash)) {
            return nullptr;
        }
        return &entries_[static_cast<std::uint32_t>((cell & 0xffffffffull) - 1)];
    }

    std::vector<key_entry> entries_;
    std::vector<std::uint32_t> free_;
    std::vector<std::uint64_t> index_; // 0 = empty; else pack(hash, slot)
    std::uint64_t mask_ = 0;
    std::size_t live_ = 0;
    struct age {
        std::uint32_t slot;
        std::uint32_t generation;
        std::int64_t newest_ns; // the key's newest event time when queued
    };
    std::deque<age> ages_; // one per live key (plus stale ones of erased keys)
};

} // namespace vigil::correlate
