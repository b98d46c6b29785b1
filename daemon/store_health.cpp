#include "store_health.hpp"

#include "core/log.hpp"

#include <chrono>
#include <csignal>
#include <ctime>

namespace vigil::daemon {

bool wait_for_disk_space(const std::filesystem::path& data_dir, std::uint64_t min_free_bytes) {
    if (min_free_bytes == 0) {
        return true;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    bool go_on = true;
    for (int second = 0;; ++second) {
        auto free = alert::disk_space_guard::available(data_dir);
        if (!free || *free >= min_free_bytes) {
            if (second > 0) {
                core::log_info("disk space is back: " + alert::byte_size_text(free.value_or(0)) +
                               " free for " + data_dir.string());
            }
            break;
        }
        if (second % 30 == 0) {
            core::log_error("disk full: " + alert::byte_size_text(*free) + " free for " +
                            data_dir.string() + ", below min_free_disk_bytes (" +
                            alert::byte_size_text(min_free_bytes) +
                            "); waiting for space before opening the alert store");
        }
        const timespec one_second{1, 0};
        if (sigtimedwait(&stop_signals, nullptr, &one_second) > 0) {
            core::log_info("stopped while waiting for disk space");
            go_on = false;
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return go_on;
}

store_health::store_health(boost::asio::io_context& io, alert::alert_store& store,
                           api::health& health, core::metrics_registry& metrics)
    : store_(store), health_(health),
      free_bytes_(metrics.make_gauge("vigil_store_free_bytes",
                                     "Free bytes on the file system of the alert store.")),
      disk_full_(metrics.make_gauge("vigil_store_disk_full",
                                    "1 while the alert store writes nothing because free space is "
                                    "below min_free_disk_bytes.")),
      timer_(io) {}

void store_health::start() {
    sample();
}

void store_health::stop() {
    stopped_ = true;
    timer_.cancel();
}

void store_health::sample() {
    if (stopped_) {
        return;
    }
    auto& disk = store_.disk();
    disk.refresh();
    const bool full = disk.full(); // the alert store's last write was refused for lack of space
    free_bytes_.set(static_cast<std::int64_t>(disk.free_bytes()));
    disk_full_.set(full ? 1 : 0);
    if (full != was_full_) {
        was_full_ = full;
        if (full) {
            health_.set_not_ready("alert_store",
                                  "disk full: " + alert::byte_size_text(disk.free_bytes()) +
                                      " free on " + disk.directory().string() +
                                      ", below min_free_disk_bytes (" +
                                      alert::byte_size_text(disk.min_free_bytes()) +
                                      "); sources are pushed back until space returns");
        } else {
            health_.set_ready("alert_store");
            core::log_info("disk space is back: the alert store writes again");
        }
    }
    timer_.expires_after(std::chrono::milliseconds(500));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            sample();
        }
    });
}

} // namespace vigil::daemon
