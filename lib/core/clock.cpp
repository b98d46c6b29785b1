#include "core/clock.hpp"

#include <chrono>

namespace vigil::core {

std::int64_t system_clock::now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const system_clock& system_clock::instance() {
    static const system_clock clock;
    return clock;
}

} // namespace vigil::core
