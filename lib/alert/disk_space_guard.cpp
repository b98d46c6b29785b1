#include "alert/disk_space_guard.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sys/statvfs.h>

namespace vigil::alert {

namespace {
constexpr std::int64_t recheck_ns = 100'000'000;

std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

std::string byte_size_text(std::uint64_t bytes) {
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    if (unit == 0) {
        std::snprintf(text, sizeof(text), "%llu bytes", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(text, sizeof(text), "%.1f %s", value, units[unit]);
    }
    return text;
}

disk_space_guard::disk_space_guard(std::filesystem::path directory, std::uint64_t min_free_bytes)
    : directory_(std::move(directory)), min_free_(min_free_bytes) {}

std::expected<std::uint64_t, std::string>
disk_space_guard::available(const std::filesystem::path& path) {
    // A directory not made yet lives on the file system of its nearest existing parent.
    std::filesystem::path existing = path;
    std::error_code ec;
    while (!existing.empty() && !std::filesystem::exists(existing, ec) &&
           existing != existing.parent_path()) {
        existing = existing.parent_path();
    }
    struct statvfs fs {};
    if (::statvfs(existing.empty() ? "." : existing.c_str(), &fs) != 0) {
        return std::unexpected("cannot read the free space of " + path.string() + ": " +
                               std::strerror(errno));
    }
    return static_cast<std::uint64_t>(fs.f_bavail) * static_cast<std::uint64_t>(fs.f_frsize);
}

void disk_space_guard::refresh() {
    const std::int64_t now = steady_ns();
    if (now - checked_at_ns_.load() >= recheck_ns) {
        checked_at_ns_.store(now);
        if (auto free = available(directory_)) {
            free_.store(*free);
            allowed_since_check_.store(0);
        }
        // Free space that cannot be read (the directory went away) is not a reason to stop: the
        // write itself will say what is wrong.
    }
}

std::expected<void, std::string> disk_space_guard::check(std::uint64_t bytes) {
    if (min_free_ == 0) {
        return {};
    }
    refresh();
    const std::uint64_t free = free_.load();
    const std::uint64_t allowed = allowed_since_check_.load();
    const std::uint64_t left = free > allowed ? free - allowed : 0;
    if (left >= min_free_ && left - min_free_ >= bytes) {
        allowed_since_check_.fetch_add(bytes);
        full_.store(false);
        return {};
    }
    full_.store(true);
    std::string why =
        "disk full: " + byte_size_text(left) + " free on " + directory_.string() + ", ";
    why += bytes > 0 && left >= min_free_
               ? "a write of " + byte_size_text(bytes) + " would leave less than"
               : "below";
    return std::unexpected(why + " min_free_disk_bytes (" + byte_size_text(min_free_) +
                           "); nothing is written until space returns");
}

} // namespace vigil::alert
