#include "api/http_router.hpp"

#include "core/json_writer.hpp"

#include <optional>

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

namespace {

// The segment of `path` that the "{name}" segment of `pattern` stands for, if the rest of the
// two are the same ("/api/v1/alerts/{id}/status" and "/api/v1/alerts/01K.../status").
std::optional<std::string_view> fitting_segment(std::string_view pattern, std::string_view path) {
    const auto open = pattern.find('{');
    const auto close = pattern.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
        return std::nullopt;
    }
    const auto prefix = pattern.substr(0, open);
    const auto suffix = pattern.substr(close + 1);
    if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) ||
        !path.ends_with(suffix)) {
        return std::nullopt;
    }
    const auto segment = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (segment.find('/') != std::string_view::npos) {
        return std::nullopt;
    }
    return segment;
}

} // namespace

void http_router::dispatch(const http_request& request, responder respond) const {
    auto path = routes_.find(request.path);
    if (path == routes_.end()) {
        // A route with one "{name}" segment that stands for the path's segment there.
        for (const auto& [pattern, methods] : routes_) {
            if (auto parameter = fitting_segment(pattern, request.path)) {
                http_request with_parameter = request;
                with_parameter.path_parameter = std::string(*parameter);
                dispatch_to(methods, with_parameter, std::move(respond));
                return;
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
