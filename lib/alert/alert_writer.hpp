#pragma once

#include "alert/alert.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::alert {

// A correlator shard's checkpoint as the alert stage stores it (ARCHITECTURE.md §6): the shard's
// state, and the matches waiting for the watermark in segments of their own (one per batch they
// came in), each written once and deleted once its matches have left, instead of with every
// checkpoint they wait through.
struct shard_checkpoint {
    std::string state; // keys, clocks, and the stored segments still waiting (with their progress)
    bool full = false; // replaces every stored segment of the shard (the first after a start)
    std::vector<std::pair<std::uint64_t, std::string>> segments; // new ones: serial, blob
    std::vector<std::uint64_t> retired;                          // stored ones no longer needed
    [[nodiscard]] std::size_t bytes() const {
        std::size_t n = state.size();
        for (const auto& [serial, blob] : segments) {
            n += blob.size();
        }
        return n;
    }
};

// What the store holds of one shard: its last state and the segments it refers to.
struct stored_checkpoint {
    std::string state;
    std::vector<std::pair<std::uint64_t, std::string>> segments; // by serial, ascending
};

// Where the pipeline's alert stage makes alerts and correlator checkpoints durable. alert_store is
// the implementation; the interface lets tests put a failing store under the pipeline.
class alert_writer {
public:
    virtual ~alert_writer() = default;
    // Writes the alerts durably (all or none).
    [[nodiscard]] virtual std::expected<void, std::string> write(std::span<const alert> alerts) = 0;
    // Stores checkpoint `checkpoint` of correlator shard `shard` (atomically): its state
    // replaces the last one, its new segments are added and its retired ones deleted (all of the
    // shard's segments first when it is `full`).
    [[nodiscard]] virtual std::expected<void, std::string>
    write_checkpoint(unsigned shard, const shard_checkpoint& checkpoint) = 0;
    // Keeps a record a source could not use as it is (a dead letter, JSON), the newest `cap`.
    [[nodiscard]] virtual std::expected<void, std::string> write_dead_letter(std::string_view json,
                                                                             std::size_t cap) = 0;
    // Persists everything written so far (shutdown).
    [[nodiscard]] virtual std::expected<void, std::string> flush() = 0;
};

} // namespace vigil::alert
