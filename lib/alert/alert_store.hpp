#pragma once

#include "alert/alert.hpp"
#include "alert/alert_facts.hpp"
#include "alert/alert_query.hpp"
#include "alert/alert_writer.hpp"
#include "alert/deadline_book.hpp"
#include "alert/disk_space_guard.hpp"
#include "alert/document_log.hpp"
#include "alert/incident_part.hpp"
#include "alert/outbox.hpp"
#include "alert/store_batch.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <rocksdb/write_batch.h>
#include <span>
#include <string>
#include <vector>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
} // namespace rocksdb

namespace vigil::alert {

// How much of the store to keep (config `alerts.max_age`, `alerts.max_bytes`); 0 = no limit.
struct retention_policy {
    std::int64_t max_age_ms = 0; // alerts about events older than this go (by their id's time)
    std::uint64_t max_bytes = 0; // the oldest alerts go while the alert documents exceed this
};

// What one retention pass removed.
struct expired_alerts {
    std::uint64_t by_age = 0;
    std::uint64_t by_size = 0;
};

// Alerts in RocksDB (ARCHITECTURE.md §6): column family `alerts` maps the ULID text to the alert
// JSON, or to its place in the document_log beside the database (the alert stage's documents);
// `alerts_by_rule`, `_by_level`, `_by_status`, `_by_host` and `_by_source` index them
// ("<value>\0<ULID>", written in the same WriteBatch); `meta` holds the format version, `state`
// the correlator checkpoints, `dead_letters` what sources could not use.
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

    // Writes the alerts and their index entries (alert::terms) in one atomic WriteBatch with the
    // WAL on. An alert stored before (an update) keeps its old index entries and gains new ones.
    [[nodiscard]] std::expected<void, std::string> write(std::span<const alert> alerts) override;

    // Column family `state`: the shard's state in chunks of at most 4 MiB under
    // "shard/<shard, 5 digits>/<chunk, 8 digits>" (replacing the old chunks) and each waiting
    // segment under "shard/<shard>/w<serial, u64 big-endian>", in one WriteBatch.
    [[nodiscard]] std::expected<void, std::string>
    write_checkpoint(unsigned shard, const shard_checkpoint& checkpoint) override;
    // Every shard checkpoint stored (by any number of shards), reassembled.
    [[nodiscard]] std::expected<std::vector<stored_checkpoint>, std::string>
    read_checkpoints() const;
    // Deletes the checkpoints of shards numbered `first` and above (fewer shards than before).
    [[nodiscard]] std::expected<void, std::string> drop_checkpoints_from(unsigned first);

    // Column family `dead_letters`: messages a source could not turn into records (a Kafka
    // message too large or empty), as JSON under a growing number; only the newest `cap` are
    // kept. Thread-safe (the Kafka source's thread writes them).
    [[nodiscard]] std::expected<void, std::string> write_dead_letter(std::string_view json,
                                                                     std::size_t cap) override;
    [[nodiscard]] std::expected<std::vector<std::string>, std::string> dead_letters() const;

    // The delivery outbox (column families `outbox`, `outbox_dead`); null for a read-only
    // reader of a store written before it existed.
    [[nodiscard]] outbox* deliveries() { return outbox_.get(); }
    [[nodiscard]] const outbox* deliveries() const { return outbox_.get(); }
    // outbox::dead, or none for a store without an outbox.
    [[nodiscard]] std::expected<std::vector<std::string>, std::string> dead_deliveries() const {
        return outbox_ ? outbox_->dead() : std::vector<std::string>();
    }

    // Persists the WAL and memtables (shutdown).
    [[nodiscard]] std::expected<void, std::string> flush() override;

    // One page of the alerts `query` selects, newest first. Walks the most selective index
    // the query names (rule, host, source, a single level or status) or else the alerts by
    // time, and checks the other filters against their indexes. A page examines at most
    // `scan_budget` alerts: it may hold fewer than `limit` with a next cursor set.
    [[nodiscard]] std::expected<alert_page, std::string> list(const alert_query& query) const;
    static constexpr std::size_t scan_budget = 100'000;

