#pragma once

#include "core/raw_record.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::api {

struct http_request {
    std::string method;
    std::string path;  // without the query string
    std::string query; // after '?', undecoded
    std::string body;
    // Header fields with lower-case names, in the order received.
    std::vector<std::pair<std::string, std::string>> headers;
    core::peer_address peer;
    // The last segment of the path when the route ends in "/{name}" ("/api/v1/alerts/{id}").
    std::string path_parameter;

    // The first value of a header field (name in lower case), or empty.
    [[nodiscard]] std::string_view header(std::string_view name) const {
        for (const auto& [n, v] : headers) {
            if (n == name) {
                return v;
            }
        }
        return {};
    }
};

// The query string's name=value pairs in order, percent-decoded ('+' is a space); a name
// without '=' has an empty value. Malformed escapes are kept as they are.
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
query_parameters(std::string_view query);

struct http_reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Who may call a route (access_policy decides).
enum class access {
    open,    // GET /healthz, and ingest routes (which check their own tokens)
    read,    // GET /api/v1/...: api_read_token or api_write_token
    write,   // POST /api/v1/...: api_write_token
    metrics, // GET /metrics: metrics_token
    alerts,  // GET /api/v1/alerts..., /api/v1/reports: as read, and tenants' read tokens
             // (which see their own)
};

// Maps "METHOD /path" to a handler. Built once at start-up, then read-only. Handlers run on the
// I/O thread and must be quick; a handler whose answer takes long (a rule reload) is added with
// add_async and answers later, from any thread, through its responder.
class http_router {
public:
    using handler = std::function<http_reply(const http_request&)>;
    using responder = std::function<void(http_reply)>;
    using async_handler = std::function<void(const http_request&, responder)>;
    // Nothing to let a request through to its route; the refusal otherwise.
    using guard = std::function<std::optional<http_reply>(const http_request&, access)>;

    // `path` may end in one "/{name}" segment: it then matches any last segment, which the
    // handler finds in request.path_parameter (exact paths are tried first).
    void add(const std::string& method, const std::string& path, handler h,
             access need = access::open);
    void add_async(const std::string& method, const std::string& path, async_handler h,
                   access need = access::open);
    // Asked before every route that is not `open`.
    void set_guard(guard g) { guard_ = std::move(g); }

    // Calls `respond` exactly once with the handler's reply; 404 for an unknown path, 405 (with
    // Allow) for a known path with another method; the guard's refusal.
    void dispatch(const http_request& request, responder respond) const;
    // For synchronous handlers only (tests, simple callers).
    [[nodiscard]] http_reply dispatch(const http_request& request) const;

    // A JSON error reply: {"error": reason}.
    [[nodiscard]] static http_reply error(unsigned status, std::string_view reason);

private:
    struct route {
        async_handler handle;
        access need = access::open;
    };
    void dispatch_to(const std::map<std::string, route>& methods, const http_request& request,
                     responder respond) const;
    std::map<std::string, std::map<std::string, route>> routes_; // path -> method -> route
    guard guard_;
};

} // namespace vigil::api
