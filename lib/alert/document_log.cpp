#include "alert/document_log.hpp"

#include "core/big_endian.hpp"
#include "core/crc32c.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <numeric>
#include <span>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace vigil::alert {
namespace {

constexpr std::size_t id_size = 26;
constexpr std::size_t header_size = 4 + 4; // CRC, length
constexpr std::string_view file_suffix = ".docs";

// Moves `parts` on past `n` bytes transferred, dropping the buffers done (and empty ones).
void consume(std::span<iovec>& parts, std::size_t n) {
    while (!parts.empty() && (n > 0 || parts.front().iov_len == 0)) {
        const std::size_t taken = std::min(n, parts.front().iov_len);
        parts.front().iov_base = static_cast<char*>(parts.front().iov_base) + taken;
        parts.front().iov_len -= taken;
        n -= taken;
        if (parts.front().iov_len == 0) {
            parts = parts.subspan(1);
        }
    }
}

// Reads the buffers `parts` from `offset` on, through short reads; false when the file ends
// (or fails) first.
bool read_fully(int fd, std::span<iovec> parts, std::uint64_t offset) {
    consume(parts, 0);
    while (!parts.empty()) {
        const ssize_t n =
            ::preadv(fd, parts.data(), static_cast<int>(parts.size()), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        offset += static_cast<std::uint64_t>(n);
        consume(parts, static_cast<std::size_t>(n));
    }
    return true;
}

std::string error_text(int error) {
    return std::strerror(error);
}

// Writes all of `parts` to `fd` (IOV_MAX buffers a call), through short writes.
bool write_all(int fd, std::span<iovec> parts) {
    consume(parts, 0);
    while (!parts.empty()) {
        const ssize_t n = ::writev(fd, parts.data(),
                                   static_cast<int>(std::min<std::size_t>(parts.size(), IOV_MAX)));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        consume(parts, static_cast<std::size_t>(n));
    }
    return true;
}

// The hour and serial a file name stands for ("0000493056-0000.docs"), if it is one of ours.
std::optional<std::pair<std::uint32_t, std::uint32_t>> file_of(const std::string& name) {
    if (name.size() != 10 + 1 + 4 + file_suffix.size() || !name.ends_with(file_suffix) ||
        name[10] != '-') {
        return std::nullopt;
    }
    std::uint32_t hour = 0;
    std::uint32_t serial = 0;
    const char* at = name.data();
    if (const auto [end, ec] = std::from_chars(at, at + 10, hour);
        ec != std::errc() || end != at + 10) {
        return std::nullopt;
    }
    if (const auto [end, ec] = std::from_chars(at + 11, at + 15, serial);
        ec != std::errc() || end != at + 15) {
        return std::nullopt;
    }
    return std::pair{hour, serial};
}

} // namespace

std::expected<std::unique_ptr<document_log>, std::string>
document_log::open(std::filesystem::path directory, bool writable) {
    std::unique_ptr<document_log> log(new document_log(std::move(directory), writable));
    std::error_code ec;
    if (writable) {
        std::filesystem::create_directories(log->directory_, ec);
        if (ec) {
            return std::unexpected("cannot create " + log->directory_.string() + ": " +
                                   ec.message());
        }
    } else if (!std::filesystem::exists(log->directory_, ec)) {
        return log; // a store written before documents had files of their own
    }
    for (const auto& entry : std::filesystem::directory_iterator(log->directory_, ec)) {
        std::error_code gone; // removed meanwhile (a reader beside the daemon's retention)
        const auto file = file_of(entry.path().filename().string());
        if (const std::uint64_t size = entry.file_size(gone); file && !gone) {
            log->sizes_[*file] = size;
        }
    }
    if (ec) {
        return std::unexpected("cannot list " + log->directory_.string() + ": " + ec.message());
    }
    return log;
}

document_log::~document_log() {
    for (const auto& [hour, fd] : open_) {
        ::close(fd);
    }
}

std::filesystem::path document_log::path_of(file_key file) const {
    char name[32];
    std::snprintf(name, sizeof name, "%010u-%04u", file.first, file.second);
    return directory_ / (std::string(name) + std::string(file_suffix));
}

std::expected<int, std::string> document_log::writer_fd(std::uint32_t hour) {
    if (const auto it = open_.find(hour); it != open_.end()) {
        return it->second;
    }
    if (open_.size() >= open_limit) {
        close_writer(open_.begin()->first); // the earliest hour: a live stream has moved past it
    }
    // The hour's newest file, or its first.
    auto newest = sizes_.upper_bound({hour, std::numeric_limits<std::uint32_t>::max()});
    const file_key file = newest != sizes_.begin() && std::prev(newest)->first.first == hour
                              ? std::prev(newest)->first
                              : file_key{hour, 0};
    const auto path = path_of(file);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        return std::unexpected("cannot open " + path.string() + ": " + error_text(errno));
    }
    // Records go after whatever the file holds (a crash may have cut the last one short).
    struct stat status {};
    const std::uint64_t end =
        ::fstat(fd, &status) == 0 ? static_cast<std::uint64_t>(status.st_size) : 0;
    if (const auto [it, added] = sizes_.insert_or_assign(file, end); added) {
        created_ = true;
    }
    open_.emplace(hour, fd);
    return fd;
}