    // The report facts (alert/alert_facts.hpp) of the alerts of `tenant` ("" for the alerts of
    // no tenant; none: every tenant) whose ids fall in [since_ms, until_ms): tenant by tenant,
    // oldest first, visit(tenant, id, facts). Walks the tenant index only, never the
    // documents. Returns how many entries could not be decoded (skipped, and logged once).
    using facts_visitor =
        std::function<void(std::string_view tenant, std::string_view id, const alert_facts&)>;
    [[nodiscard]] std::expected<std::uint64_t, std::string>
    for_each_facts(const std::optional<std::string>& tenant, std::int64_t since_ms,
                   std::int64_t until_ms, const facts_visitor& visit) const;

    // Why change_incident changed nothing: the change was refused (an invalid lifecycle step,
    // with its reason) or the store failed.
    struct change_error {
        enum class kind { rejected, failed } why;
        std::string reason;
    };
    // Applies `change` to the incident part of alert `id` (alert/incident_part.hpp) and stores
    // the document with an index entry for its new status, in one WriteBatch. Holds the lock
    // that write() takes, so a later state of the detection arriving meanwhile keeps the change
    // (write() keeps the stored incident part of an update). Returns the new document, or
    // nothing when there is no such alert. Read-write mode; any thread.
    [[nodiscard]] std::expected<std::optional<std::string>, change_error>
    change_incident(std::string_view id,
                    const std::function<std::expected<void, std::string>(incident_part&)>& change);

    // The SLA deadlines due at `now_ms` or before (deadline_book), earliest first, at most
    // `max`.
    [[nodiscard]] std::expected<std::vector<due_deadline>, std::string>
    due_deadlines(std::int64_t now_ms, std::size_t max) const;
    // Handles one due deadline, under the lock of change_incident: `make` sees the alert's
    // document and incident part and, when the deadline is still undecided, records the
    // escalation in the part and returns the escalation alert. In one WriteBatch: the alert,
    // the escalation alert (indexes, outbox), and the deadline's entry deleted, so each missed
    // deadline escalates once, across restarts. Returns the escalation alert stored, or
    // nothing (decided meanwhile, or the alert is gone: the entry is deleted all the same).
    [[nodiscard]] std::expected<std::optional<alert>, std::string>
    escalate(const due_deadline& due,
             const std::function<std::optional<alert>(std::string_view, incident_part&)>& make);

    // The alert document with this id (26-character ULID text), or nothing.
    [[nodiscard]] std::expected<std::optional<std::string>, std::string>
    find(std::string_view id) const;

    // Deletes, with their index entries, the alerts older than the policy's age and then the
    // oldest ones while the `alerts` column family and the document files hold more than its
    // bytes (then compacts the deleted range so the next measurement sees the space returned,
    // and removes or rewrites the document files no longer referenced, ARCHITECTURE.md §6).
    [[nodiscard]] std::expected<expired_alerts, std::string> expire(const retention_policy& policy,
                                                                    std::int64_t now_ms);
    // The approximate size of the alert documents on disk and in memory.
    [[nodiscard]] std::uint64_t alerts_bytes() const;

