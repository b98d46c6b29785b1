#pragma once

#include "alert/alert_store.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/periodic_task.hpp"

#include <cstdint>

namespace vigil::alert {

// Runs the store's retention (alert_store::expire) at start and then every `interval_ns` on a
// thread of its own, so that deleting and compacting never holds up the alert stage or the I/O
// thread. Counts what it removed in vigil_alerts_expired_total{reason="age"|"size"} and shows
// the documents' size in vigil_alert_store_bytes. A failed pass is logged and tried again at
// the next interval.
class alert_retention {
public:
    alert_retention(alert_store& store, retention_policy policy, std::int64_t interval_ns,
                    const core::clock& clock, core::metrics_registry& metrics);
    alert_retention(const alert_retention&) = delete;
    alert_retention& operator=(const alert_retention&) = delete;

    void start();
    void stop(); // waits for a running pass to end

private:
    void pass();

    alert_store& store_;
    const retention_policy policy_;
    const std::int64_t interval_ns_;
    const core::clock& clock_;
    core::counter& by_age_;
    core::counter& by_size_;
    core::gauge& bytes_;
    core::periodic_task task_; // last: stopped before the rest goes
};

} // namespace vigil::alert
