#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>

namespace vigil::core {

inline constexpr std::size_t cache_line_bytes = 64;

// A bounded single-producer single-consumer ring (DESIGN.md §4). Exactly one thread calls
// try_push and exactly one other thread calls try_pop; neither blocks. Capacity is a power of
// two. Head and tail live on their own cache lines, and each side caches the other's index so
// that a steady stream touches the shared lines only when it must.
template <typename T>
class spsc_ring {
public:
    explicit spsc_ring(std::size_t capacity)
        : mask_(capacity - 1), slots_(std::make_unique<std::optional<T>[]>(capacity)) {
        if (capacity < 2 || !std::has_single_bit(capacity)) {
            throw std::invalid_argument("spsc_ring capacity must be a power of two >= 2");
        }
    }
    spsc_ring(const spsc_ring&) = delete;
    spsc_ring& operator=(const spsc_ring&) = delete;

    // Producer only. Moves `value` in and returns true, or returns false (value untouched) when
    // full.
    [[nodiscard]] bool try_push(T& value) {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_cache_ > mask_) {
            head_cache_ = head_.load(std::memory_order_acquire);
            if (tail - head_cache_ > mask_) {
                return false;
            }
        }
        slots_[tail & mask_].emplace(std::move(value));
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    // Consumer only. Returns the oldest value, or nothing when empty.
    [[nodiscard]] std::optional<T> try_pop() {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_cache_) {
            tail_cache_ = tail_.load(std::memory_order_acquire);
            if (head == tail_cache_) {
                return std::nullopt;
            }
        }
        auto& slot = slots_[head & mask_];
        std::optional<T> out(std::move(slot));
        slot.reset();
        head_.store(head + 1, std::memory_order_release);
        return out;
    }

    // Consumer only. The oldest value without taking it, or null when empty; valid until the
    // next try_pop.
    [[nodiscard]] T* front() {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_cache_) {
            tail_cache_ = tail_.load(std::memory_order_acquire);
            if (head == tail_cache_) {
                return nullptr;
            }
        }
        return &*slots_[head & mask_];
    }

    // Either side; a snapshot that may be stale by the time it is read.
    [[nodiscard]] std::size_t size_approx() const {
        return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
    }
    [[nodiscard]] bool empty_approx() const { return size_approx() == 0; }
    [[nodiscard]] std::size_t capacity() const { return mask_ + 1; }

private:
    const std::size_t mask_;
    std::unique_ptr<std::optional<T>[]> slots_;
    alignas(cache_line_bytes) std::atomic<std::size_t> head_{0};
    std::size_t tail_cache_ = 0; // consumer's copy of tail_
    alignas(cache_line_bytes) std::atomic<std::size_t> tail_{0};
    std::size_t head_cache_ = 0; // producer's copy of head_
};

} // namespace vigil::core
