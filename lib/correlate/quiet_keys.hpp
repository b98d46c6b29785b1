#pragma once

#include "core/string_hash.hpp"
#include "rules/rule_set.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace vigil::correlate {

// The keys of one correlator shard whose open alert takes every match earlier than its
// quiet_until without using the match's evidence (correlator_shard::taken_quietly), as the
// shard last published them. Workers leave out the evidence of such matches: in an alert storm
// serialising every event as evidence is most of what a match costs. Immutable once published.
struct quiet_keys {
    const rules::rule_set* rules = nullptr; // the shard's rule set: correlation indices refer to it
    std::vector<core::string_map<std::int64_t>> until; // per correlation: key -> quiet_until

    // Whether a match of correlation `c` (of `matched_with`) on `key` (hashed: key_hash) at
    // `time_ns` will be taken quietly, as far as this snapshot knows (the shard decides again
    // when it arrives).
    [[nodiscard]] bool quiet(const rules::rule_set* matched_with, std::uint32_t c,
                             core::prehashed_string key, std::int64_t time_ns) const {
        if (matched_with != rules || c >= until.size()) {
            return false;
        }
        const auto found = until[c].find(key);
        return found != until[c].end() && time_ns < found->second;
    }
};

// Where each shard publishes its quiet keys and every worker reads them (any thread).
class quiet_board {
public:
    explicit quiet_board(std::size_t shards) : slots_(shards) {}
    void publish(std::size_t shard, std::shared_ptr<const quiet_keys> keys) {
        slots_[shard].store(std::move(keys));
    }
    [[nodiscard]] std::shared_ptr<const quiet_keys> read(std::size_t shard) const {
        return slots_[shard].load();
    }
    [[nodiscard]] std::size_t size() const { return slots_.size(); }

private:
    std::vector<std::atomic<std::shared_ptr<const quiet_keys>>> slots_;
};

} // namespace vigil::correlate
