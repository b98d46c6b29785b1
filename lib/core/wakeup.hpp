#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace vigil::core {

// Lets a consumer thread sleep when its rings are empty without a lock on the producers' path.
// The consumer calls prepare(), re-checks its rings, then wait(ticket); producers call notify()
// after every push. notify() costs one relaxed load unless the consumer is asleep.
class wakeup {
public:
    // Announces that the consumer is about to sleep; returns the ticket to wait on.
    [[nodiscard]] std::uint32_t prepare() {
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        return epoch_.load(std::memory_order_seq_cst);
    }

    // Sleeps until notify() is called after prepare(), or until `timeout` passes.
    void wait(std::uint32_t ticket, std::chrono::milliseconds timeout);

    // Leaves the sleeping state without waiting (the re-check found work).
    void cancel() { sleepers_.fetch_sub(1, std::memory_order_seq_cst); }

    void notify() {
        if (sleepers_.load(std::memory_order_seq_cst) != 0) {
            wake_all();
        }
    }

private:
    void wake_all();

    std::atomic<std::uint32_t> epoch_{0};
    std::atomic<std::uint32_t> sleepers_{0};
};

} // namespace vigil::core
