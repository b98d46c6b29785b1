#include "api/http_router.hpp"

#include "core/json_writer.hpp"

namespace vigil::api {

void http_router::add(const std::string& method, const std::string& path, handler h, access need) {
    add_async(
        method, path,
        [h = std::move(h)](const http_request& request, responder respond) { respond(h(request)); },
        need);
}

void http_router::add_async(const std::string& method, const std::string& path, async_handler h,
                            access need) {
    routes_[path][method] = route{std::move(h), need};
}

void http_router::dispatch(const http_request& request, responder respond) const {
    auto path = routes_.find(request.path);
    if (path == routes_.end()) {
        respond(error(404, "no such endpoint: " + request.path));
        return;
    }
    auto method = path->second.find(request.method);
    if (method == path->second.end()) {
        std::string allow;
        for (const auto& [name, h] : path->second) {
            allow += allow.empty() ? name : ", " + name;
        }
        http_reply reply = error(405, request.method + " is not allowed on " + request.path);
        reply.headers.emplace_back("Allow", allow);
        respond(std::move(reply));
        return;
    }
    if (method->second.need != access::open && guard_) {
        if (auto refused = guard_(request, method->second.need)) {
            respond(std::move(*refused));
            return;
        }
    }
    method->second.handle(request, std::move(respond));
}

http_reply http_router::dispatch(const http_request& request) const {
    http_reply out;
    dispatch(request, [&](http_reply reply) { out = std::move(reply); });
    return out;
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
