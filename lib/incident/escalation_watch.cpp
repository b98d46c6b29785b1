#include "incident/escalation_watch.hpp"

#include "core/civil_time.hpp"
#include "core/hash.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"

#include <simdjson.h>

namespace vigil::incident {
namespace {

constexpr std::size_t deadlines_per_pass = 1000;

} // namespace

std::optional<alert::alert> make_escalation(std::string_view document, alert::incident_part& part,
                                            alert::deadline_kind kind, std::int64_t due_ms,
                                            std::int64_t now_ns) {
    const std::string_view deadline = alert::to_string(kind);
    const auto outcome = kind == alert::deadline_kind::notify ? part.notify : part.contain;
    if (outcome != alert::sla_outcome::pending) {
        return std::nullopt;
    }
    for (const auto& e : part.escalations) {
        if (e.deadline == deadline) {
            return std::nullopt;
        }
    }
    simdjson::dom::parser parser;
    simdjson::dom::object original;
    if (parser.parse(document.data(), document.size()).get(original)) {
        return std::nullopt;
    }
    std::string_view original_id;
    if (original["id"].get(original_id)) {
        return std::nullopt;
    }
    alert::alert out;
    out.escalation = true;
    out.created_ns = now_ns;
    out.grade = part.grade;
    out.id = core::ulid::derived(now_ns / 1'000'000, core::stable_hash(original_id),
                                 core::stable_hash(deadline));
    core::json_writer w(out.json);
    w.begin_object();
    w.field("id", out.id.to_string());
    std::string_view text;
    if (!original["tenant"].get(text)) {
        w.field("tenant", text);
    }
    w.key("rule").raw(simdjson::minify(original["rule"]));
    w.field("created_at", core::rfc3339(now_ns).view());
    w.field("received_at", core::rfc3339(now_ns).view());
    if (!original["host"].get(text)) {
        w.field("host", text);
    }
    w.key("escalation").begin_object();
    w.field("alert", original_id);
    w.field("deadline", deadline);
    w.field("due", core::rfc3339(due_ms * 1'000'000).view());
    w.field("status", part.status);
    w.end_object();
    for (const char* member : {"key", "count", "first_seen", "last_seen", "evidence"}) {
        simdjson::dom::element value;
        if (!original[member].get(value)) {
            w.key(member).raw(simdjson::minify(value));
        }
    }
    w.end_object();
    // The escalation's incident part: the original's grade, asset and deadlines; no history.
    alert::incident_part own;
    own.grade = part.grade;
    own.response_level = part.response_level;
    own.asset = part.asset;
    own.notify_by_ns = part.notify_by_ns;
    own.contain_by_ns = part.contain_by_ns;
    alert::append_incident_part(out.json, own);
    alert::index_alert(out);
    part.escalations.push_back(
        {std::string(deadline), now_ns / 1'000'000 * 1'000'000, out.id.to_string()});
    return out;
}

escalation_watch::escalation_watch(alert::alert_store& store, const core::clock& clock,
                                   core::metrics_registry& metrics, std::int64_t interval_ns)
    : store_(store), clock_(clock),
      notify_(metrics.make_counter("vigil_escalations_total",
                                   "SLA deadlines missed and escalated, by deadline.",
                                   {{"deadline", "notify"}})),
      contain_(metrics.make_counter("vigil_escalations_total",
                                    "SLA deadlines missed and escalated, by deadline.",
                                    {{"deadline", "contain"}})),
      task_(interval_ns, [this] { (void)pass(); }) {}

std::size_t escalation_watch::pass() {
    const std::int64_t now_ns = clock_.now_ns();
    auto due = store_.due_deadlines(now_ns / 1'000'000, deadlines_per_pass);
    if (!due) {
        core::log_warning("escalation: " + due.error());
        return 0;
    }
    std::size_t escalated = 0;
    for (const auto& d : *due) {
        auto made = store_.escalate(d, [&](std::string_view document, alert::incident_part& part) {
            return make_escalation(document, part, d.kind, d.due_ms, now_ns);
        });
        if (!made) {
            core::log_warning("escalation of alert " + d.alert_id + ": " + made.error());
            continue;
        }
        if (*made) {
            ++escalated;
            (d.kind == alert::deadline_kind::notify ? notify_ : contain_).add();
            core::log_warning("alert " + d.alert_id + " missed its " +
                              std::string(alert::to_string(d.kind)) + " deadline (" +
                              core::format_rfc3339(d.due_ms * 1'000'000) + "): escalated as " +
                              (*made)->id.to_string());
        }
    }
    return escalated;
}

} // namespace vigil::incident
