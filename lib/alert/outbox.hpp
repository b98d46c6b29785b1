#pragma once

#include "alert/alert.hpp"
#include "alert/store_batch.hpp"

#include <atomic>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatch;
} // namespace rocksdb

namespace vigil::alert {

// Who gets which alerts: a delivery destination (webhook, Kafka topic) and its filter.
struct outbox_route {
    std::string destination;
    std::function<bool(const alert&)> wants;
};

// One alert waiting for one destination.
struct outbox_entry {
    std::uint64_t sequence = 0; // order of arrival, over all destinations
    std::int64_t enqueued_ms = 0;
    std::string alert_id;
};

// The durable queue of deliveries (ARCHITECTURE.md §6, "Outbox"). Column family `outbox` holds
// one *group* per destination and alert-stage write: "<destination>\0<first sequence, 8 bytes
// big-endian>" -> "<queued ms, 8 bytes><alert id>..." (its members take consecutive sequence
// numbers), put in the WriteBatch that stores the alerts (alert_store::write). A member that
// left the queue (the destination took it: 2xx, a Kafka delivery report; or it went to the
// dead letters) leaves a marker "<destination>\0<sequence>d"; the last one removes the group
// and its markers instead. One entry per group: an entry per alert and destination was about
// a fifth of the alert stage's time in RocksDB. `outbox_dead` keeps what could not be
// delivered within a destination's maximum age, as JSON, until `retry_dead` queues it again
// (a group of one). Part of the alert store (same database); thread-safe.
class outbox {
public:
    using ready_check = std::function<std::expected<void, std::string>()>;
    outbox(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* pending, rocksdb::ColumnFamilyHandle* dead,
           ready_check ready);

    // Before the pipeline starts: the destinations, and what to call after a write queued
    // deliveries (wakes the senders).
    void set_routes(std::vector<outbox_route> routes, std::function<void()> queued);

    // alert_store::write: the new alerts (not updates of suppressed ones) each route wants.
    // Returns how many were queued per route (empty when none).
    [[nodiscard]] std::vector<std::uint64_t> add_to(store_batch& batch,
                                                    std::span<const alert> alerts);
    // After the batch is written, with what add_to returned: counts them, wakes the senders.
    void written(const std::vector<std::uint64_t>& queued);

    // Up to `max` entries of `destination` with sequence numbers above `after`, oldest first.
    // The groups it walks are known from then on (delivered and give_up need them).
    [[nodiscard]] std::expected<std::vector<outbox_entry>, std::string>
    pending(std::string_view destination, std::uint64_t after, std::size_t max);
    // The destination took it.
    [[nodiscard]] std::expected<void, std::string> delivered(std::string_view destination,
                                                             std::uint64_t sequence);
    // Moves the entry to the dead letters with the reason (a JSON document).
    [[nodiscard]] std::expected<void, std::string>
    give_up(std::string_view destination, const outbox_entry& entry, std::uint32_t attempts,
            std::string_view error, std::int64_t now_ms);

    // The dead deliveries, oldest first: {"destination", "alert_id", "enqueued_at",
    // "failed_at", "attempts", "error"}.
    [[nodiscard]] std::expected<std::vector<std::string>, std::string> dead() const;
    // Queues the dead deliveries (of one destination, or all) again; returns how many.
    [[nodiscard]] std::expected<std::uint64_t, std::string>
    retry_dead(const std::optional<std::string>& destination, std::int64_t now_ms);

    // Entries waiting for `destination` (counted since set_routes; -1 for no such route).
    [[nodiscard]] std::int64_t depth(std::string_view destination) const;

private:
    void recover_sequence();
    // Adds to `batch` that `sequence` left the queue (its marker, or, the group's last, the
    // removal of the group and its markers), writes it and notes it. `doing` names the write
    // in an error.
    [[nodiscard]] std::expected<void, std::string> leave(store_batch& batch,
                                                         std::string_view destination,
                                                         std::uint64_t sequence,
                                                         std::string_view doing);
    void remove_group(store_batch& batch, std::string_view destination, std::uint64_t first,
                      std::size_t members) const;
    [[nodiscard]] std::uint64_t count(std::string_view destination) const; // a scan
    void adjust_depth(std::string_view destination, std::int64_t by);

    rocksdb::DB& db_;
    rocksdb::ColumnFamilyHandle* pending_;
    rocksdb::ColumnFamilyHandle* dead_;
    ready_check ready_;
    std::vector<outbox_route> routes_;
    std::function<void()> queued_;
    std::unique_ptr<std::atomic<std::int64_t>[]> depths_; // per route
    std::atomic<std::uint64_t> next_sequence_{1};
    // The groups pending() walked, per destination, by first sequence: which members have
    // left the queue. Under the mutex, which a member's leaving holds through its write: two
    // members leaving at once must not both think the other is left.
    std::mutex groups_mutex_;
    std::map<std::string, std::map<std::uint64_t, std::vector<bool>>, std::less<>> groups_;
};

} // namespace vigil::alert
