#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace vigil::core {

// Work done on a thread of its own at start and then every interval until stopped (retention,
// escalation), so it never holds up the data path.
class periodic_task {
public:
    periodic_task(std::int64_t interval_ns, std::function<void()> work)
        : interval_ns_(interval_ns), work_(std::move(work)) {}
    ~periodic_task() { stop(); }
    periodic_task(const periodic_task&) = delete;
    periodic_task& operator=(const periodic_task&) = delete;

    void start();
    void stop(); // waits for a running pass to end

private:
    void run();

    const std::int64_t interval_ns_;
    std::function<void()> work_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace vigil::core
