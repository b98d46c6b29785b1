#include "api/control_plane.hpp"

#include "alert/alert_terms.hpp"
#include "api/health_summary.hpp"
#include "api/prometheus_text.hpp"
#include "core/credentials.hpp"
#include "core/json_writer.hpp"
#include "incident/lifecycle.hpp"
#include "pipeline/coverage_report.hpp"
#include "report/report_request.hpp"

#include <simdjson.h>

namespace vigil::api {

namespace {

// The running rule set: each rule, what kind it is and whether it raises alerts of its own (a
// rule a correlation refers to, without `generate`, only feeds it), and what the last reload did.
std::string rules_json(const rules::rule_set& running, const std::string& last_reload) {
    std::string out;
    core::json_writer w(out);
    w.begin_object().field("version", running.version());
    w.field("loaded", static_cast<std::uint64_t>(running.rules().size()));
    w.key("last_reload").raw(last_reload);
    w.key("rules").begin_array();
    const auto& correlations = running.correlations();
    for (std::uint32_t r = 0; r < running.rules().size(); ++r) {
        const auto& rule = running.rules()[r];
        w.begin_object().field("id", rule.id).field("title", rule.title).field("level", rule.level);
        if (!rule.name.empty()) {
            w.field("name", rule.name);
        }
        bool alerts = correlations.alerts(r);
        if (rule.correlation) {
            for (const auto& c : correlations.correlations()) {
                if (c.rule == r) {
                    w.field("correlation", rules::to_string(c.type));
                    alerts = c.alerts;
                }
            }
        }
        w.field("alerts", alerts);
        w.field("file", rule.file).end_object();
    }
    w.end_array().end_object();
    out += '\n';
    return out;
}

http_reply body_reply(std::string body, unsigned status = 200) {
    http_reply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
}

// The tenant the request's read token is bound to, if it is a tenant's token.
std::optional<std::string> bound_tenant(const control_plane_parts& parts,
                                        const http_request& request) {
    const auto token = core::credential(request.header("authorization"), "Bearer");
    if (!parts.tenants || !token) {
        return std::nullopt;
    }
    auto tenant = parts.tenants->of_read_token(*token);
    return tenant ? std::optional<std::string>(*tenant) : std::nullopt;
}

// GET /api/v1/alerts?since=..&level=..: one page, {"alerts": [...], "next_cursor": id or null}.
// A tenant's token sees its tenant's alerts only.
http_reply alerts_page(const alert::alert_store& store, const http_request& request,
                       std::int64_t now_ms, const std::optional<std::string>& tenant) {
    auto query = alert::read_alert_query(query_parameters(request.query), now_ms);
    if (!query) {
        return http_router::error(400, query.error());
    }
    if (tenant) {
        if (query->tenant && *query->tenant != *tenant) {
            return http_router::error(403,
                                      "this token sees the alerts of tenant " + *tenant + " only");
        }
        query->tenant = tenant;
    }
    auto page = store.list(*query);
    if (!page) {
        return http_router::error(500, page.error());
    }
    std::string out;
    out.reserve(64 + page->alerts.size() * 1024);
    core::json_writer w(out);
    w.begin_object().key("alerts").begin_array();
    for (const auto& alert : page->alerts) {
        w.raw(alert);
    }
    w.end_array().key("next_cursor");
    if (page->next_cursor) {
        w.value(*page->next_cursor);
    } else {
        w.raw("null");
    }
    w.end_object();
    out += '\n';
    return body_reply(std::move(out));
}

// GET /api/v1/alerts/{id}: the alert with its evidence (the events it was raised on); for a
// tenant's token, only an alert of that tenant (another's is not found).
http_reply one_alert(const alert::alert_store& store, const http_request& request,
                     const std::optional<std::string>& tenant) {
    const auto id = core::ulid::parse(request.path_parameter);
    if (!id) {
        return http_router::error(400, "'" + request.path_parameter + "' is not an alert id");
    }
    auto found = store.find(id->to_string());
    if (!found) {
        return http_router::error(500, found.error());
    }
    const bool other_tenant =
        tenant && *found &&
        alert::read_alert_terms(**found).value_or(alert::alert_terms{}).tenant != *tenant;
    if (!*found || other_tenant) {
        return http_router::error(404, "no alert " + id->to_string());
    }
    return body_reply(std::move(**found) + "\n");
}

// GET /api/v1/reports?period=week&until=..&tenant=..&format=json|md|html: the report of
// `vigil report`, built by the same code. A tenant's token gets its tenant's report only. The
// HTML page runs no script and loads nothing: its policy says so.
http_reply report_reply(const alert::alert_store& store, const http_request& request,
                        std::int64_t now_ms, const std::optional<std::string>& tenant) {
    auto asked = report::read_report_request(query_parameters(request.query), now_ms,
                                             report::report_format::json);
    if (!asked) {
        return http_router::error(400, asked.error());
    }
    if (tenant) {
        if (asked->tenant && *asked->tenant != *tenant) {
            return http_router::error(403,
                                      "this token sees the reports of tenant " + *tenant + " only");
        }
        asked->tenant = tenant;
    }
    auto built = report::build_report(store, asked->tenant, asked->period, now_ms);
    if (!built) {
        return http_router::error(500, built.error());
    }
    http_reply reply = body_reply(report::render(*built, asked->format));
    reply.content_type = report::media_type(asked->format);
    if (asked->format == report::report_format::html) {
        reply.headers.emplace_back("Content-Security-Policy",
                                   "default-src 'none'; style-src 'unsafe-inline'; "
                                   "base-uri 'none'; form-action 'none'");
    }
    return reply;
}

// POST /api/v1/alerts/{id}/status with {"status": S, "note": N, "actor": A}: one lifecycle
// step (incident::change_status); answers the alert as it now is, 409 with the reason when the
// step is not allowed.
http_reply change_status(alert::alert_store& store, const http_request& request,
                         std::int64_t now_ns) {
    const auto id = core::ulid::parse(request.path_parameter);
    if (!id) {
        return http_router::error(400, "'" + request.path_parameter + "' is not an alert id");
    }
    incident::status_change change;
    change.actor = "api";
    change.at_ns = now_ns;
    simdjson::dom::parser parser;
    simdjson::dom::object body;
    if (parser.parse(request.body).get(body)) {
        return http_router::error(400, "the body must be a JSON object {\"status\": ..., "
                                       "\"note\": ..., \"actor\": ...}");
    }
    for (auto [key, value] : body) {
        std::string_view text;
        if (key != "status" && key != "note" && key != "actor") {
            return http_router::error(400, "unknown member '" + std::string(key) +
                                               "' (known: status, note, actor)");
        }
        if (value.get(text)) {
            return http_router::error(400, "'" + std::string(key) + "' must be a string");
        }
        (key == "status" ? change.to : key == "note" ? change.note : change.actor) = text;
    }
    if (change.to.empty()) {
        return http_router::error(400, "the body needs a 'status'");
    }
    auto changed = store.change_incident(id->to_string(), [&change](alert::incident_part& part) {
        return incident::change_status(part, change);
    });
    if (!changed) {
        const bool refused =
            changed.error().why == alert::alert_store::change_error::kind::rejected;
        return http_router::error(refused ? 409 : 500, changed.error().reason);
    }
    if (!*changed) {
        return http_router::error(404, "no alert " + id->to_string());
    }
    return body_reply(std::move(**changed) + "\n");
}

// GET /api/v1/webhooks/dead: {"dead": [...]} (alert::outbox::dead).
http_reply dead_deliveries(const alert::alert_store& store) {
    auto dead = store.dead_deliveries();
    if (!dead) {
        return http_router::error(500, dead.error());
    }
    std::string out;
    core::json_writer w(out);
    w.begin_object().key("dead").begin_array();
    for (const auto& d : *dead) {
        w.raw(d);
    }
    w.end_array().end_object();
    out += '\n';
    return body_reply(std::move(out));
}

// POST /api/v1/webhooks/retry[?destination=NAME]: {"queued": n}.
http_reply retry_dead(alert::alert_store& store, const http_request& request, std::int64_t now_ms) {
    std::optional<std::string> destination;
    for (const auto& [name, value] : query_parameters(request.query)) {
        if (name != "destination") {
            return http_router::error(400, "unknown parameter '" + name + "' (known: destination)");
        }
        destination = value;
    }
    auto* outbox = store.deliveries();
    if (outbox == nullptr) {
        return http_router::error(500, "the alert store has no outbox");
    }
    auto queued = outbox->retry_dead(destination, now_ms);
    if (!queued) {
        return http_router::error(500, queued.error());
    }
    std::string out;
    core::json_writer w(out);
    w.begin_object().field("queued", *queued).end_object();
    out += '\n';
    return body_reply(std::move(out));
}

} // namespace

void add_control_plane(http_router& router, const access_policy& access,
                       const control_plane_parts& parts) {
    router.set_guard([&access](const http_request& request, api::access need) {
        return access.check(request, need);
    });
    router.add("GET", "/healthz", [&parts](const http_request&) {
        return body_reply(parts.readiness.to_json(), parts.readiness.ready() ? 200U : 503U);
    });
    router.add(
        "GET", "/metrics",
        [&parts](const http_request&) {
            auto reply = body_reply(render_prometheus(parts.metrics));
            reply.content_type = "text/plain; version=0.0.4";
            return reply;
        },
        api::access::metrics);
    router.add(
        "GET", "/api/v1/health",
        [&parts](const http_request&) {
            return body_reply(
                health_summary_json(parts.metrics, parts.readiness, parts.clock.now_ms()));
        },
        api::access::read);
    router.add(
        "GET", "/api/v1/rules",
        [&parts](const http_request&) {
            return body_reply(rules_json(*parts.pipeline.current_rules(), parts.last_reload()));
        },
        api::access::read);
    router.add(
        "GET", "/api/v1/coverage",
        [&parts](const http_request&) {
            return body_reply(pipeline::coverage_json(
                *parts.pipeline.current_rules(), &parts.pipeline.traffic(), parts.clock.now_ns()));
        },
        api::access::read);
    // Store reads answer from parts.off_io (the request is copied: it lives on the I/O thread).
    auto off_io = [&parts](auto answer) {
        return [&parts, answer](const http_request& request, http_router::responder respond) {
            parts.off_io([&parts, answer, request, respond = std::move(respond)] {
                respond(answer(parts, request));
            });
        };
    };
    router.add_async("GET", "/api/v1/alerts",
                     off_io([](const control_plane_parts& p, const http_request& request) {
                         return alerts_page(p.alerts, request, p.clock.now_ms(),
                                            bound_tenant(p, request));
                     }),
                     api::access::alerts);
    router.add_async("GET", "/api/v1/alerts/{id}",
                     off_io([](const control_plane_parts& p, const http_request& request) {
                         return one_alert(p.alerts, request, bound_tenant(p, request));
                     }),
                     api::access::alerts);
    router.add_async("GET", "/api/v1/reports",
                     off_io([](const control_plane_parts& p, const http_request& request) {
                         return report_reply(p.alerts, request, p.clock.now_ms(),
                                             bound_tenant(p, request));
                     }),
                     api::access::alerts);
    router.add_async("POST", "/api/v1/alerts/{id}/status",
                     off_io([](const control_plane_parts& p, const http_request& request) {
                         return change_status(p.alerts, request, p.clock.now_ns());
                     }),
                     api::access::write);
    router.add(
        "GET", "/api/v1/webhooks/dead",
        [&parts](const http_request&) { return dead_deliveries(parts.alerts); }, api::access::read);
    router.add(
        "POST", "/api/v1/webhooks/retry",
        [&parts](const http_request& request) {
            return retry_dead(parts.alerts, request, parts.clock.now_ms());
        },
        api::access::write);
    router.add_async(
        "POST", "/api/v1/rules/reload",
        [&parts](const http_request&, http_router::responder respond) {
            parts.reload([respond](reload_answer answer) {
                respond(body_reply(std::move(answer.json) + "\n", answer.published ? 200U : 422U));
            });
        },
        api::access::write);
}

void add_ingest_routes(http_router& router, ingest::http_ingest& ingest) {
    auto route = [&ingest](auto handle) {
        return [&ingest, handle](const http_request& request, http_router::responder respond) {
            const ingest::http_ingest_request in{request.header("authorization"),
                                                 request.header("content-encoding"), request.body,
                                                 request.peer};
            (ingest.*handle)(in, [respond](ingest::http_ingest_reply out) {
                http_reply reply;
                reply.status = out.status;
                reply.body = std::move(out.body);
                reply.headers = std::move(out.headers);
                respond(std::move(reply));
            });
        };
    };
    router.add_async("POST", "/ingest", route(&ingest::http_ingest::ingest));
    // HEC clients use any of these paths for JSON events.
    for (const char* path :
         {"/services/collector/event", "/services/collector/event/1.0", "/services/collector"}) {
        router.add_async("POST", path, route(&ingest::http_ingest::hec_event));
    }
}

} // namespace vigil::api
