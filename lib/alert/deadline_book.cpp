#include "alert/deadline_book.hpp"

#include "core/big_endian.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

namespace vigil::alert {

std::string_view to_string(deadline_kind k) {
    return k == deadline_kind::notify ? "notify" : "contain";
}

namespace {

// One of an alert's two deadlines: when, which, and whether it can still be missed (no step
// decided it, no escalation handled it).
struct deadline_candidate {
    std::int64_t by_ns;
    deadline_kind kind;
    bool open;
};

// The earliest open deadline of the two (in milliseconds), if any.
std::optional<std::pair<std::int64_t, deadline_kind>>
earliest(std::initializer_list<deadline_candidate> candidates) {
    std::optional<std::pair<std::int64_t, deadline_kind>> first;
    for (const auto& c : candidates) {
        if (c.by_ns == 0 || !c.open) {
            continue;
        }
        if (!first || c.by_ns / 1'000'000 < first->first) {
            first = std::pair{c.by_ns / 1'000'000, c.kind};
        }
    }
    return first;
}

constexpr std::size_t due_size = 8 + 1; // due time, kind

// The entry's key: due time (big-endian milliseconds, so entries sort by it), kind, alert id.
template <typename Out>
void write_key(Out& out, std::int64_t due_ms, deadline_kind kind, std::string_view id) {
    core::write_u64_be(out.data(), static_cast<std::uint64_t>(std::max<std::int64_t>(0, due_ms)));
    out[8] = static_cast<char>(kind);
    id.copy(out.data() + due_size, id.size());
}

} // namespace

std::string deadline_book::key(std::int64_t due_ms, deadline_kind kind, std::string_view id) {
    std::string out(due_size + id.size(), '\0');
    write_key(out, due_ms, kind, id);
    return out;
}

std::optional<std::string> deadline_book::watched(std::string_view id, const incident_part& part) {
    const auto open = [&](sla_outcome outcome, deadline_kind k) {
        return outcome == sla_outcome::pending &&
               std::none_of(part.escalations.begin(), part.escalations.end(),
                            [&](const auto& e) { return e.deadline == to_string(k); });
    };
    const auto first = earliest(
        {{part.notify_by_ns, deadline_kind::notify, open(part.notify, deadline_kind::notify)},
         {part.contain_by_ns, deadline_kind::contain, open(part.contain, deadline_kind::contain)}});
    if (!first) {
        return std::nullopt;
    }
    return key(first->first, first->second, id);
}

void deadline_book::add_to(store_batch& batch, const alert& a) const {
    // A new alert: no step has decided either deadline, none is escalated. Its key is built on
    // the stack (the stage writes one per alert).
    const auto first = earliest({{a.notify_by_ns, deadline_kind::notify, true},
                                 {a.contain_by_ns, deadline_kind::contain, true}});
    if (!first) {
        return;
    }
    const auto id = a.id.text();
    std::array<char, due_size + id.size()> entry{};
    write_key(entry, first->first, first->second, std::string_view(id.data(), id.size()));
    batch.Put(family_, rocksdb::Slice(entry.data(), entry.size()), rocksdb::Slice());
}

void deadline_book::follow(store_batch& batch, std::string_view id, const incident_part& before,
                           const incident_part& after) const {
    const auto was = watched(id, before);
    const auto now = watched(id, after);
    if (was == now) {
        return;
    }
    if (was) {
        batch.Delete(family_, *was);
    }
    if (now) {
        batch.Put(family_, *now, "");
    }
}

void deadline_book::handled(store_batch& batch, const due_deadline& d,
                            const incident_part& part) const {
    if (auto next = watched(d.alert_id, part); next && *next != d.key) {
        batch.Put(family_, *next, "");
    }
}

void deadline_book::remove(store_batch& batch, const due_deadline& d) const {
    batch.Delete(family_, d.key);
}

std::expected<std::vector<due_deadline>, std::string> deadline_book::due(std::int64_t now_ms,
                                                                         std::size_t max) const {
    std::vector<due_deadline> out;
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), family_));
    for (it->SeekToFirst(); it->Valid() && out.size() < max; it->Next()) {
        const std::string_view k(it->key().data(), it->key().size());
        if (k.size() < 10) {
            continue; // not an entry of ours
        }
        const auto due_ms = static_cast<std::int64_t>(core::read_u64_be(k.substr(0, 8)));
        if (due_ms > now_ms) {
            break;
        }
        out.push_back(
            {std::string(k.substr(9)), static_cast<deadline_kind>(k[8]), due_ms, std::string(k)});
    }
    if (!it->status().ok()) {
        return std::unexpected("reading deadlines failed: " + it->status().ToString());
    }
    return out;
}

} // namespace vigil::alert
