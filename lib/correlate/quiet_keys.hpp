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
// quiet_until without using the match's evidence (correlator_shard::taken_quietly), and the
// suppressions' keys whose next alert has its evidence waiting, as the shard last published
// them. Workers leave out the evidence of such matches: in an alert storm serialising every
// event as evidence is most of what a match costs. Immutable once published.
struct quiet_keys {
    const rules::rule_set* rules = nullptr; // the shard's rule set: correlation indices refer to it
    std::vector<core::string_map<std::int64_t>> until; // per correlation: key -> quiet_until

    // A suppression's key whose next alert has its evidence waiting already (ARCHITECTURE.md
    // §4.7): a match later than `after_ns` and earlier than `until_ns` will not be among it.
    struct evidence_waiting {
        std::int64_t after_ns = 0;
        std::int64_t until_ns = 0;
    };
    std::vector<core::string_map<evidence_waiting>> enough; // per correlation

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

    // Whether a match of correlation `c` on `key` at `time_ns` may become alert evidence, as far
    // as this snapshot knows: false if it will be taken quietly or its alert's evidence is
    // already waiting.
    [[nodiscard]] bool needs_evidence(const rules::rule_set* matched_with, std::uint32_t c,
                                      core::prehashed_string key, std::int64_t time_ns) const {
        if (quiet(matched_with, c, key, time_ns)) {
            return false;
        }
        if (matched_with != rules || c >= enough.size() || enough[c].empty()) {
            return true;
        }
        const auto found = enough[c].find(key);
        return found == enough[c].end() || time_ns <= found->second.after_ns ||
               time_ns >= found->second.until_ns;
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
