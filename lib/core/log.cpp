#include "core/log.hpp"

#include "core/civil_time.hpp"
#include "core/clock.hpp"

#include <mutex>
#include <string>
#include <unistd.h>

namespace vigil::core {
namespace {

std::mutex log_mutex;
std::atomic<log_level> minimum_level{log_level::info};

std::string_view level_name(log_level level) {
    switch (level) {
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::warning:
        return "warning";
    case log_level::error:
        return "error";
    }
    return "info";
}

} // namespace

void set_log_level(log_level level) {
    minimum_level.store(level);
}

void log(log_level level, std::string_view message) {
    if (level < minimum_level.load(std::memory_order_relaxed)) {
        return;
    }
    std::string line = format_rfc3339(system_clock::instance().now_ns() / 1'000'000 * 1'000'000);
    line += ' ';
    line += level_name(level);
    line += ": ";
    line += message;
    line += '\n';
    std::lock_guard lock(log_mutex);
    // One write per line so that lines from several processes sharing stderr do not interleave.
    std::string_view rest = line;
    while (!rest.empty()) {
        ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (n <= 0) {
            break;
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void rate_limited_log::warning(std::int64_t now_ns, std::string_view message) {
    std::int64_t start = window_start_.load(std::memory_order_relaxed);
    if (now_ns - start >= interval_ns_ &&
        window_start_.compare_exchange_strong(start, now_ns, std::memory_order_relaxed)) {
        in_window_.store(0, std::memory_order_relaxed);
    }
    if (in_window_.fetch_add(1, std::memory_order_relaxed) >= burst_) {
        suppressed_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const std::uint64_t held_back = suppressed_.exchange(0, std::memory_order_relaxed);
    if (held_back == 0) {
        log(log_level::warning, message);
    } else {
        log(log_level::warning, std::string(message) + " (" + std::to_string(held_back) +
                                    " similar messages suppressed)");
    }
}

} // namespace vigil::core
