#pragma once

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
};

struct http_reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Maps "METHOD /path" to a handler. Built once at start-up, then read-only; handlers run on the
// I/O thread and must be quick.
class http_router {
public:
    using handler = std::function<http_reply(const http_request&)>;

    void add(const std::string& method, const std::string& path, handler h);

    // The handler's reply; 404 for an unknown path, 405 (with Allow) for a known path with
    // another method.
    [[nodiscard]] http_reply dispatch(const http_request& request) const;

    // A JSON error reply: {"error": reason}.
    [[nodiscard]] static http_reply error(unsigned status, std::string_view reason);

private:
    std::map<std::string, std::map<std::string, handler>> routes_; // path -> method -> handler
};

} // namespace vigil::api
