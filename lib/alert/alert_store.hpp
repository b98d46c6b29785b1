#pragma once

#include "alert/alert.hpp"
#include "alert/alert_writer.hpp"
#include "alert/disk_space_guard.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
} // namespace rocksdb

namespace vigil::alert {

// Which stored alerts to list, newest first.
struct alert_query {
    std::optional<std::uint64_t>
        since_ms; // only alerts about events at or after this time (ULID time)
    std::optional<std::string> rule_id;
    std::size_t limit = 0; // 0 = no limit
};

// Alerts in RocksDB (DESIGN.md §6): column family `alerts` maps the ULID text to the alert JSON,
// `alerts_by_rule` indexes them by rule ("<rule id>\0<ULID>"), `meta` holds the format version,
// `state` the correlator checkpoints.
// Opened read-write by vigild (one writer, the alert stage thread) or read-only by the CLI,
// which works beside a running daemon because read-only opening takes no lock.
class alert_store final : public alert_writer {
public:
    enum class mode { read_write, read_only };

    ~alert_store() override;
    alert_store(const alert_store&) = delete;
    alert_store& operator=(const alert_store&) = delete;

    // Opens (and in read-write mode creates) the database under `data_dir`/rocksdb. In
    // read-write mode every write first asks a disk_space_guard for `min_free_bytes` (0: never
    // refuse) and fails, writing nothing, below it; after a failed write the next one first
    // asks RocksDB to resume from its error.
    [[nodiscard]] static std::expected<std::unique_ptr<alert_store>, std::string>
    open(const std::filesystem::path& data_dir, mode m, std::uint64_t min_free_bytes = 0);

    // Read-write mode: the free-space check of the data directory.
    [[nodiscard]] disk_space_guard& disk() { return *disk_; }

    // Writes the alerts and their index entries in one atomic WriteBatch with the WAL on.
    [[nodiscard]] std::expected<void, std::string> write(std::span<const alert> alerts) override;

    // Column family `state`: the shard's blob in chunks of at most 4 MiB under
    // "shard/<shard>/<chunk>", written in one WriteBatch that deletes the shard's old chunks.
    [[nodiscard]] std::expected<void, std::string> write_checkpoint(unsigned shard,
                                                                    std::string_view blob) override;
    // Every shard checkpoint stored (by any number of shards), reassembled.
    [[nodiscard]] std::expected<std::vector<std::string>, std::string> read_checkpoints() const;
    // Deletes the checkpoints of shards numbered `first` and above (fewer shards than before).
    [[nodiscard]] std::expected<void, std::string> drop_checkpoints_from(unsigned first);

    // Column family `dead_letters`: messages a source could not turn into records (a Kafka
    // message too large or empty), as JSON under a growing number; only the newest `cap` are
    // kept. Thread-safe (the Kafka source's thread writes them).
    [[nodiscard]] std::expected<void, std::string> write_dead_letter(std::string_view json,
                                                                     std::size_t cap) override;
    [[nodiscard]] std::expected<std::vector<std::string>, std::string> dead_letters() const;

    // Persists the WAL and memtables (shutdown).
    [[nodiscard]] std::expected<void, std::string> flush() override;

    [[nodiscard]] std::expected<std::vector<std::string>, std::string>
    list(const alert_query& query) const;

    [[nodiscard]] static std::filesystem::path database_path(const std::filesystem::path& data_dir);

private:
    alert_store() = default;
    [[nodiscard]] std::expected<std::optional<std::string>, std::string>
    get(const std::string& key) const;
    // Before a write: room on the disk, and RocksDB out of an earlier error.
    [[nodiscard]] std::expected<void, std::string> ready_to_write(std::size_t bytes);

    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> handles_;
    rocksdb::ColumnFamilyHandle* alerts_ = nullptr;
    rocksdb::ColumnFamilyHandle* by_rule_ = nullptr;
    rocksdb::ColumnFamilyHandle* meta_ = nullptr;
    rocksdb::ColumnFamilyHandle* state_ = nullptr;
    rocksdb::ColumnFamilyHandle* dead_letters_ = nullptr;
    std::atomic<std::uint64_t> next_dead_letter_{1};
    std::unique_ptr<disk_space_guard> disk_;
    std::atomic<bool> resume_needed_{false};
};

} // namespace vigil::alert
