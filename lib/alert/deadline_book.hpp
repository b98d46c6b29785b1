#pragma once

#include "alert/alert.hpp"
#include "alert/incident_part.hpp"
#include "alert/store_batch.hpp"

#include <cstdint>
#include <expected>
#include <optional>
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
// `deadlines` holds "<due ms, 8 bytes big-endian><kind><alert id>" -> "", one entry per alert:
// its earliest deadline that no lifecycle step has decided and no escalation has handled yet.
// Put in the WriteBatch that stores the alert; the batch of a step that decides it, or of its
// escalation, moves the entry on to the next such deadline (or deletes it). One entry instead
// of one per deadline: an entry fewer per alert for the alert stage. Survives
// restarts: whatever is still there when vigild starts is watched again. Part of the alert
// store; thread-safe.
class deadline_book {
public:
    deadline_book(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family)
        : db_(db), family_(family) {}

    // The entry of a new alert (alert::notify_by_ns, contain_by_ns: the earlier one).
    void add_to(store_batch& batch, const alert& a) const;
    // After a lifecycle step changed the incident part `before` into `after`: the entry moves
    // to the deadline `after` watches, if that differs.
    void follow(store_batch& batch, std::string_view id, const incident_part& before,
                const incident_part& after) const;
    // After an escalation handled `d` (its entry deleted) and recorded it in `part`: the entry
    // of the next deadline `part` watches, if any.
    void handled(store_batch& batch, const due_deadline& d, const incident_part& part) const;
    void remove(store_batch& batch, const due_deadline& d) const;
    // The deadlines due at `now_ms` or before, earliest first, at most `max`.
    [[nodiscard]] std::expected<std::vector<due_deadline>, std::string> due(std::int64_t now_ms,
                                                                            std::size_t max) const;

private:
    // The entry `part` is watched by: its earliest deadline still pending and not escalated.
    [[nodiscard]] static std::optional<std::string> watched(std::string_view id,
                                                            const incident_part& part);
    [[nodiscard]] static std::string key(std::int64_t due_ms, deadline_kind kind,
                                         std::string_view id);
    rocksdb::DB& db_;
    rocksdb::ColumnFamilyHandle* family_;
};

} // namespace vigil::alert
