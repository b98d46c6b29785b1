#pragma once

#include "alert/alert.hpp"
#include "alert/incident_part.hpp"

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatch;
} // namespace rocksdb

namespace vigil::alert {

// Which SLA deadline of an alert.
enum class deadline_kind : char { notify = 'n', contain = 'c' };
[[nodiscard]] std::string_view to_string(deadline_kind k);

// A deadline that has come (deadline_book::due).
struct due_deadline {
    std::string alert_id;
    deadline_kind kind = deadline_kind::notify;
    std::int64_t due_ms = 0;
    std::string key; // its entry, to delete once handled
};

// The SLA deadlines still to watch (ARCHITECTURE.md §6, "Escalation"): column family
// `deadlines` holds "<due ms, 8 bytes big-endian><kind><alert id>" -> "" for every deadline of
// an alert that no lifecycle step has decided yet, put in the WriteBatch that stores the alert,
// deleted in the one that decides it or escalates it. Survives restarts: whatever is still
// there when vigild starts is watched again. Part of the alert store; thread-safe.
class deadline_book {
public:
    deadline_book(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family)
        : db_(db), family_(family) {}

    // The entries of a new alert's deadlines (alert::notify_by_ns, contain_by_ns).
    void add_to(rocksdb::WriteBatch& batch, const alert& a) const;
    // Deletes the entries of the deadlines `part` has decided.
    void remove_decided(rocksdb::WriteBatch& batch, std::string_view id,
                        const incident_part& part) const;
    void remove(rocksdb::WriteBatch& batch, const due_deadline& d) const;
    // The deadlines due at `now_ms` or before, earliest first, at most `max`.
    [[nodiscard]] std::expected<std::vector<due_deadline>, std::string> due(std::int64_t now_ms,
                                                                            std::size_t max) const;

private:
    [[nodiscard]] static std::string key(std::int64_t due_ms, deadline_kind kind,
                                         std::string_view id);
    rocksdb::DB& db_;
    rocksdb::ColumnFamilyHandle* family_;
};

} // namespace vigil::alert
