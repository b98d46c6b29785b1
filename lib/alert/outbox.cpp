#include "alert/outbox.hpp"

#include "core/big_endian.hpp"
#include "core/civil_time.hpp"
#include "core/json_writer.hpp"

#include <memory>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <simdjson.h>

namespace vigil::alert {
namespace {

void write_entry_key(std::string& key, std::string_view destination, std::uint64_t sequence) {
    key.assign(destination);
    key += '\0';
    core::append_u64_be(key, sequence);
}

std::string entry_key(std::string_view destination, std::uint64_t sequence) {
    std::string key;
    write_entry_key(key, destination, sequence);
    return key;
}

void write_entry_value(std::string& value, std::int64_t enqueued_ms, std::string_view alert_id) {
    value.clear();
    core::append_u64_be(value, static_cast<std::uint64_t>(enqueued_ms));
    value.append(alert_id);
}

std::string entry_value(std::int64_t enqueued_ms, std::string_view alert_id) {
    std::string value;
    write_entry_value(value, enqueued_ms, alert_id);
    return value;
}

} // namespace

outbox::outbox(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* pending,
               rocksdb::ColumnFamilyHandle* dead, ready_check ready)
    : db_(db), pending_(pending), dead_(dead), ready_(std::move(ready)) {
    recover_sequence();
}

void outbox::recover_sequence() {
    // The highest sequence number in use, pending or dead (keys are few: what is undelivered).
    std::uint64_t highest = 0;
    for (auto* family : {pending_, dead_}) {
        std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), family));
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            const auto key = it->key();
            if (key.size() >= 9) {
                highest = std::max(
                    highest, core::read_u64_be(std::string_view(key.data() + key.size() - 8, 8)));
            }
        }
    }
    next_sequence_.store(highest + 1);
}

void outbox::set_routes(std::vector<outbox_route> routes, std::function<void()> queued) {
    routes_ = std::move(routes);
    queued_ = std::move(queued);
    depths_ = std::make_unique<std::atomic<std::int64_t>[]>(routes_.size());
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        depths_[r].store(static_cast<std::int64_t>(count(routes_[r].destination)));
    }
}

std::int64_t outbox::depth(std::string_view destination) const {
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        if (routes_[r].destination == destination) {
            return depths_[r].load();
        }
    }
    return -1;
}

void outbox::adjust_depth(std::string_view destination, std::int64_t by) {
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        if (routes_[r].destination == destination) {
            depths_[r].fetch_add(by);
        }
    }
}

std::vector<std::uint64_t> outbox::add_to(store_batch& batch, std::span<const alert> alerts) {
    std::vector<std::uint64_t> queued;
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::string key;
    std::string value;
    for (const auto& a : alerts) {
        if (a.update) {
            continue; // a suppressed alert's new count: delivered once, when it was raised
        }
        for (std::size_t r = 0; r < routes_.size(); ++r) {
            if (routes_[r].wants(a)) {
                const auto id = a.id.text();
                write_entry_key(key, routes_[r].destination, next_sequence_.fetch_add(1));
                write_entry_value(value, now_ms, std::string_view(id.data(), id.size()));
                batch.Put(pending_, key, value);
                queued.resize(routes_.size());
                ++queued[r];
            }
        }
    }
    return queued;
}

void outbox::written(const std::vector<std::uint64_t>& queued) {
    for (std::size_t r = 0; r < queued.size() && r < routes_.size(); ++r) {
        depths_[r].fetch_add(static_cast<std::int64_t>(queued[r]));
    }
    if (queued_) {
        queued_();
    }
}

std::expected<std::vector<outbox_entry>, std::string>
outbox::pending(std::string_view destination, std::uint64_t after, std::size_t max) const {
    std::vector<outbox_entry> out;
    const std::string prefix = std::string(destination) + '\0';
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), pending_));
    for (it->Seek(entry_key(destination, after + 1));
         it->Valid() && it->key().starts_with(prefix) && out.size() < max; it->Next()) {
        const auto key = it->key();
        const auto value = it->value();
        if (key.size() != prefix.size() + 8 || value.size() < 8) {
            continue;
        }
        out.push_back(
            {core::read_u64_be(std::string_view(key.data() + prefix.size(), 8)),
             static_cast<std::int64_t>(core::read_u64_be(std::string_view(value.data(), 8))),
             std::string(value.data() + 8, value.size() - 8)});
    }
    if (!it->status().ok()) {
        return std::unexpected("reading the outbox failed: " + it->status().ToString());
    }
    return out;
}

