#pragma once

#include "alert/alert.hpp"
#include "alert/alert_store.hpp"
#include "alert/deadline_book.hpp"
#include "alert/incident_part.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/periodic_task.hpp"

#include <optional>
#include <string_view>

namespace vigil::incident {

// The escalation alert of an alert whose `kind` deadline (due at `due_ms`) passed without the
// lifecycle step that meets it, made at `now_ns`; the escalation is recorded in `part`. Nothing
// when the deadline was decided or has been escalated already. The escalation alert carries the
// original's rule, grade, asset, host, count, times and evidence, and
// {"escalation": {"alert", "deadline", "due", "status"}}.
[[nodiscard]] std::optional<alert::alert> make_escalation(std::string_view document,
                                                          alert::incident_part& part,
                                                          alert::deadline_kind kind,
                                                          std::int64_t due_ms, std::int64_t now_ns);

// Watches the SLA deadlines (ARCHITECTURE.md §6, "Escalation"): every `interval_ns` on a thread
// of its own, each deadline that has passed without the status that meets it becomes an
// escalation alert (make_escalation, alert_store::escalate), stored, shown on the alert and
// queued for the destinations that subscribe to escalations; counted in
// vigil_escalations_total{deadline}. Deadlines are kept in the store, so those that passed
// while vigild was down escalate at its start.
class escalation_watch {
public:
    escalation_watch(alert::alert_store& store, const core::clock& clock,
                     core::metrics_registry& metrics, std::int64_t interval_ns);

    void start() { task_.start(); }
    void stop() { task_.stop(); }
    // One pass: escalates the deadlines due now; returns how many escalated.
    std::size_t pass();

private:
    alert::alert_store& store_;
    const core::clock& clock_;
    core::counter& notify_;
    core::counter& contain_;
    core::periodic_task task_; // last: stopped before the rest goes
};

} // namespace vigil::incident
