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

std::vector<std::pair<std::string, std::string>> query_parameters(std::string_view query) {
    auto decode = [](std::string_view text) {
        std::string out;
        out.reserve(text.size());
        auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            c = static_cast<char>(c | 0x20);
            return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        };
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '+') {
                out += ' ';
            } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
                       hex(text[i + 2]) >= 0) {
                out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
                i += 2;
            } else {
                out += text[i];
            }
        }
        return out;
    };
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const auto eq = pair.find('=');
        out.emplace_back(decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                         ? std::string()
                                                         : decode(pair.substr(eq + 1)));
    }
    return out;
}

void http_router::dispatch(const http_request& request, responder respond) const {
    auto path = routes_.find(request.path);
    if (path == routes_.end()) {
        // A route ending in "/{name}" whose prefix is the path's up to its last segment.
        const auto slash = request.path.rfind('/');
        if (slash != std::string::npos && slash + 1 < request.path.size()) {
            const std::string prefix = request.path.substr(0, slash + 1) + "{";
            for (auto it = routes_.lower_bound(prefix);
                 it != routes_.end() && it->first.starts_with(prefix); ++it) {
                if (it->first.ends_with("}") &&
                    it->first.find('/', prefix.size()) == std::string::npos) {
                    http_request with_parameter = request;
                    with_parameter.path_parameter = request.path.substr(slash + 1);
                    dispatch_to(it->second, with_parameter, std::move(respond));
                    return;
                }
            }
        }
        respond(error(404, "no such endpoint: " + request.path));
        return;
    }
    dispatch_to(path->second, request, std::move(respond));
}

void http_router::dispatch_to(const std::map<std::string, route>& methods,
                              const http_request& request, responder respond) const {
    auto method = methods.find(request.method);
    if (method == methods.end()) {
        std::string allow;
        for (const auto& [name, h] : methods) {
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
