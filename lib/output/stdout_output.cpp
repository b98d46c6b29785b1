#include "output/stdout_output.hpp"

#include <string>

namespace vigil::output {

void stdout_output::deliver(std::span<const alert::alert> alerts) {
    std::string lines;
    for (const auto& a : alerts) {
        lines += a.json;
        lines += '\n';
    }
    std::fwrite(lines.data(), 1, lines.size(), stream_);
    std::fflush(stream_);
}

} // namespace vigil::output
