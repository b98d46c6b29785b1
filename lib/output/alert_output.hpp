#pragma once

#include "alert/alert.hpp"

#include <span>
#include <string_view>

namespace vigil::output {

// Somewhere stored alerts go next (stdout today; webhooks and Kafka later). Called by the
// alert stage thread after the alerts are durable in RocksDB, in the order they were stored.
class alert_output {
public:
    virtual ~alert_output() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    virtual void deliver(std::span<const alert::alert> alerts) = 0;
};

} // namespace vigil::output
