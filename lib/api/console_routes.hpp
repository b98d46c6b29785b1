#pragma once

#include "api/http_router.hpp"

namespace vigil::api {

// Registers the web console (lib/api/console, embedded): GET / (the page) and
// GET /console/{file} (its script and style sheet). Open routes: the files hold no data; the
// console reads everything through the API with the token the analyst signs in with. Every
// answer carries a Content-Security-Policy that allows scripts and styles from vigild only (no
// inline script, no other origin), no framing, and X-Content-Type-Options: nosniff.
void add_console_routes(http_router& router);

// The policy the console's files are served with.
[[nodiscard]] std::string_view console_security_policy();

} // namespace vigil::api