void document_log::close_writer(std::uint32_t hour) {
    if (const auto it = open_.find(hour); it != open_.end()) {
        ::close(it->second);
        open_.erase(it);
    }
}

std::expected<void, std::string> document_log::write_records(std::uint32_t hour,
                                                             std::span<const document> documents,
                                                             location* placed) {
    auto fd = writer_fd(hour);
    if (!fd) {
        return std::unexpected(fd.error());
    }
    const file_key file =
        std::prev(sizes_.upper_bound({hour, std::numeric_limits<std::uint32_t>::max()}))->first;
    std::uint64_t& size = sizes_[file];
    // Each record's head (CRC, length, id) is built here; its document is written from where
    // it is (one writev per IOV_MAX buffers, no copy into a buffer of the whole group).
    static_assert(std::tuple_size_v<record_head> == header_size + id_size);
    heads_.resize(documents.size());
    parts_.clear();
    std::uint64_t written = 0;
    for (std::size_t k = 0; k < documents.size(); ++k) {
        const document& d = documents[k];
        record_head& head = heads_[k];
        core::write_u32_be(head.data() + 4, static_cast<std::uint32_t>(d.json.size()));
        const std::size_t id_length = d.id.copy(head.data() + header_size, id_size);
        std::fill(head.begin() + static_cast<std::ptrdiff_t>(header_size + id_length), head.end(),
                  ' ');
        const std::string_view head_covered(head.data() + 4, head.size() - 4);
        core::write_u32_be(head.data(), core::crc32c(d.json, core::crc32c(head_covered)));
        placed[k] = {hour, file.second, size + written, static_cast<std::uint32_t>(d.json.size())};
        parts_.push_back({head.data(), head.size()});
        parts_.push_back({const_cast<char*>(d.json.data()), d.json.size()}); // NOLINT: writev reads
        written += head.size() + d.json.size();
    }
    if (!write_all(*fd, parts_)) {
        const int error = errno;
        // What reached the file stays (unreferenced); later records go after it.
        if (const off_t end = ::lseek(*fd, 0, SEEK_END); end >= 0) {
            size = static_cast<std::uint64_t>(end);
        }
        return std::unexpected("writing alert documents to " + path_of(file).string() +
                               " failed: " + error_text(error));
    }
    size += written;
    dirty_.insert(file);
    if (heads_.capacity() > kept_records) {
        heads_ = {}; // a burst's: give the memory back
        parts_ = {};
    }
    return {};
}

std::expected<std::vector<document_log::location>, std::string>
document_log::append(std::span<const document> documents) {
    const std::lock_guard lock(mutex_);
    if (!writable_) {
        return std::unexpected("the alert document files at " + directory_.string() +
                               " are open for reading only");
    }
    std::vector<location> placed(documents.size());
    for (std::size_t first = 0; first < documents.size();) {
        const std::uint64_t hour = documents[first].time_ms / hour_ms;
        std::size_t next = first + 1;
        while (next < documents.size() && documents[next].time_ms / hour_ms == hour) {
            ++next;
        }
        if (auto written =
                write_records(static_cast<std::uint32_t>(hour),
                              documents.subspan(first, next - first), placed.data() + first);
            !written) {
            return std::unexpected(written.error());
        }
        first = next;
    }
    return placed;
}

std::expected<std::vector<document_log::location>, std::string>
document_log::rewrite(std::uint32_t hour, std::span<const document> documents) {
    const std::lock_guard lock(mutex_);
    if (!writable_) {
        return std::unexpected("the alert document files at " + directory_.string() +
                               " are open for reading only");
    }
    close_writer(hour);
    auto newest = sizes_.upper_bound({hour, std::numeric_limits<std::uint32_t>::max()});
    const std::uint32_t serial = newest != sizes_.begin() && std::prev(newest)->first.first == hour
                                     ? std::prev(newest)->first.second + 1
                                     : 0;
    if (serial > 9999) {
        return std::unexpected("hour " + std::to_string(hour) + " was rewritten too often");
    }
    // A leftover of a rewrite a crash interrupted: start it again.
    std::error_code ec;
    std::filesystem::remove(path_of({hour, serial}), ec);
    sizes_[{hour, serial}] = 0;
    created_ = true;
    std::vector<location> placed(documents.size());
    if (auto written = write_records(hour, documents, placed.data()); !written) {
        return std::unexpected(written.error());
    }
    return placed;
}

