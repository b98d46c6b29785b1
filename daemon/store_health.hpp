#pragma once

#include "alert/alert_store.hpp"
#include "api/health.hpp"
#include "core/metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <filesystem>

namespace vigil::daemon {

// Before the alert store is opened: while the file system of `data_dir` has less than
// `min_free_bytes` free, says so (at once, then every 30 s) and waits, so that a full disk is a
// clear message and a wait rather than a crash loop. Returns false when SIGINT or SIGTERM came
// first (the caller exits 0). Call before any other thread exists.
[[nodiscard]] bool wait_for_disk_space(const std::filesystem::path& data_dir,
                                       std::uint64_t min_free_bytes);

// Every 500 ms on the I/O thread: the alert store's disk in /healthz (check "alert_store", not
// ready with the reason while the store refuses writes for lack of space) and in
// vigil_store_free_bytes and vigil_store_disk_full.
class store_health {
public:
    store_health(boost::asio::io_context& io, alert::alert_store& store, api::health& health,
                 core::metrics_registry& metrics);
    void start();
    void stop();

private:
    void sample();

    alert::alert_store& store_;
    api::health& health_;
    core::gauge& free_bytes_;
    core::gauge& disk_full_;
    boost::asio::steady_timer timer_;
    bool was_full_ = false;
    bool stopped_ = false;
};

} // namespace vigil::daemon
