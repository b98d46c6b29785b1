#include "api/http_router.hpp"

#include "core/json_writer.hpp"

namespace vigil::api {

void http_router::add(const std::string& method, const std::string& path, handler h) {
    routes_[path][method] = std::move(h);
}

http_reply http_router::dispatch(const http_request& request) const {
    auto path = routes_.find(request.path);
    if (path == routes_.end()) {
        return error(404, "no such endpoint: " + request.path);
    }
    auto method = path->second.find(request.method);
    if (method == path->second.end()) {
        std::string allow;
        for (const auto& [name, h] : path->second) {
            allow += allow.empty() ? name : ", " + name;
        }
        http_reply reply = error(405, request.method + " is not allowed on " + request.path);
        reply.headers.emplace_back("Allow", allow);
        return reply;
    }
    return method->second(request);
}

http_reply http_router::error(unsigned status, std::string_view reason) {
    http_reply reply;
    reply.status = status;
    core::json_writer w(reply.body);
    w.begin_object().field("error", reason).end_object();
    reply.body += '\n';
    return reply;
}

} // namespace vigil::api
