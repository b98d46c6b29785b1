#pragma once

#include "alert/alert.hpp"

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace vigil::alert {

// Where the pipeline's alert stage makes alerts and correlator checkpoints durable. alert_store is
// the implementation; the interface lets tests put a failing store under the pipeline.
class alert_writer {
public:
    virtual ~alert_writer() = default;
    // Writes the alerts durably (all or none).
    [[nodiscard]] virtual std::expected<void, std::string> write(std::span<const alert> alerts) = 0;
    // Replaces the stored checkpoint of correlator shard `shard` with `blob` (atomically).
    [[nodiscard]] virtual std::expected<void, std::string>
    write_checkpoint(unsigned shard, std::string_view blob) = 0;
    // Keeps a record a source could not use as it is (a dead letter, JSON), the newest `cap`.
    [[nodiscard]] virtual std::expected<void, std::string> write_dead_letter(std::string_view json,
                                                                             std::size_t cap) = 0;
    // Persists everything written so far (shutdown).
    [[nodiscard]] virtual std::expected<void, std::string> flush() = 0;
};

} // namespace vigil::alert
