#include "alert/deadline_book.hpp"

#include "core/big_endian.hpp"

#include <memory>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

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

void deadline_book::add_to(rocksdb::WriteBatch& batch, const alert& a) const {
    if (a.notify_by_ns == 0 && a.contain_by_ns == 0) {
        return;
    }
    const auto text = a.id.text();
    const std::string_view id(text.data(), text.size());
    batch.Put(family_, key(a.notify_by_ns / 1'000'000, deadline_kind::notify, id), "");
    batch.Put(family_, key(a.contain_by_ns / 1'000'000, deadline_kind::contain, id), "");
}

void deadline_book::remove_decided(rocksdb::WriteBatch& batch, std::string_view id,
                                   const incident_part& part) const {
    if (part.notify != sla_outcome::pending) {
        batch.Delete(family_, key(part.notify_by_ns / 1'000'000, deadline_kind::notify, id));
    }
    if (part.contain != sla_outcome::pending) {
        batch.Delete(family_, key(part.contain_by_ns / 1'000'000, deadline_kind::contain, id));
    }
}

void deadline_book::remove(rocksdb::WriteBatch& batch, const due_deadline& d) const {
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
