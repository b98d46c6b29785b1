#pragma once

#include <string_view>
#include <vector>

namespace vigil::api {

// A static file of the web console (lib/api/console), embedded in the binary at build time
// (cmake/embed_files.cmake).
struct console_file {
    std::string_view name; // "index.html", "console.js", "console.css"
    std::string_view bytes;
};

[[nodiscard]] const std::vector<console_file>& console_files();

} // namespace vigil::api
