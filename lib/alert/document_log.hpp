#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <sys/uio.h>
#include <vector>

namespace vigil::alert {

// Alert documents in append-only files of their own, one per hour of the alerts' event time
// (the hour their ids carry), beside the RocksDB store that keeps each alert's place in them
// (ARCHITECTURE.md "Alert store"). A document goes through no write-ahead log, memtable, flush
// or compaction of RocksDB: the alert stage writes each group's documents with one writev per
// hour, checksummed with the processor's CRC32C. Retention by age removes whole hours, the
// hours before the oldest alert left; retention by size, which can cut into an hour, has the
// store rewrite that hour's remaining documents into a new file of the hour (rewrite) and
// remove the old ones. A document updated later (an incident's status) is stored in RocksDB
// itself; its first state here goes with its hour.
//
// A record: CRC-32C of the rest (4 bytes), the document's length (4), the alert id (26), the
// document. The store writes the record before the RocksDB batch that refers to it, so a crash
// leaves at most an unreferenced record at a file's end.
class document_log {
public:
    // Where a document is: the place the RocksDB value of its alert holds.
    struct location {
        std::uint32_t hour = 0;   // since 1970, of the alert's id
        std::uint32_t serial = 0; // the hour's file: 0, then one more for each rewrite
        std::uint64_t offset = 0;
        std::uint32_t length = 0; // of the document
    };
    struct document {
        std::string_view id; // 26 characters
        std::string_view json;
        std::uint64_t time_ms = 0; // the id's
    };

    // An hour of alert ids' time: what one file holds.
    static constexpr std::uint64_t hour_ms = 3'600'000;

    // The files under `directory` (created if writable and missing).
    [[nodiscard]] static std::expected<std::unique_ptr<document_log>, std::string>
    open(std::filesystem::path directory, bool writable);

    // Appends the documents (in id order, so one hour follows another) and returns where each
    // went, in their order. Not thread-safe against itself (the alert stage is the one writer).
    [[nodiscard]] std::expected<std::vector<location>, std::string>
    append(std::span<const document> documents);

    // The document of alert `id` at `where`; an error if the record is not there whole (a
    // damaged file, or one a crash cut short).
    [[nodiscard]] std::expected<std::string, std::string> read(std::string_view id,
                                                               const location& where) const;

    // Removes the files of every hour that ends at or before `time_ms`. Returns how many hours.
    std::size_t remove_before(std::uint64_t time_ms);

    // Writes `documents` (all of `hour`) into a new file of the hour, which later appends go
    // to, and returns their places; once the store refers to those, remove_replaced(hour)
    // removes the hour's older files.
    [[nodiscard]] std::expected<std::vector<location>, std::string>
    rewrite(std::uint32_t hour, std::span<const document> documents);
    void remove_replaced(std::uint32_t hour);

    // Bytes of the files of `hour`.
    [[nodiscard]] std::uint64_t bytes_of(std::uint32_t hour) const;

    // Bytes of all files (for the store's size retention).
    [[nodiscard]] std::uint64_t bytes() const;

    // Makes what was appended durable (fdatasync of the files written since the last call).
    [[nodiscard]] std::expected<void, std::string> sync();

    // Bytes of the record at `where` in its file.
    [[nodiscard]] static std::uint64_t record_size(const location& where) {
        return 4 + 4 + 26 + std::uint64_t{where.length};
    }

    // The RocksDB value that stands for a location: a leading zero byte (a document stored in
    // RocksDB itself starts with '{'), then hour, serial, offset and length, big-endian.
    static constexpr std::size_t encoded_size = 1 + 4 + 4 + 8 + 4;
    using encoded_place = std::array<char, encoded_size>;
    [[nodiscard]] static encoded_place encode(const location& where);
    [[nodiscard]] static std::optional<location> decode(std::string_view value);

    ~document_log();
    document_log(const document_log&) = delete;
    document_log& operator=(const document_log&) = delete;

private:
    document_log(std::filesystem::path directory, bool writable)
        : directory_(std::move(directory)), writable_(writable) {}
    using file_key = std::pair<std::uint32_t, std::uint32_t>; // hour, serial
    [[nodiscard]] std::filesystem::path path_of(file_key file) const;
    // The writer's descriptor of `hour`'s newest file, opened (created) on first use; at most
    // `open_limit` stay open (a replay of old logs writes many hours).
    [[nodiscard]] std::expected<int, std::string> writer_fd(std::uint32_t hour);
    // Appends the records of `documents` to `hour`'s newest file; their places into `placed`.
    [[nodiscard]] std::expected<void, std::string>
    write_records(std::uint32_t hour, std::span<const document> documents, location* placed);
    void close_writer(std::uint32_t hour);

    static constexpr std::size_t open_limit = 16;
    std::filesystem::path directory_;
    bool writable_ = false;
    // The writer's state; remove_before and sync come from other threads. Readers open the
    // file they read (no descriptor shared with the writer's closing of old ones).
    mutable std::mutex mutex_;
    std::map<file_key, std::uint64_t> sizes_; // every file
    std::map<std::uint32_t, int> open_;       // by hour: its newest file
    std::set<file_key> dirty_;                // written since the last sync
    bool created_ = false;                    // a file made since the last sync
    // One hour's records of a group: their heads (CRC, length, id) and what writev writes.
    using record_head = std::array<char, 4 + 4 + 26>;
    static constexpr std::size_t kept_records = 16384;
    std::vector<record_head> heads_;
    std::vector<iovec> parts_;
};

} // namespace vigil::alert