void document_log::remove_replaced(std::uint32_t hour) {
    const std::lock_guard lock(mutex_);
    auto newest = sizes_.upper_bound({hour, std::numeric_limits<std::uint32_t>::max()});
    if (newest == sizes_.begin() || std::prev(newest)->first.first != hour) {
        return;
    }
    const file_key keep = std::prev(newest)->first;
    for (auto it = sizes_.lower_bound({hour, 0}); it != sizes_.end() && it->first < keep;) {
        std::error_code ec;
        std::filesystem::remove(path_of(it->first), ec);
        dirty_.erase(it->first);
        it = sizes_.erase(it);
    }
}

std::uint64_t document_log::bytes_of(std::uint32_t hour) const {
    const std::lock_guard lock(mutex_);
    std::uint64_t total = 0;
    for (auto it = sizes_.lower_bound({hour, 0}); it != sizes_.end() && it->first.first == hour;
         ++it) {
        total += it->second;
    }
    return total;
}

std::expected<std::string, std::string> document_log::read(std::string_view id,
                                                           const location& where) const {
    const auto path = path_of({where.hour, where.serial});
    const auto what = [&](const std::string& why) {
        return std::unexpected("the document of alert " + std::string(id) + " in " + path.string() +
                               " at " + std::to_string(where.offset) + " " + why);
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return what("cannot be read: " + error_text(errno));
    }
    // A place past the file's end (a damaged RocksDB value, a file cut short) is said so
    // before its length is believed.
    struct stat status {};
    if (::fstat(fd, &status) != 0 ||
        where.offset + record_size(where) > static_cast<std::uint64_t>(status.st_size)) {
        ::close(fd);
        return what("is cut short (the file ends before it)");
    }
    // The record's head (CRC, length, id) and its document, read at once into their own
    // buffers: the document is returned as it was read.
    std::array<char, header_size + id_size> head{};
    std::string json(where.length, '\0');
    std::array<iovec, 2> parts{iovec{head.data(), head.size()}, iovec{json.data(), json.size()}};
    const bool complete = read_fully(fd, parts, where.offset);
    ::close(fd);
    if (!complete) {
        return what("is cut short (the file ends before it)");
    }
    const std::string_view head_covered(head.data() + 4, head.size() - 4);
    if (core::read_u32_be(head.data()) != core::crc32c(json, core::crc32c(head_covered)) ||
        core::read_u32_be(head.data() + 4) != where.length) {
        return what("is damaged (checksum mismatch)");
    }
    if (std::string_view(head.data() + header_size, id_size) != id) {
        return what("holds another alert");
    }
    return json;
}

std::size_t document_log::remove_before(std::uint64_t time_ms) {
    const std::lock_guard lock(mutex_);
    std::set<std::uint32_t> hours;
    for (auto it = sizes_.begin();
         it != sizes_.end() && (std::uint64_t{it->first.first} + 1) * hour_ms <= time_ms;) {
        close_writer(it->first.first);
        std::error_code ec;
        std::filesystem::remove(path_of(it->first), ec);
        dirty_.erase(it->first);
        hours.insert(it->first.first);
        it = sizes_.erase(it);
    }
    return hours.size();
}

std::uint64_t document_log::bytes() const {
    const std::lock_guard lock(mutex_);
    return std::accumulate(sizes_.begin(), sizes_.end(), std::uint64_t{0},
                           [](std::uint64_t sum, const auto& file) { return sum + file.second; });
}

std::expected<void, std::string> document_log::sync() {
    const std::lock_guard lock(mutex_);
    for (const file_key& file : dirty_) {
        const int fd = ::open(path_of(file).c_str(), O_RDONLY | O_CLOEXEC);
        const bool synced = fd >= 0 && ::fdatasync(fd) == 0;
        const int error = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        if (!synced) {
            return std::unexpected("syncing " + path_of(file).string() +
                                   " failed: " + error_text(error));
        }
    }
    dirty_.clear();
    if (created_) {
        // The new files' names: durable with their directory.
        const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
            ::fsync(dir);
            ::close(dir);
        }
        created_ = false;
    }
    return {};
}

document_log::encoded_place document_log::encode(const location& where) {
    encoded_place value{};
    core::write_u32_be(value.data() + 1, where.hour);
    core::write_u32_be(value.data() + 5, where.serial);
    core::write_u64_be(value.data() + 9, where.offset);
    core::write_u32_be(value.data() + 17, where.length);
    return value;
}

std::optional<document_log::location> document_log::decode(std::string_view value) {
    if (value.size() != encoded_size || value[0] != '\0') {
        return std::nullopt;
    }
    return location{core::read_u32_be(value.data() + 1), core::read_u32_be(value.data() + 5),
                    core::read_u64_be(value.substr(9, 8)), core::read_u32_be(value.data() + 17)};
}

} // namespace vigil::alert
