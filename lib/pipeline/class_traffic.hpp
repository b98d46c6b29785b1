#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace vigil::pipeline {

// Events per log source class over the last hour and since start (`vigil rules coverage`,
// GET /api/v1/coverage): which sources send, and so which need rules. Workers add their tally
// once per batch; the API reads a snapshot. Thread-safe.
class class_traffic {
public:
    struct counts {
        std::uint64_t last_hour = 0;
        std::uint64_t total = 0;
    };

    // Adds `n` events of class `name` (processing time `now_ns`).
    void add(std::string_view name, std::uint64_t n, std::int64_t now_ns);
    // Every class seen so far, by name.
    [[nodiscard]] std::map<std::string, counts, std::less<>> snapshot(std::int64_t now_ns) const;

private:
    static constexpr std::int64_t minute_ns = 60'000'000'000;
    struct minutes {
        std::array<std::uint64_t, 60> events{};
        std::array<std::int64_t, 60> minute{}; // which minute each slot counts
        std::uint64_t total = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::string, minutes, std::less<>> classes_;
};

} // namespace vigil::pipeline
