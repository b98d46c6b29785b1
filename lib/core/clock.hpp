#pragma once

#include <atomic>
#include <cstdint>

namespace vigil::core {

// Where "now" comes from. Components take a clock so that tests can move time without sleeping
// (STYLE.md, Tests). Implementations are thread-safe.
class clock {
public:
    virtual ~clock() = default;
    // Wall-clock time in nanoseconds since the Unix epoch.
    [[nodiscard]] virtual std::int64_t now_ns() const = 0;
    [[nodiscard]] std::int64_t now_ms() const { return now_ns() / 1'000'000; }
};

// The system's real-time clock.
class system_clock final : public clock {
public:
    [[nodiscard]] std::int64_t now_ns() const override;
    // A shared instance for production wiring.
    [[nodiscard]] static const system_clock& instance();
};

// A clock that moves only when told to; for tests.
class manual_clock final : public clock {
public:
    explicit manual_clock(std::int64_t start_ns) : now_(start_ns) {}
    [[nodiscard]] std::int64_t now_ns() const override { return now_.load(); }
    void set(std::int64_t ns) { now_.store(ns); }
    void advance(std::int64_t ns) { now_.fetch_add(ns); }

private:
    std::atomic<std::int64_t> now_;
};

} // namespace vigil::core
