#include "alert/alert_store.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

namespace vigil::alert {
namespace {

constexpr const char* alerts_family = "alerts";
constexpr const char* by_rule_family = "alerts_by_rule";
constexpr const char* meta_family = "meta";
constexpr const char* state_family = "state";
constexpr const char* dead_letters_family = "dead_letters";

std::string dead_letter_key(std::uint64_t n) {
    std::string key(8, '\0');
    for (int i = 7; i >= 0; --i) {
        key[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
        n >>= 8;
    }
    return key;
}
constexpr std::size_t checkpoint_chunk = 4 << 20;

std::string shard_prefix(unsigned shard) {
    char text[16];
    std::snprintf(text, sizeof(text), "shard/%05u/", shard);
    return text;
}
constexpr const char* format_key = "alerts_format";
constexpr const char* format_version = "1";

std::string index_key(const std::string& rule_id, const std::string& ulid_text) {
    std::string key = rule_id;
    key += '\0';
    key += ulid_text;
    return key;
}

} // namespace

alert_store::~alert_store() {
    if (db_) {
        for (auto* h : handles_) {
            db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
        }
        db_->Close().PermitUncheckedError();
    }
}

std::filesystem::path alert_store::database_path(const std::filesystem::path& data_dir) {
    return data_dir / "rocksdb";
}

namespace {

// Repairs a database that RocksDB reports damaged (RepairDB), or, if it still does not open,
// renames it to "<path>.damaged-<unix seconds>" and lets `reopen` create an empty one. Says
// what happened at each step; returns the status of the last attempt to open.
template <typename Reopen>
rocksdb::Status recover_damaged(const std::string& path, const rocksdb::Options& options,
                                const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
                                const rocksdb::Status& damage, Reopen reopen) {
    core::log_error("the alert database at " + path + " is damaged (" + damage.ToString() +
                    "); repairing it");
    if (auto repaired = rocksdb::RepairDB(path, options, families); !repaired.ok()) {
        core::log_error("repairing the alert database failed: " + repaired.ToString());
    } else if (auto opened = reopen(); opened.ok()) {
        core::log_warning("the alert database at " + path +
                          " was repaired; alerts and checkpoints in its damaged parts are lost");
        return opened;
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    const std::string aside = path + ".damaged-" + std::to_string(seconds);
    std::error_code ec;
    std::filesystem::rename(path, aside, ec);
    if (ec) {
        core::log_error("cannot move the damaged alert database aside to " + aside + ": " +
                        ec.message());
        return damage;
    }
    core::log_error("the damaged alert database was moved to " + aside +
                    " (kept for offline repair); starting with an empty one");
    return reopen();
}

} // namespace

std::expected<std::unique_ptr<alert_store>, std::string>
alert_store::open(const std::filesystem::path& data_dir, mode m, std::uint64_t min_free_bytes) {
    const std::string path = database_path(data_dir).string();
    rocksdb::Options options;
    options.create_if_missing = m == mode::read_write;
    options.create_missing_column_families = m == mode::read_write;
    options.keep_log_file_num = 4;
    options.max_log_file_size = 8 * 1024 * 1024;
    if (m == mode::read_write) {
        std::error_code ec;
        std::filesystem::create_directories(data_dir, ec);
        if (ec) {
            return std::unexpected("cannot create data directory " + data_dir.string() + ": " +
                                   ec.message());
        }
    } else if (!std::filesystem::exists(path)) {
        return std::unexpected("no alert database at " + path +
                               " (has vigild run with this data directory?)");
    }

    // Every family the database has (later versions may add some) plus the ones we use.
    auto families_of = [&]() -> std::expected<std::vector<std::string>, std::string> {
        std::vector<std::string> found;
        if (auto s = rocksdb::DB::ListColumnFamilies(options, path, &found); !s.ok()) {
            found = {rocksdb::kDefaultColumnFamilyName};
        }
        for (const char* wanted :
             {alerts_family, by_rule_family, meta_family, state_family, dead_letters_family}) {
            if (std::find(found.begin(), found.end(), wanted) == found.end()) {
                // A reader of a database written by an older vigild needs only the alert
                // families.
                const std::string_view name(wanted);
                const bool optional = name == state_family || name == dead_letters_family;
                if (m == mode::read_only && optional) {
                    continue;
                }
                if (m == mode::read_only) {
                    return std::unexpected("alert database at " + path + " has no column family '" +
                                           wanted + "'");
                }
                found.emplace_back(wanted);
            }
        }
        return found;
    };
    auto descriptors = [&](const std::vector<std::string>& family_names) {
        std::vector<rocksdb::ColumnFamilyDescriptor> families;
        for (const auto& name : family_names) {
            families.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
        }
        return families;
    };

    std::unique_ptr<alert_store> store(new alert_store());
    store->disk_ = std::make_unique<disk_space_guard>(data_dir, min_free_bytes);
    if (m == mode::read_write) {
        // Opening writes (a new log, the manifest, a flush of what the log replays).
        if (auto room = store->disk_->check(); !room) {
            return std::unexpected("cannot open alert database at " + path + ": " + room.error());
        }
    }
    std::vector<std::string> names;
    rocksdb::DB* db = nullptr;
    auto try_open = [&]() -> rocksdb::Status {
        auto listed = families_of();
        if (!listed) {
            return rocksdb::Status::InvalidArgument(listed.error());
        }
        names = std::move(*listed);
        store->handles_.clear();
        return m == mode::read_write
                   ? rocksdb::DB::Open(options, path, descriptors(names), &store->handles_, &db)
                   : rocksdb::DB::OpenForReadOnly(options, path, descriptors(names),
                                                  &store->handles_, &db);
    };
    rocksdb::Status s = try_open();
    if (!s.ok() && s.IsCorruption() && m == mode::read_write) {
        // A damaged database must not keep vigild from starting (a crash loop): repair what
        // can be repaired, else keep the damaged files aside for offline repair and start empty.
        s = recover_damaged(path, options, descriptors(families_of().value_or(names)), s, try_open);
    }
    if (!s.ok()) {
        return std::unexpected("cannot open alert database at " + path + ": " + s.ToString());
    }
    store->db_.reset(db);
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == alerts_family) {
            store->alerts_ = store->handles_[i];
        } else if (names[i] == by_rule_family) {
            store->by_rule_ = store->handles_[i];
        } else if (names[i] == meta_family) {
            store->meta_ = store->handles_[i];
        } else if (names[i] == state_family) {
            store->state_ = store->handles_[i];
        } else if (names[i] == dead_letters_family) {
            store->dead_letters_ = store->handles_[i];
        }
    }
    std::string format;
    s = db->Get(rocksdb::ReadOptions(), store->meta_, format_key, &format);
    if (s.IsNotFound() && m == mode::read_write) {
        s = db->Put(rocksdb::WriteOptions(), store->meta_, format_key, format_version);
        if (!s.ok()) {
            return std::unexpected("cannot initialise alert database: " + s.ToString());
        }
    } else if (s.ok() && format != format_version) {
        return std::unexpected("alert database at " + path + " has format " + format +
                               "; this vigil reads format " + format_version);
    }
    return store;
}

std::expected<void, std::string> alert_store::ready_to_write(std::size_t bytes) {
    if (auto room = disk_->check(bytes); !room) {
        return room;
    }
    if (resume_needed_.load()) {
        if (auto s = db_->Resume(); !s.ok()) {
            return std::unexpected("the alert database did not recover from its last error: " +
                                   s.ToString());
        }
        resume_needed_.store(false);
    }
    return {};
}

std::expected<void, std::string> alert_store::write(std::span<const alert> alerts) {
    rocksdb::WriteBatch batch;
    for (const auto& a : alerts) {
        const std::string key = a.id.to_string();
        batch.Put(alerts_, key, a.json);
        batch.Put(by_rule_, index_key(a.rule_id, key), rocksdb::Slice());
    }
    if (auto ready = ready_to_write(batch.GetDataSize()); !ready) {
        return std::unexpected("writing alerts failed: " + ready.error());
    }
    rocksdb::WriteOptions options;
    options.disableWAL = false;
    if (auto s = db_->Write(options, &batch); !s.ok()) {
        resume_needed_.store(true);
        return std::unexpected("writing alerts failed: " + s.ToString());
    }
    return {};
}

std::expected<void, std::string> alert_store::write_checkpoint(unsigned shard,
                                                               std::string_view blob) {
    const std::string prefix = shard_prefix(shard);
    std::string end = prefix;
    end.back() = '0'; // '/' + 1
    rocksdb::WriteBatch batch;
    batch.DeleteRange(state_, prefix, end);
    std::size_t chunk = 0;
    for (std::size_t at = 0; at < blob.size() || at == 0; at += checkpoint_chunk, ++chunk) {
        char number[16];
        std::snprintf(number, sizeof(number), "%08zu", chunk);
        const auto part = blob.substr(at, checkpoint_chunk);
        batch.Put(state_, prefix + number, rocksdb::Slice(part.data(), part.size()));
        if (blob.empty()) {
            break;
        }
    }
    if (auto ready = ready_to_write(batch.GetDataSize()); !ready) {
        return std::unexpected("writing the correlator checkpoint failed: " + ready.error());
    }
    if (auto s = db_->Write(rocksdb::WriteOptions(), &batch); !s.ok()) {
        resume_needed_.store(true);
        return std::unexpected("writing the correlator checkpoint failed: " + s.ToString());
    }
    return {};
}

std::expected<std::vector<std::string>, std::string> alert_store::read_checkpoints() const {
    std::vector<std::string> blobs;
    if (state_ == nullptr) {
        return blobs;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), state_));
    std::string current;
    for (it->Seek("shard/"); it->Valid() && it->key().starts_with("shard/"); it->Next()) {
        const std::string key = it->key().ToString();
        const std::string shard = key.substr(0, key.rfind('/') + 1);
        if (shard != current) {
            current = shard;
            blobs.emplace_back();
        }
        blobs.back().append(it->value().data(), it->value().size());
    }
    if (!it->status().ok()) {
        return std::unexpected("reading correlator checkpoints failed: " + it->status().ToString());
    }
    return blobs;
}

