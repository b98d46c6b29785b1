#pragma once

#include "alert/alert_store.hpp"
#include "api/access_policy.hpp"
#include "api/health.hpp"
#include "api/http_router.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "incident/tenant_map.hpp"
#include "ingest/http_ingest.hpp"
#include "pipeline/pipeline.hpp"

#include <functional>
#include <string>

namespace vigil::api {

// A rule reload as the control plane sees it: whether the new set was published, and what the
// reload did as a JSON object.
struct reload_answer {
    bool published = false;
    std::string json;
};

// What the control plane reports on and acts through. The rules reloader belongs to the daemon;
// the control plane reaches it through these two functions.
struct control_plane_parts {
    const health& readiness;
    core::metrics_registry& metrics;
    const pipeline::pipeline& pipeline;
    const core::clock& clock;
    alert::alert_store& alerts;
    std::function<std::string()> last_reload;                       // JSON of the last reload
    std::function<void(std::function<void(reload_answer)>)> reload; // answers when done
    // Runs work off the I/O thread (alert queries read RocksDB: up to a page's budget of
    // lookups, which must not hold up ingest).
    std::function<void(std::function<void()>)> off_io;
    // The tenants (null: none): a tenant's read token sees only that tenant's alerts.
    std::shared_ptr<const incident::tenant_map> tenants;
};

// Registers the control plane (ARCHITECTURE.md, "Control plane") on `router`, guarded by
// `access`: GET /healthz (open), GET /metrics (metrics token), GET /api/v1/rules and
// GET /api/v1/coverage, GET /api/v1/health (the console's health panel), GET /api/v1/alerts (the
// query of `vigil alerts`) and GET /api/v1/alerts/{id} and GET /api/v1/reports (the report of
// `vigil report`) (read token, or a tenant's for its own), POST /api/v1/alerts/{id}/status (write
// token; a lifecycle step: 200 with the alert, 409 refused with the reason), POST
// /api/v1/rules/reload (write token; 200 published, 422 refused). `access` and `parts` must outlive
// the router.
void add_control_plane(http_router& router, const access_policy& access,
                       const control_plane_parts& parts);

// Registers HTTP ingest: POST /ingest and the HEC paths. The handlers run on the I/O thread, the
// pipeline's single producer. `ingest` must outlive the router.
void add_ingest_routes(http_router& router, ingest::http_ingest& ingest);

} // namespace vigil::api
