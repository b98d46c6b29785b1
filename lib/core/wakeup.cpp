#include "core/wakeup.hpp"

#include <climits>
#include <cstdint>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace vigil::core {

void wakeup::wait(std::uint32_t ticket, std::chrono::milliseconds timeout) {
    // std::atomic::wait has no timeout; a bounded wait lets consumers also do periodic work
    // (flushes, shutdown checks), so the futex is called directly.
    if (epoch_.load(std::memory_order_seq_cst) == ticket) {
        timespec ts{};
        ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
        ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1'000'000);
        syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAIT_PRIVATE, ticket,
                &ts, nullptr, 0);
    }
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
}

void wakeup::wake_all() {
    // The waiters sleep on the raw futex, which std::atomic::notify_all does not always wake.
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&epoch_), FUTEX_WAKE_PRIVATE, INT32_MAX,
            nullptr, nullptr, 0);
}

} // namespace vigil::core
