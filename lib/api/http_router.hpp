#pragma once

#include "core/raw_record.hpp"

#include <functional>
#include <map>
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

struct http_reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Maps "METHOD /path" to a handler. Built once at start-up, then read-only. Handlers run on the
// I/O thread and must be quick; a handler whose answer takes long (a rule reload) is added with
// add_async and answers later, from any thread, through its responder.
class http_router {
public:
    using handler = std::function<http_reply(const http_request&)>;
    using responder = std::function<void(http_reply)>;
    using async_handler = std::function<void(const http_request&, responder)>;

    void add(const std::string& method, const std::string& path, handler h);
    void add_async(const std::string& method, const std::string& path, async_handler h);

    // Calls `respond` exactly once with the handler's reply; 404 for an unknown path, 405 (with
    // Allow) for a known path with another method.
    void dispatch(const http_request& request, responder respond) const;
    // For synchronous handlers only (tests, simple callers).
    [[nodiscard]] http_reply dispatch(const http_request& request) const;

    // A JSON error reply: {"error": reason}.
    [[nodiscard]] static http_reply error(unsigned status, std::string_view reason);

private:
    std::map<std::string, std::map<std::string, async_handler>>
        routes_; // path -> method -> handler
};

} // namespace vigil::api
