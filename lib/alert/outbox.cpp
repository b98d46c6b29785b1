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

constexpr std::size_t id_size = 26;
constexpr std::size_t sequence_size = 8;
constexpr std::size_t queued_size = 8; // the queued time before a group's ids
constexpr char done_mark = 'd';

std::string destination_prefix(std::string_view destination) {
    std::string prefix(destination);
    prefix += '\0';
    return prefix;
}

// "<destination>\0<sequence>": a group's key (its first member's sequence); a dead letter's.
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

// "<destination>\0<sequence>d": a member of a group that left the queue (delivered, or dead).
// It sorts after its group's key and before the next group's.
std::string done_key(std::string_view destination, std::uint64_t sequence) {
    std::string key = entry_key(destination, sequence);
    key += done_mark;
    return key;
}

// A group's value: the time it was queued, then its members' alert ids in sequence order.
std::string entry_value(std::int64_t enqueued_ms, std::string_view alert_id) {
    std::string value;
    core::append_u64_be(value, static_cast<std::uint64_t>(enqueued_ms));
    value.append(alert_id);
    return value;
}

// Members of a group value; 0 for a malformed one.
std::size_t members_of(std::string_view value) {
    if (value.size() < queued_size + id_size || (value.size() - queued_size) % id_size != 0) {
        return 0;
    }
    return (value.size() - queued_size) / id_size;
}

// Walks the groups of the destination whose keys start with `prefix`, in sequence order:
// visit(first, value, done) for each, `done` marking the members whose markers follow its
// key; stops early when visit returns false.
template <typename Visit>
rocksdb::Status walk_groups(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                            std::string_view prefix, Visit visit) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), family));
    std::uint64_t first = 0;
    std::string value;
    std::vector<bool> done;
    bool open = false;
    bool go_on = true;
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
         go_on && it->Valid() &&
         it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
         it->Next()) {
        const std::string_view rest(it->key().data() + prefix.size(),
                                    it->key().size() - prefix.size());
        if (rest.size() == sequence_size + 1 && rest.back() == done_mark) {
            const std::uint64_t s = core::read_u64_be(rest);
            if (open && s >= first && s - first < done.size()) {
                done[s - first] = true;
            }
            continue;
        }
        if (rest.size() != sequence_size) {
            continue;
        }
        if (open) {
            go_on = visit(first, std::string_view(value), done);
        }
        open = false;
        const std::size_t members = members_of(it->value().ToStringView());
        if (go_on && members > 0) {
            first = core::read_u64_be(rest);
            value.assign(it->value().data(), it->value().size());
            done.assign(members, false);
            open = true;
        }
    }
    if (open && go_on) {
        visit(first, std::string_view(value), done);
    }
    return it->status();
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
            const std::string_view key = it->key().ToStringView();
            const bool marker = key.size() >= sequence_size + 2 && key.back() == done_mark &&
                                key[key.size() - sequence_size - 2] == '\0';
            if (marker || key.size() < sequence_size + 1) {
                continue; // a marker names a member of a group seen here too
            }
            const std::uint64_t first = core::read_u64_be(key.substr(key.size() - sequence_size));
            const std::size_t members =
                family == pending_ ? members_of(it->value().ToStringView()) : 1;
            highest = std::max(highest, first + std::max<std::size_t>(members, 1) - 1);
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
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        // One group per destination and write: its members take consecutive sequence numbers.
        value.clear();
        core::append_u64_be(value, static_cast<std::uint64_t>(now_ms));
        std::uint64_t members = 0;
        for (const auto& a : alerts) {
            if (a.update || !routes_[r].wants(a)) {
                continue; // an update of a suppressed alert: delivered once, when it was raised
            }
            const auto id = a.id.text();
            value.append(id.data(), id.size());
            ++members;
        }
        if (members == 0) {
            continue;
        }
        write_entry_key(key, routes_[r].destination, next_sequence_.fetch_add(members));
        batch.Put(pending_, key, value);
        queued.resize(routes_.size());
        queued[r] = members;
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
outbox::pending(std::string_view destination, std::uint64_t after, std::size_t max) {
    std::vector<outbox_entry> out;
    std::vector<std::uint64_t> complete; // groups every member of which has left
    const std::lock_guard lock(groups_mutex_);
    auto& groups = groups_[std::string(destination)];
    const auto status = walk_groups(
        db_, pending_, destination_prefix(destination),
        [&](std::uint64_t first, std::string_view value, const std::vector<bool>& scanned) {
            if (out.size() >= max) {
                return false;
            }
            // Known here already: a member may have left after the scan began.
            auto [at, added] = groups.try_emplace(first, scanned);
            std::vector<bool>& left_queue = at->second;
            if (!added) {
                for (std::size_t k = 0; k < left_queue.size() && k < scanned.size(); ++k) {
                    left_queue[k] = left_queue[k] || scanned[k];
                }
            }
            const std::int64_t enqueued_ms =
                static_cast<std::int64_t>(core::read_u64_be(value.substr(0, queued_size)));
            bool left = false;
            for (std::size_t k = 0; k < left_queue.size(); ++k) {
                if (left_queue[k]) {
                    continue;
                }
                left = true;
                if (first + k > after && out.size() < max) {
                    out.push_back({first + k, enqueued_ms,
                                   std::string(value.substr(queued_size + k * id_size, id_size))});
                }
            }
            if (!left) {
                complete.push_back(first);
            }
            return true;
        });
    if (!status.ok()) {
        return std::unexpected("reading the outbox failed: " + status.ToString());
    }
    for (const std::uint64_t first : complete) {
        // Every member left, but not as the last of a group known here (its markers were
        // written before this walk found it): removed now.
        store_batch batch;
        remove_group(batch, destination, first, groups.at(first).size());
        if (batch.write(db_, rocksdb::WriteOptions()).ok()) {
            groups.erase(first);
        }
    }
    return out;
}

