#include "alert/correlation_alert.hpp"

#include "core/civil_time.hpp"
#include "core/json_writer.hpp"

namespace vigil::alert {
namespace {

std::string duration_text(std::int64_t ns) {
    const std::int64_t s = ns / 1'000'000'000;
    if (s > 0 && s % 86400 == 0) {
        return std::to_string(s / 86400) + "d";
    }
    if (s > 0 && s % 3600 == 0) {
        return std::to_string(s / 3600) + "h";
    }
    if (s > 0 && s % 60 == 0) {
        return std::to_string(s / 60) + "m";
    }
    return std::to_string(s) + "s";
}

// The "correlation" member: what the correlation found.
void write_correlation(core::json_writer& w, const rules::compiled_correlation& c,
                       const correlation_facts& facts) {
    w.key("correlation").begin_object();
    w.field("type", rules::to_string(c.type));
    w.field("timespan", duration_text(c.timespan_ns));
    if (!c.condition.empty()) {
        w.field("condition", c.condition.describe());
    }
    if (facts.metric) {
        w.field("value", *facts.metric);
    }
    if (!facts.values.empty()) {
        w.key("values").begin_array();
        for (const auto& v : facts.values) {
            w.value(v);
        }
        w.end_array();
    }
    if (facts.quiet_until_ns) {
        w.field("quiet_until", core::rfc3339(*facts.quiet_until_ns).view());
    }
    w.end_object();
}

} // namespace

alert make_correlation_alert(const rules::rule_info& rule, std::uint64_t rule_set_version,
                             const correlation_facts& facts) {
    const rules::compiled_correlation& c = *facts.correlation;
    alert out;
    out.id = facts.id;
    out.created_ns = facts.created_ns;
    out.update = facts.updated_ns.has_value();
    out.json.reserve(1024);
    core::json_writer w(out.json);
    w.begin_object();
    w.field("id", facts.id.to_string());
    if (!facts.tenant.empty()) {
        w.field("tenant", facts.tenant);
    }
    write_rule(w, rule, rule_set_version);
    w.field("created_at", core::rfc3339(facts.created_ns).view());
    if (facts.updated_ns) {
        w.field("updated_at", core::rfc3339(*facts.updated_ns).view());
    }
    w.field("received_at", core::rfc3339(facts.updated_ns.value_or(facts.created_ns)).view());
    w.field("event_time", core::rfc3339(facts.last_seen_ns).view());
    if (c.suppression) {
        // A single-event rule's alert that later matches update (its `suppress: {by, for}`).
        w.key("suppression").begin_object();
        w.key("by").begin_array();
        for (const auto& name : c.key_names) {
            w.value(name);
        }
        w.end_array();
        w.field("for", duration_text(c.timespan_ns));
        if (facts.quiet_until_ns) {
            w.field("until", core::rfc3339(*facts.quiet_until_ns).view());
        }
        w.end_object();
    } else {
        write_correlation(w, c, facts);
    }
    w.key("key").begin_object();
    for (std::size_t i = 0; i < c.key_names.size() && i < facts.key.size(); ++i) {
        w.field(c.key_names[i], facts.key[i]);
    }
    w.end_object();
    for (std::size_t i = 0; i < c.key_names.size() && i < facts.key.size(); ++i) {
        if (c.key_names[i] == "host.name" || c.key_names[i] == "Computer" ||
            c.key_names[i] == "ComputerName") {
            w.field("host", facts.key[i]);
            break;
        }
    }
    w.field("count", facts.count);
    w.field("first_seen", core::rfc3339(facts.first_seen_ns).view());
    w.field("last_seen", core::rfc3339(facts.last_seen_ns).view());
    w.key("evidence").begin_array();
    for (const auto& e : facts.evidence) {
        w.raw(e);
    }
    w.end_array();
    w.end_object();
    index_alert(out);
    return out;
}

} // namespace vigil::alert
