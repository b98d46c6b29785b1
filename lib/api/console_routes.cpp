#include "api/console_routes.hpp"

#include "api/console_files.hpp"

namespace vigil::api {
namespace {

std::string_view media_type_of(std::string_view name) {
    if (name.ends_with(".html")) {
        return "text/html; charset=utf-8";
    }
    if (name.ends_with(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (name.ends_with(".css")) {
        return "text/css; charset=utf-8";
    }
    if (name.ends_with(".svg")) {
        return "image/svg+xml";
    }
    return "application/octet-stream";
}

http_reply file_reply(std::string_view name) {
    for (const auto& f : console_files()) {
        if (f.name != name) {
            continue;
        }
        http_reply reply;
        reply.content_type = media_type_of(name);
        reply.body = f.bytes;
        reply.headers = {{"Content-Security-Policy", std::string(console_security_policy())},
                         {"X-Content-Type-Options", "nosniff"},
                         {"Referrer-Policy", "no-referrer"},
                         {"Cache-Control", "no-cache"}};
        return reply;
    }
    return http_router::error(404, "no console file " + std::string(name));
}

} // namespace

std::string_view console_security_policy() {
    return "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
           "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

void add_console_routes(http_router& router) {
    router.add(
        "GET", "/", [](const http_request&) { return file_reply("index.html"); }, access::open);
    router.add(
        "GET", "/console/{file}",
        [](const http_request& request) { return file_reply(request.path_parameter); },
        access::open);
}

} // namespace vigil::api
