#include "pipeline_settings.hpp"

#include <algorithm>
#include <thread>

namespace vigil::daemon {

pipeline::pipeline_config pipeline_settings(const config::vigil_config& cfg) {
    pipeline::pipeline_config pipe;
    pipe.workers =
        cfg.workers != 0 ? cfg.workers : std::max(1u, std::thread::hardware_concurrency());
    // Each listener completes zone- and year-less timestamps with its own zone (time.zones
    // first).
    for (std::size_t kind = 0; kind < pipe.parsing.size(); ++kind) {
        pipe.parsing[kind].rfc3164 =
            config::local_time_for(cfg, static_cast<core::source_kind>(kind));
    }
    pipe.max_future_skew_ns = cfg.time.max_future_skew_ns;
    // The syslog section configures the syslog listeners.
    for (auto kind : {core::source_kind::syslog_udp, core::source_kind::syslog_tcp,
                      core::source_kind::syslog_tls}) {
        auto& parsing = pipe.parsing[static_cast<std::size_t>(kind)];
        parsing.format = cfg.syslog.format;
        parsing.payload = cfg.syslog.payload;
    }
    pipe.dead_letter_cap = cfg.kafka.dead_letter_cap;
    pipe.alert_rate_limit = cfg.alerts.rate_limit;
    pipe.incidents = cfg.incidents.policy;
    if (!cfg.tenants.empty()) {
        pipe.tenants = std::make_shared<const incident::tenant_map>(cfg.tenants);
    }
    pipe.correlation.shards = cfg.correlation.shards != 0 ? cfg.correlation.shards : pipe.workers;
    pipe.correlation.checkpoint_interval_ns = cfg.correlation.checkpoint_interval_ns;
    auto& limits = pipe.correlation.limits;
    limits.time.allowed_lateness_ns = cfg.correlation.allowed_lateness_ns;
    limits.time.idle_timeout_ns = cfg.correlation.idle_timeout_ns;
    limits.time.max_input_lag_ns = cfg.correlation.max_input_lag_ns;
    limits.late_events = cfg.correlation.late_events_dead_letter
                             ? correlate::late_policy::dead_letter
                             : correlate::late_policy::apply;
    limits.max_keys = cfg.correlation.max_keys;
    limits.max_keys_per_rule = cfg.correlation.max_keys_per_rule;
    limits.max_values_per_key = cfg.correlation.max_values_per_key;
    limits.evidence_per_alert = cfg.correlation.evidence_per_alert;
    return pipe;
}

} // namespace vigil::daemon
