#pragma once

#include "core/event.hpp"
#include "correlate/correlation_batch.hpp"
#include "correlate/quiet_keys.hpp"
#include "rules/rule_set.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vigil::correlate {

// Turns a worker's rule matches into correlation matches: for every correlation a matching
// rule feeds, it reads the group-by (and condition.field) values from the event, joins them
// into the key, and adds the match to the batch of the shard that owns the key (route_hash
// modulo the shard count). One per worker.
class match_router {
public:
    // `quiet`: the shards' quiet keys (may be null): a match its shard will take quietly is
    // routed without evidence.
    explicit match_router(std::size_t shards, const quiet_board* quiet = nullptr)
        : batches_(std::max<std::size_t>(1, shards)), quiet_(quiet), hints_(batches_.size()) {}

    // Takes the shards' latest quiet keys for the batch about to be routed.
    void read_quiet_keys();

    // Where the event came from, for the matches made of it.
    struct origin {
        core::input_id input = 0;
        std::uint64_t record_hash = 0; // core::stable_hash of the raw record
        bool counted = false;          // a match of this event already counts it
    };

    // Routes the match of detection rule `rule` on `e`. `time_ns` is the event time (or its
    // receipt time). The first match routed for an event counts it (`from.counted`). Returns
    // the number of correlations skipped because the event lacks a group-by field.
    std::size_t route(const std::shared_ptr<const rules::rule_set>& rules, std::uint32_t rule,
                      const core::event& e, std::int64_t time_ns, origin& from);

    [[nodiscard]] std::size_t shards() const { return batches_.size(); }
    // The batch gathered for a shard so far (empty when nothing was routed to it).
    [[nodiscard]] correlation_batch& batch(std::size_t shard) { return batches_[shard]; }

private:
    std::vector<correlation_batch> batches_;
    const quiet_board* quiet_;
    std::vector<std::shared_ptr<const quiet_keys>> hints_; // per shard, for this batch
    std::string key_;
    std::string evidence_;
};

} // namespace vigil::correlate