void outbox::remove_group(store_batch& batch, std::string_view destination, std::uint64_t first,
                          std::size_t members) const {
    batch.Delete(pending_, entry_key(destination, first));
    for (std::size_t k = 0; k < members; ++k) {
        batch.Delete(pending_, done_key(destination, first + k));
    }
}

std::expected<void, std::string> outbox::leave(store_batch& batch, std::string_view destination,
                                               std::uint64_t sequence, std::string_view doing) {
    const std::lock_guard lock(groups_mutex_);
    auto& groups = groups_[std::string(destination)];
    auto at = groups.upper_bound(sequence);
    std::vector<bool>* g = nullptr;
    std::uint64_t first = 0;
    if (at != groups.begin()) {
        --at;
        first = at->first;
        if (sequence - first < at->second.size()) {
            g = &at->second;
        }
    }
    const std::size_t k = g != nullptr ? sequence - first : 0;
    const bool last =
        g != nullptr && !(*g)[k] &&
        std::count(g->begin(), g->end(), true) + 1 == static_cast<std::ptrdiff_t>(g->size());
    if (last) {
        remove_group(batch, destination, first, g->size());
    } else {
        // Its marker (also for a group not walked here yet: the walk that finds it settles it).
        batch.Put(pending_, done_key(destination, sequence), rocksdb::Slice());
    }
    if (auto ready = ready_(); !ready) {
        return ready;
    }
    if (auto s = batch.write(db_, rocksdb::WriteOptions()); !s.ok()) {
        return std::unexpected(std::string(doing) + " failed: " + s.ToString());
    }
    if (last) {
        groups.erase(first);
    } else if (g != nullptr) {
        (*g)[k] = true;
    }
    adjust_depth(destination, -1);
    return {};
}

std::expected<void, std::string> outbox::delivered(std::string_view destination,
                                                   std::uint64_t sequence) {
    store_batch batch;
    return leave(batch, destination, sequence, "removing a delivered alert from the outbox");
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
    batch.Put(dead_, entry_key(destination, entry.sequence), json);
    return leave(batch, destination, entry.sequence,
                 "moving an undeliverable alert to the dead letters");
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
    std::uint64_t n = 0;
    (void)walk_groups(db_, pending_, destination_prefix(destination),
                      [&](std::uint64_t, std::string_view, const std::vector<bool>& done) {
                          n += static_cast<std::uint64_t>(
                              std::count(done.begin(), done.end(), false));
                          return true;
                      });
    return n;
}

} // namespace vigil::alert
