#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace vigil::core {

enum class log_level { debug, info, warning, error };

// Writes one line to stderr: "<UTC time> <level>: <message>". Thread-safe; meant for the control
// plane and for rate-limited warnings from the data plane.
void log(log_level level, std::string_view message);
inline void log_info(std::string_view message) {
    log(log_level::info, message);
}
inline void log_warning(std::string_view message) {
    log(log_level::warning, message);
}
inline void log_error(std::string_view message) {
    log(log_level::error, message);
}

// Lines below this level are dropped. Default: info.
void set_log_level(log_level level);

// Lets at most `burst` messages through per `interval_ns`, and says how many it held back in the
// next message it lets through. Used where every bad record could otherwise flood the log; the
// records themselves are counted by their stage's probe.
class rate_limited_log {
public:
    rate_limited_log(std::uint32_t burst, std::int64_t interval_ns)
        : burst_(burst), interval_ns_(interval_ns) {}

    void warning(std::int64_t now_ns, std::string_view message);

private:
    const std::uint32_t burst_;
    const std::int64_t interval_ns_;
    std::atomic<std::int64_t> window_start_{0};
    std::atomic<std::uint32_t> in_window_{0};
    std::atomic<std::uint64_t> suppressed_{0};
};

} // namespace vigil::core
