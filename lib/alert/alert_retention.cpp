#include "alert/alert_retention.hpp"

#include "core/log.hpp"

namespace vigil::alert {

alert_retention::alert_retention(alert_store& store, retention_policy policy,
                                 std::int64_t interval_ns, const core::clock& clock,
                                 core::metrics_registry& metrics)
    : store_(store), policy_(policy), interval_ns_(interval_ns), clock_(clock),
      by_age_(metrics.make_counter("vigil_alerts_expired_total",
                                   "Alerts deleted by retention (alerts.max_age, alerts.max_bytes)",
                                   {{"reason", "age"}})),
      by_size_(metrics.make_counter(
          "vigil_alerts_expired_total",
          "Alerts deleted by retention (alerts.max_age, alerts.max_bytes)", {{"reason", "size"}})),
      bytes_(metrics.make_gauge("vigil_alert_store_bytes",
                                "Approximate size of the stored alert documents")),
      task_(interval_ns, [this] { pass(); }) {}

void alert_retention::start() {
    task_.start();
}

void alert_retention::stop() {
    task_.stop();
}

void alert_retention::pass() {
    if (policy_.max_age_ms > 0 || policy_.max_bytes > 0) {
        auto expired = store_.expire(policy_, clock_.now_ms());
        if (!expired) {
            core::log_warning("alert retention: " + expired.error() + " (tried again in " +
                              std::to_string(interval_ns_ / 1'000'000'000) + " s)");
        } else {
            by_age_.add(expired->by_age);
            by_size_.add(expired->by_size);
            if (expired->by_age > 0) {
                // Retention goes by the time of the event an alert is about: alerts of old logs
                // fed in go at once, which surprises whoever investigates last year's logs.
                const std::int64_t day_ms = 86'400'000;
                const std::string age = policy_.max_age_ms % day_ms == 0
                                            ? std::to_string(policy_.max_age_ms / day_ms) + "d"
                                            : std::to_string(policy_.max_age_ms / 1000) + "s";
                core::log_info("alert retention deleted " + std::to_string(expired->by_age) +
                               " alerts about events older than alerts.max_age (" + age +
                               "; 0s keeps alerts of any age, as for old logs fed in)");
            }
            if (expired->by_size > 0) {
                core::log_info("alert retention deleted " + std::to_string(expired->by_size) +
                               " oldest alerts to stay within alerts.max_bytes");
            }
        }
    }
    bytes_.set(static_cast<std::int64_t>(store_.alerts_bytes()));
}

} // namespace vigil::alert
