#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

namespace vigil::alert {

// Keeps the alert store off a full disk. RocksDB does not survive one: a write-ahead-log write
// that fails with ENOSPC leaves its writer in an error state, and the next write ends in an
// assertion inside RocksDB (also at the next start, while the disk is still full). So the store
// asks before every write of n bytes whether the file system holding the database keeps at least
// `min_free_bytes` free after it; if not it writes nothing, and its callers retry (which pushes
// back on the sources) until space returns. The free space is looked up (statvfs) at most every
// 100 ms; in between, the bytes allowed since are subtracted. The reserve must hold what RocksDB
// writes on its own (memtable flushes, compactions). Thread-safe: the alert stage and the Kafka
// thread (dead letters) ask.
class disk_space_guard {
public:
    disk_space_guard(std::filesystem::path directory, std::uint64_t min_free_bytes);

    // Nothing when a write of `bytes` may go ahead; otherwise why not (free space, the limit,
    // the key).
    [[nodiscard]] std::expected<void, std::string> check(std::uint64_t bytes = 0);

    // Looks the free space up again if the last look is older than 100 ms.
    void refresh();
    [[nodiscard]] std::uint64_t free_bytes() const { return free_.load(); }
    // The last write asked about was refused for lack of space.
    [[nodiscard]] bool full() const { return full_.load(); }
    [[nodiscard]] std::uint64_t min_free_bytes() const { return min_free_; }
    [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }

    // Free bytes for an unprivileged writer on the file system holding `path`, or nothing.
    [[nodiscard]] static std::expected<std::uint64_t, std::string>
    available(const std::filesystem::path& path);

private:
    std::filesystem::path directory_;
    std::uint64_t min_free_;
    std::atomic<std::int64_t> checked_at_ns_{0};
    std::atomic<std::uint64_t> free_{0};
    std::atomic<std::uint64_t> allowed_since_check_{0};
    std::atomic<bool> full_{false};
};

// "3.2 MiB"
[[nodiscard]] std::string byte_size_text(std::uint64_t bytes);

} // namespace vigil::alert
