#include "api/access_policy.hpp"

#include "core/credentials.hpp"

#include <algorithm>

namespace vigil::api {

namespace {

const char* access_name(access a) {
    switch (a) {
    case access::read:
        return "read";
    case access::write:
        return "write";
    case access::metrics:
        return "metrics";
    case access::alerts:
        return "alerts";
    case access::open:
        break;
    }
    return "open";
}

const char* key_name(access a) {
    switch (a) {
    case access::read:
        return "http.api_read_token";
    case access::write:
        return "http.api_write_token";
    case access::metrics:
        return "http.metrics_token";
    case access::alerts:
        return "http.api_read_token";
    case access::open:
        break;
    }
    return "";
}

} // namespace

access_policy::access_policy(access_tokens tokens, core::metrics_registry& metrics)
    : tokens_(std::move(tokens)) {
    for (access a : {access::read, access::write, access::metrics, access::alerts}) {
        const char* reasons[] = {"missing_token", "wrong_token", "not_configured", "tenant_token"};
        for (int r = 0; r < reason_count; ++r) {
            refused_[static_cast<std::size_t>(a) - 1][static_cast<std::size_t>(r)] =
                &metrics.make_counter("vigil_api_requests_refused_total",
                                      "Control-plane requests refused for their token, by the "
                                      "access the route needs and the reason.",
                                      {{"access", access_name(a)}, {"reason", reasons[r]}});
        }
    }
}

std::optional<http_reply> access_policy::check(const http_request& request, access need) const {
    if (need == access::open || !tokens_.any_set) {
        return std::nullopt;
    }
    auto& counters = refused_[static_cast<std::size_t>(need) - 1];
    // The tokens that open this route: write opens reads too.
    const std::string* accepted[2] = {nullptr, nullptr};
    switch (need) {
    case access::read:
    case access::alerts:
        accepted[0] = &tokens_.read;
        accepted[1] = &tokens_.write;
        break;
    case access::write:
        accepted[0] = &tokens_.write;
        break;
    case access::metrics:
        accepted[0] = &tokens_.metrics;
        break;
    case access::open:
        break;
    }
    const bool tenants = need == access::alerts && !tokens_.tenant_read.empty();
    const bool configured =
        tenants || std::any_of(std::begin(accepted), std::end(accepted),
                               [](const std::string* t) { return t && !t->empty(); });
    if (!configured) {
        counters[not_configured]->add();
        return http_router::error(403, std::string("tokens are in use and this route needs ") +
                                           key_name(need) + ", which is not set");
    }
    const auto token = core::credential(request.header("authorization"), "Bearer");
    bool match = false;
    bool tenant_read = false; // the token is one of the tenants' read tokens
    if (token) {
        for (const std::string* t : accepted) {
            // Each configured token is compared in full, whether an earlier one matched or not.
            if (t != nullptr && !t->empty()) {
                match = core::constant_time_equal(*token, *t) || match;
            }
        }
        for (const std::string& t : tokens_.tenant_read) {
            tenant_read = core::constant_time_equal(*token, t) || tenant_read;
        }
    }
    if (match || (tenants && tenant_read)) {
        return std::nullopt;
    }
    if (tenant_read) {
        // Known, but not for this route: refused as forbidden, not as unauthenticated, so a
        // client (the console) keeps its sign-in and tells the user what the token cannot do.
        counters[tenant_token]->add();
        return http_router::error(403, "a tenant's read token opens only the alert and report "
                                       "routes");
    }
    counters[token ? wrong_token : missing_token]->add();
    auto reply = http_router::error(401, token ? "invalid token" : "a Bearer token is required");
    reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
    return reply;
}

} // namespace vigil::api
