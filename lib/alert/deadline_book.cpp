#include "alert/deadline_book.hpp"

#include "core/big_endian.hpp"

#include <algorithm>
#include <memory>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <tuple>

namespace vigil::alert {

std::string_view to_string(deadline_kind k) {
    return k == deadline_kind::notify ? "notify" : "contain";
}

std::string deadline_book::key(std::int64_t due_ms, deadline_kind kind, std::string_view id) {
    std::string out;
    out.reserve(9 + id.size());
    core::append_u64_be(out, static_cast<std::uint64_t>(std::max<std::int64_t>(0, due_ms)));
    out.push_back(static_cast<char>(kind));
    out.append(id);
    return out;
}

std::optional<std::string> deadline_book::watched(std::string_view id, const incident_part& part) {
    const auto escalated = [&](deadline_kind k) {
        return std::any_of(part.escalations.begin(), part.escalations.end(),
                           [&](const auto& e) { return e.deadline == to_string(k); });
    };
    std::optional<std::pair<std::int64_t, deadline_kind>> first;
    for (auto [by_ns, outcome, kind] :
         {std::tuple{part.notify_by_ns, part.notify, deadline_kind::notify},
          std::tuple{part.contain_by_ns, part.contain, deadline_kind::contain}}) {
        if (by_ns == 0 || outcome != sla_outcome::pending || escalated(kind)) {
            continue;
        }
        if (!first || by_ns / 1'000'000 < first->first) {
            first = std::pair{by_ns / 1'000'000, kind};
        }
    }
    if (!first) {
        return std::nullopt;
    }
    return key(first->first, first->second, id);
}

void deadline_book::add_to(store_batch& batch, const alert& a) const {
    incident_part part;
    part.notify_by_ns = a.notify_by_ns;
    part.contain_by_ns = a.contain_by_ns;
    const auto text = a.id.text();
    if (auto entry = watched(std::string_view(text.data(), text.size()), part)) {
        batch.Put(family_, *entry, "");
    }
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
