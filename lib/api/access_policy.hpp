#pragma once

#include "api/http_router.hpp"
#include "core/metrics.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace vigil::api {

struct access_tokens {
    std::string read;
    std::string write;
    std::string metrics;
    // Any token of the daemon is set, ingest ones included: then no route but `open` ones
    // answers without its token (a route whose token is not set refuses, saying which key).
    bool any_set = false;
    std::vector<std::string> tenant_read; // tenants' read tokens: open access::alerts only
};

// The tokens of the control plane, checked before a route's handler runs: "Authorization:
// Bearer <token>", compared in constant time. With no token set at all (the default, listening
// on 127.0.0.1) everything is open. Refusals: 401 with WWW-Authenticate for a missing or wrong
// token, 403 when the route's token is not configured or the token is a tenant's read token
// and the route is not an alert route; counted in
// vigil_api_requests_refused_total{access,reason}. Thread-safe (read-only after construction).
class access_policy {
public:
    access_policy(access_tokens tokens, core::metrics_registry& metrics);

    // Nothing when the request may go on; the refusal otherwise.
    [[nodiscard]] std::optional<http_reply> check(const http_request& request, access need) const;

private:
    enum reason { missing_token, wrong_token, not_configured, tenant_token, reason_count };
    access_tokens tokens_;
    // [access - 1][reason]
    std::array<std::array<core::counter*, reason_count>, 4> refused_{};
};

} // namespace vigil::api