std::expected<void, std::string> alert_store::drop_checkpoints_from(unsigned first) {
    if (auto s = db_->DeleteRange(rocksdb::WriteOptions(), state_, shard_prefix(first), "shard0");
        !s.ok()) {
        return std::unexpected("deleting old correlator checkpoints failed: " + s.ToString());
    }
    return {};
}

std::expected<void, std::string> alert_store::write_dead_letter(std::string_view json,
                                                                std::size_t cap) {
    if (next_dead_letter_.load() == 1) {
        // Continue after the newest one kept (keys are big-endian numbers).
        std::unique_ptr<rocksdb::Iterator> it(
            db_->NewIterator(rocksdb::ReadOptions(), dead_letters_));
        it->SeekToLast();
        if (it->Valid() && it->key().size() == 8) {
            std::uint64_t last = 0;
            for (char c : it->key().ToString()) {
                last = (last << 8) | static_cast<unsigned char>(c);
            }
            std::uint64_t expected = 1;
            next_dead_letter_.compare_exchange_strong(expected, last + 1);
        }
    }
    const std::uint64_t n = next_dead_letter_.fetch_add(1);
    rocksdb::WriteBatch batch;
    batch.Put(dead_letters_, dead_letter_key(n), rocksdb::Slice(json.data(), json.size()));
    if (n > cap && n % 64 == 0) {
        batch.DeleteRange(dead_letters_, dead_letter_key(0), dead_letter_key(n - cap + 1));
    }
    if (auto ready = ready_to_write(batch.GetDataSize()); !ready) {
        return std::unexpected("writing a dead letter failed: " + ready.error());
    }
    if (auto s = db_->Write(rocksdb::WriteOptions(), &batch); !s.ok()) {
        resume_needed_.store(true);
        return std::unexpected("writing a dead letter failed: " + s.ToString());
    }
    return {};
}

