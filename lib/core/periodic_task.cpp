#include "core/periodic_task.hpp"

#include <chrono>

namespace vigil::core {

void periodic_task::start() {
    thread_ = std::thread([this] { run(); });
}

void periodic_task::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void periodic_task::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        work_();
        lock.lock();
        wake_.wait_for(lock, std::chrono::nanoseconds(interval_ns_), [this] { return stopping_; });
    }
}

} // namespace vigil::core