std::expected<void, std::string> outbox::delivered(std::string_view destination,
                                                   std::uint64_t sequence) {
    if (auto ready = ready_(); !ready) {
        return ready;
    }
    if (auto s = db_.Delete(rocksdb::WriteOptions(), pending_, entry_key(destination, sequence));
        !s.ok()) {
        return std::unexpected("removing a delivered alert from the outbox failed: " +
                               s.ToString());
    }
    adjust_depth(destination, -1);
    return {};
}

std::expected<void, std::string> outbox::give_up(std::string_view destination,
                                                 const outbox_entry& entry, std::uint32_t attempts,
                                                 std::string_view error, std::int64_t now_ms) {
    std::string json;
    core::json_writer w(json);
    w.begin_object()
        .field("destination", destination)
        .field("alert_id", entry.alert_id)
        .field("enqueued_at", core::rfc3339(entry.enqueued_ms * 1'000'000).view())
        .field("failed_at", core::rfc3339(now_ms * 1'000'000).view())
        .field("attempts", static_cast<std::uint64_t>(attempts))
        .field("error", error)
        .end_object();
    store_batch batch;
    batch.Delete(pending_, entry_key(destination, entry.sequence));
    batch.Put(dead_, entry_key(destination, entry.sequence), json);
    if (auto ready = ready_(); !ready) {
        return ready;
    }
    if (auto s = batch.write(db_, rocksdb::WriteOptions()); !s.ok()) {
        return std::unexpected("moving an undeliverable alert to the dead letters failed: " +
                               s.ToString());
    }
    adjust_depth(destination, -1);
    return {};
}

std::expected<std::vector<std::string>, std::string> outbox::dead() const {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), dead_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        out.push_back(it->value().ToString());
    }
    if (!it->status().ok()) {
        return std::unexpected("reading dead deliveries failed: " + it->status().ToString());
    }
    return out;
}

std::expected<std::uint64_t, std::string>
outbox::retry_dead(const std::optional<std::string>& destination, std::int64_t now_ms) {
    store_batch batch;
    std::uint64_t moved = 0;
    std::vector<std::string> retried; // their destinations
    simdjson::dom::parser parser;
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), dead_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const auto key = it->key();
        if (key.size() < 9) {
            continue;
        }
        const std::string_view name(key.data(), key.size() - 9);
        if (destination && name != *destination) {
            continue;
        }
        simdjson::dom::element doc;
        std::string_view alert_id;
        if (parser.parse(it->value().data(), it->value().size()).get(doc) ||
            doc["alert_id"].get(alert_id)) {
            continue;
        }
        batch.Delete(dead_, key);
        batch.Put(pending_, entry_key(name, next_sequence_.fetch_add(1)),
                  entry_value(now_ms, alert_id));
        retried.emplace_back(name);
        ++moved;
    }
    if (!it->status().ok()) {
        return std::unexpected("reading dead deliveries failed: " + it->status().ToString());
    }
    if (moved == 0) {
        return moved;
    }
    if (auto ready = ready_(); !ready) {
        return std::unexpected(ready.error());
    }
    if (auto s = batch.write(db_, rocksdb::WriteOptions()); !s.ok()) {
        return std::unexpected("queueing dead deliveries again failed: " + s.ToString());
    }
    for (const auto& name : retried) {
        adjust_depth(name, 1);
    }
    if (queued_) {
        queued_();
    }
    return moved;
}

std::uint64_t outbox::count(std::string_view destination) const {
    const std::string prefix = std::string(destination) + '\0';
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(rocksdb::ReadOptions(), pending_));
    std::uint64_t n = 0;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        ++n;
    }
    return n;
}

} // namespace vigil::alert
