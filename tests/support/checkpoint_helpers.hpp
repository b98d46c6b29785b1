#pragma once

#include "alert/alert_writer.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace vigil::test {

// What alert_store keeps of one correlator shard as its checkpoints arrive
// (alert_store::write_checkpoint), for tests that keep checkpoints in memory.
struct kept_checkpoint {
    std::string state;
    std::map<std::uint64_t, std::string> segments;

    void store(const alert::shard_checkpoint& c) {
        if (c.full) {
            segments.clear();
        }
        for (const std::uint64_t serial : c.retired) {
            segments.erase(serial);
        }
        for (const auto& [serial, blob] : c.segments) {
            segments[serial] = blob;
        }
        state = c.state;
    }
    // What a restart reads (alert_store::read_checkpoints).
    [[nodiscard]] alert::stored_checkpoint stored() const {
        return {state, {segments.begin(), segments.end()}};
    }
};

} // namespace vigil::test