    [[nodiscard]] static std::filesystem::path database_path(const std::filesystem::path& data_dir);

private:
    alert_store() = default;
    enum class index { rule, level, status, host, source, tenant, count };
    [[nodiscard]] rocksdb::ColumnFamilyHandle* family(index i) const {
        return indexes_[static_cast<std::size_t>(i)];
    }
    // Deletes the alerts, oldest first, while `more(id)` says so;
    // at most `max` per call. Returns how many went.
    template <typename More>
    std::expected<std::uint64_t, std::string> delete_oldest(More more, std::size_t max);
    // The id before which the oldest alerts take about `bytes` on disk (whole blocks: the
    // estimate moves in steps of a data block).
    [[nodiscard]] std::string oldest_holding(std::uint64_t bytes) const;
    // Indexes every stored alert (a database of format 1 had only the rule index).
    [[nodiscard]] std::expected<void, std::string> build_indexes();
    // What write() stores of one alert of a group.
    struct group_document {
        std::string_view json;
        const incident_part* kept = nullptr; // an update's stored incident part, kept
        std::array<char, 26> id{};           // the alert's id as text, made once
        bool superseded = false;             // a later alert of the group has the same id
        [[nodiscard]] std::string_view id_text() const { return {id.data(), id.size()}; }
    };
    // The index entries of `alerts` (documents[n] is what is stored of alerts[n]; superseded
    // ones get none), index by index.
    void add_index_entries(store_batch& batch, std::span<const alert> alerts,
                           std::span<const group_document> documents) const;
    // Every index entry of one alert (the tenant one with its facts).
    void put_index_entries(store_batch& batch, std::string_view id, const alert_terms& terms,
                           const alert_facts& facts) const;
    // The index entries a lifecycle step or an escalation changes: the status entry moves from
    // `old_status` (deleted, so no stale entry outlives the alert) to the new one, and the
    // tenant entry gets the new facts. The other entries stay as they are.
    void restate_index_entries(store_batch& batch, std::string_view id, std::string_view old_status,
                               const alert_terms& terms, const alert_facts& facts) const;
    // An update of alert `id` whose values changed (a rule reload changed its level, its
    // evidence names other hosts): the entries of its `before` values that `after` (with the
    // status it is stored with) no longer has go, so none outlives the alert's retention. Two
    // updates of one alert in one write are compared with the store, not with each other.
    void delete_stale_index_entries(store_batch& batch, std::string_view id,
                                    const alert_terms& before, const alert_terms& after,
                                    std::string_view status) const;
    // For a later state `json` of alert `id` (`stored`: the document in the store): the stored
    // incident part, if it differs, in `kept` (the new detection with the stored incident part)
    // and `part`.
    [[nodiscard]] bool keep_incident_part(std::string_view id, std::string_view stored,
                                          std::string_view json, std::string& kept,
                                          incident_part& part) const;
    // The document an `alerts` value stands for (itself, or the document_log's record).
    [[nodiscard]] std::expected<std::string, std::string> document_of(std::string_view id,
                                                                      std::string_view value) const;
    // Puts the group's documents (`stored`: positions in `documents`, in id order) in the
    // document_log and their places in `batch`.
    [[nodiscard]] std::expected<void, std::string>
    put_documents(store_batch& batch, std::span<const alert> alerts,
                  std::span<const group_document> documents, std::span<const std::uint32_t> stored);
    // Removes the document files of the hours before the oldest alert left; after retention
    // by size (which cuts into an hour), rewrites that alert's hour without what was removed.
    void remove_expired_documents(bool rewrite_oldest_hour);
    // Rewrites the document files of `hour` with only the documents alerts still refer to.
    void rewrite_documents_of(std::uint32_t hour);
    // Before a write: room on the disk, and RocksDB out of an earlier error.
    [[nodiscard]] std::expected<void, std::string> ready_to_write(std::size_t bytes);

    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> handles_;
    rocksdb::ColumnFamilyHandle* alerts_ = nullptr;
    std::array<rocksdb::ColumnFamilyHandle*, static_cast<std::size_t>(index::count)> indexes_{};
    rocksdb::ColumnFamilyHandle* meta_ = nullptr;
    rocksdb::ColumnFamilyHandle* state_ = nullptr;
    rocksdb::ColumnFamilyHandle* dead_letters_ = nullptr;
    std::atomic<std::uint64_t> next_dead_letter_{1};
    std::unique_ptr<disk_space_guard> disk_;
    std::unique_ptr<document_log> documents_;
    std::unique_ptr<outbox> outbox_;
    std::unique_ptr<deadline_book> deadlines_;
    std::atomic<bool> resume_needed_{false};
    std::mutex incident_mutex_; // write() and change_incident()
    store_batch write_batch_;   // write()'s, under incident_mutex_
};

} // namespace vigil::alert
