#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::output {

// What one attempt to hand an alert to a destination came to.
struct send_result {
    bool delivered = false;
    // Why not, as a metric label: status (a non-2xx answer), redirect (3xx: not followed),
    // network (resolving, connecting, TLS, timing out), refused (a private address without
    // allow_private), render (the alert could not be put in the destination's format), kafka;
    // cancelled (shutdown: not a failure of the destination, not counted).
    std::string reason;
    std::string error; // for the log and the dead letter
    // The destination asked to be left alone this long (429 or 503 with Retry-After).
    std::optional<std::int64_t> retry_after_ms;
};

// Where delivery_queue hands alerts: one destination (a webhook URL, a Kafka topic). `send`
// blocks until the destination took the alert or refused it, and may be called from several
// threads at once (a destination's concurrency). The queue owns retries; a sink tries once.
class alert_sink {
public:
    virtual ~alert_sink() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    [[nodiscard]] virtual send_result send(std::string_view alert_id,
                                           std::string_view alert_json) = 0;
    // Shutdown: sends in progress, and any after, return at once undelivered with reason
    // "cancelled" (their alerts stay in the outbox and go after a restart). Any thread.
    virtual void cancel() = 0;
};

} // namespace vigil::output