std::expected<std::vector<std::string>, std::string> alert_store::dead_letters() const {
    std::vector<std::string> out;
    if (dead_letters_ == nullptr) {
        return out;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), dead_letters_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        out.push_back(it->value().ToString());
    }
    if (!it->status().ok()) {
        return std::unexpected("reading dead letters failed: " + it->status().ToString());
    }
    return out;
}

std::expected<void, std::string> alert_store::flush() {
    if (auto room = disk_->check(); !room) {
        // The write-ahead log holds everything written; the next start replays it.
        return std::unexpected("memtables not flushed: " + room.error());
    }
    if (auto s = db_->FlushWAL(true); !s.ok()) {
        return std::unexpected("syncing the alert WAL failed: " + s.ToString());
    }
    rocksdb::FlushOptions options;
    options.wait = true;
    if (auto s = db_->Flush(options, handles_); !s.ok()) {
        return std::unexpected("flushing alerts failed: " + s.ToString());
    }
    return {};
}

std::expected<std::optional<std::string>, std::string>
alert_store::get(const std::string& key) const {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), alerts_, key, &value);
    if (s.IsNotFound()) {
        return std::optional<std::string>();
    }
    if (!s.ok()) {
        return std::unexpected("reading alert " + key + " failed: " + s.ToString());
    }
    return std::optional<std::string>(std::move(value));
}

std::expected<std::vector<std::string>, std::string>
alert_store::list(const alert_query& query) const {
    std::vector<std::string> out;
    const std::string since_key =
        query.since_ms ? core::ulid::lower_bound(*query.since_ms).to_string() : std::string();
    auto full = [&] { return query.limit != 0 && out.size() >= query.limit; };

    if (query.rule_id) {
        // Walk the rule's index entries from the newest.
        const std::string prefix = *query.rule_id + '\0';
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), by_rule_));
        std::string upper = *query.rule_id;
        upper += '\x01';
        it->SeekForPrev(upper);
        for (; it->Valid() && it->key().starts_with(prefix) && !full(); it->Prev()) {
            const std::string id = it->key().ToString().substr(prefix.size());
            if (id < since_key) {
                break;
            }
            auto value = get(id);
            if (!value) {
                return std::unexpected(value.error());
            }
            if (*value) {
                out.push_back(std::move(**value));
            }
        }
        if (!it->status().ok()) {
            return std::unexpected("reading the rule index failed: " + it->status().ToString());
        }
        return out;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
    for (it->SeekToLast(); it->Valid() && !full(); it->Prev()) {
        if (it->key().ToString() < since_key) {
            break;
        }
        out.push_back(it->value().ToString());
    }
    if (!it->status().ok()) {
        return std::unexpected("reading alerts failed: " + it->status().ToString());
    }
    return out;
}

} // namespace vigil::alert
