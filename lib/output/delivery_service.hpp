#pragma once

#include "alert/alert_store.hpp"
#include "config/vigil_config.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "output/delivery_queue.hpp"

#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace vigil::output {

// Which alerts a destination takes (outputs.*: min_level, rules, tags; every one set must hold).
[[nodiscard]] bool destination_wants(const config::vigil_config::destination_section& filter,
                                     const alert::alert& a);

// The configured destinations (outputs.webhooks, outputs.kafka), each built from its section
// by its factory (make_webhook, make_kafka) into a sink and a delivery_queue, and registered
// with the store's outbox so that every new alert a destination wants is queued for it in the
// alert's own WriteBatch. A new kind of destination is one sink file pair and one factory here.
class delivery_service {
public:
    [[nodiscard]] static std::expected<std::unique_ptr<delivery_service>, std::string>
    create(const config::vigil_config::outputs_section& outputs, alert::alert_store& store,
           const core::clock& clock, core::metrics_registry& metrics);

    // Starts the senders; call before the pipeline writes alerts.
    void start();
    void stop();
    [[nodiscard]] std::size_t size() const { return queues_.size(); }

private:
    delivery_service() = default;
    std::vector<std::unique_ptr<delivery_queue>> queues_;
};

} // namespace vigil::output
