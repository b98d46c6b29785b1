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
        // Orders the announcement before the consumer's re-check of its rings (a plain load),
        // pairing with the fence in notify(): either the producer sees the sleeper or the
        // consumer sees the pushed item.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        return epoch_.load(std::memory_order_seq_cst);
    }

    // Sleeps until notify() is called after prepare(), or until `timeout` passes.
    void wait(std::uint32_t ticket, std::chrono::milliseconds timeout);

    // Leaves the sleeping state without waiting (the re-check found work).
    void cancel() { sleepers_.fetch_sub(1, std::memory_order_seq_cst); }

    void notify() {
        // Orders the producer's push (a release store) before its look at the sleepers.
        std::atomic_thread_fence(std::memory_order_seq_cst);
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
