#include "correlate/key_table.hpp"

#include "correlate/correlation_batch.hpp"

namespace vigil::correlate {
namespace {
constexpr std::size_t initial_index = 64;
} // namespace

key_table::key_table() : index_(initial_index, 0), mask_(initial_index - 1) {}

std::uint32_t key_table::find(std::string_view key, std::uint64_t hash) const {
    for (std::uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
        const std::uint64_t cell = index_[i];
        if (cell == 0) {
            return none;
        }
        if (same_hash(cell, hash)) {
            const auto slot = static_cast<std::uint32_t>((cell & 0xffffffffull) - 1);
            if (entries_[slot].key == key) {
                return slot;
            }
        }
    }
}

std::uint32_t key_table::insert(std::string_view key, std::uint64_t hash, std::int64_t seen_ns) {
    if ((live_ + 1) * 2 > index_.size()) {
        grow();
    }
    std::uint32_t slot;
    if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(entries_.size());
        entries_.emplace_back();
    }
    key_entry& e = entries_[slot];
    e.key.assign(key);
    e.live = true;
    ++e.generation;
    std::uint64_t i = hash & mask_;
    while (index_[i] != 0) {
        i = (i + 1) & mask_;
    }
    index_[i] = pack(hash, slot);
    ++live_;
    ages_.push_back({slot, e.generation, seen_ns});
    if (ages_.size() > 2 * live_ + 64) {
        // Erased keys leave their queue entries behind; drop them now and then.
        std::erase_if(ages_, [&](const age& a) {
            return !entries_[a.slot].live || entries_[a.slot].generation != a.generation;
        });
    }
    return slot;
}

void key_table::erase(std::uint32_t slot) {
    key_entry& e = entries_[slot];
    // Find the index cell (from the key's home), then shift later cells of the same probe run
    // back into the gap; their homes are in the cells, so no other key is rehashed.
    const std::uint64_t hash = key_hash(e.key);
    const std::uint64_t cell = pack(hash, slot);
    std::uint64_t i = hash & mask_;
    while (index_[i] != cell) {
        i = (i + 1) & mask_;
    }
    for (std::uint64_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
        const std::uint64_t moved = index_[j];
        if (moved == 0) {
            break;
        }
        const std::uint64_t home = (moved >> 32) & mask_;
        // The cell at j may move to i if its home is not in (i, j] (cyclically).
        const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            index_[i] = moved;
            i = j;
        }
    }
    index_[i] = 0;
    const std::uint32_t generation = e.generation;
    e = key_entry{};
    e.generation = generation;
    free_.push_back(slot);
    --live_;
}

std::uint32_t key_table::oldest() {
    while (!ages_.empty()) {
        const age front = ages_.front();
        const key_entry& e = entries_[front.slot];
        if (!e.live || e.generation != front.generation) {
            ages_.pop_front(); // the key was erased
            continue;
        }
        if (e.newest_ns > front.newest_ns) {
            // Seen since it was queued: to the back, with its newest time.
            ages_.pop_front();
            ages_.push_back({front.slot, front.generation, e.newest_ns});
            continue;
        }
        return front.slot;
    }
    return none;
}

void key_table::grow() {
    std::vector<std::uint64_t> bigger(index_.size() * 2, 0);
    const std::uint64_t mask = bigger.size() - 1;
    for (std::uint64_t cell : index_) {
        if (cell == 0) {
            continue;
        }
        std::uint64_t i = (cell >> 32) & mask;
        while (bigger[i] != 0) {
            i = (i + 1) & mask;
        }
        bigger[i] = cell;
    }
    index_ = std::move(bigger);
    mask_ = mask;
}

std::size_t key_table::bytes() const {
    std::size_t total = entries_.capacity() * sizeof(key_entry) +
                        index_.capacity() * sizeof(std::uint64_t) +
                        free_.capacity() * sizeof(std::uint32_t) + ages_.size() * sizeof(age);
    // Heap blocks carry about 16 bytes of allocator overhead each.
    constexpr std::size_t block = 16;
    for (const auto& e : entries_) {
        if (!e.live) {
            continue;
        }
        if (e.key.capacity() > 15) {
            total += e.key.capacity() + 1 + block;
        }
        if (e.times.on_heap()) {
            total += e.times.capacity() * sizeof(std::int64_t) + block;
        }
        if (e.extra) {
            total += sizeof(key_extra) + block + e.extra->samples.capacity() * sizeof(sample) +
                     (e.extra->samples.capacity() > 0 ? block : 0);
            for (const auto& s : e.extra->samples) {
                total += s.value.capacity() > 15 ? s.value.capacity() + 1 + block : 0;
            }
            total += e.extra->evidence.capacity() > 15 ? e.extra->evidence.capacity() + block : 0;
        }
        if (e.open) {
            total += sizeof(open_alert) + block;
            for (const auto& ev : e.open->evidence) {
                total += ev.capacity() + block;
            }
        }
    }
    return total;
}

} // namespace vigil::correlate
