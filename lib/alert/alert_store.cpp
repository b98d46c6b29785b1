#include "alert/alert_store.hpp"

#include "alert/alert_facts.hpp"
#include "core/big_endian.hpp"
#include "core/log.hpp"
#include "core/ulid.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <deque>
#include <limits>
#include <numeric>
#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/write_batch.h>

namespace vigil::alert {
namespace {

constexpr const char* alerts_family = "alerts";
// Index families, in the order of alert_store::index.
constexpr std::array<const char*, 6> index_families = {"alerts_by_rule",   "alerts_by_level",
                                                       "alerts_by_status", "alerts_by_host",
                                                       "alerts_by_source", "alerts_by_tenant"};
constexpr std::size_t index_write_buffer_bytes = 8 << 20;
// write()'s batch keeps its buffer between groups up to this size.
constexpr std::size_t kept_batch_bytes = 16 * 1024 * 1024;
constexpr const char* meta_family = "meta";
constexpr const char* state_family = "state";
constexpr const char* dead_letters_family = "dead_letters";
constexpr const char* outbox_family = "outbox";
constexpr const char* deadlines_family = "deadlines";
constexpr const char* outbox_dead_family = "outbox_dead";

std::string dead_letter_key(std::uint64_t n) {
    std::string key;
    core::append_u64_be(key, n);
    return key;
}
constexpr std::size_t checkpoint_chunk = 4 << 20;

std::string shard_prefix(unsigned shard) {
    char text[16];
    std::snprintf(text, sizeof(text), "shard/%05u/", shard);
    return text;
}
// A waiting segment of a shard's checkpoint: 'w' and its serial after the shard's prefix (after
// the state chunks, whose names are digits).
std::string segment_key(const std::string& prefix, std::uint64_t serial) {
    std::string key = prefix;
    key += 'w';
    core::append_u64_be(key, serial);
    return key;
}
constexpr const char* format_key = "alerts_format";
// 1: only the rule index; 2: every index; 3: every alert in the tenant index, with its report
// facts (an older database is indexed again when vigild opens it); 4: documents of the alert
// stage in the document_log (a database of format 3 is one of format 4 with none there yet).
constexpr const char* format_version = "4";

// "<value>\0<ULID>" into `key` (a buffer reused across entries).
const std::string& index_key(std::string& key, std::string_view value, std::string_view ulid_text) {
    key.assign(value);
    key += '\0';
    key.append(ulid_text);
    return key;
}

// The values an alert has in index `i` (the order of index_families).
template <typename Visit>
void for_each_term_of(const alert_terms& terms, std::size_t i, Visit visit) {
    switch (i) {
    case 0:
        visit(terms.rule_id);
        break;
    case 1:
        visit(terms.level);
        break;
    case 2:
        visit(terms.status);
        break;
    case 3:
        for (const auto& host : terms.hosts) {
            visit(host);
        }
        break;
    case 4:
        for (const auto& source : terms.sources) {
            visit(source);
        }
        break;
    default:
        visit(terms.tenant); // every alert, "" for none: the entry holds its report facts
    }
}

// Each index entry of an alert: (index position, value).
template <typename Visit>
void for_each_term(const alert_terms& terms, Visit visit) {
    for (std::size_t i = 0; i < index_families.size(); ++i) {
        for_each_term_of(terms, i, [&](std::string_view value) { visit(i, value); });
    }
}

// Index entries are small keys written in bulk and read only by range: a vector memtable takes
// them in O(1) each and sorts once per flush, where a skip list would search for the place of
// every one (most of the alert stage's time with skip lists, ARCHITECTURE.md "Alert store").
// A query that walks an index sorts a copy of that family's live memtable, so it is kept small.
rocksdb::ColumnFamilyOptions family_options(std::string_view name, const rocksdb::Options& base) {
    rocksdb::ColumnFamilyOptions options(base);
    if (std::find(index_families.begin(), index_families.end(), name) != index_families.end() ||
        name == deadlines_family) {
        options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
        options.write_buffer_size = index_write_buffer_bytes;
    } else if (name == alerts_family || name == outbox_family) {
        // Keys come in about ascending order (time-ordered ids, outbox sequence numbers): the
        // skip list inserts after a remembered position instead of searching from its head.
        options.memtable_insert_with_hint_prefix_extractor.reset(
            rocksdb::NewFixedPrefixTransform(0));
    }
    return options;
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
    // The index families' vector memtables take one writer at a time (the alert stage is one).
    options.allow_concurrent_memtable_write = false;
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
        std::vector<const char*> wanted_families = {
            alerts_family, meta_family,        state_family,    dead_letters_family,
            outbox_family, outbox_dead_family, deadlines_family};
        wanted_families.insert(wanted_families.end(), index_families.begin(), index_families.end());
        for (const char* wanted : wanted_families) {
            if (std::find(found.begin(), found.end(), wanted) == found.end()) {
                // A reader of a database written by an older vigild needs only the alert
                // families (and says so when the indexes are not there yet, below).
                const std::string_view name(wanted);
                const bool optional =
                    name != alerts_family && name != meta_family && name != index_families[0];
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
            families.emplace_back(name, family_options(name, options));
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
    auto documents = document_log::open(data_dir / "documents", m == mode::read_write);
    if (!documents) {
        return std::unexpected(documents.error());
    }
    store->documents_ = std::move(*documents);
    rocksdb::ColumnFamilyHandle* outbox_pending = nullptr;
    rocksdb::ColumnFamilyHandle* outbox_dead = nullptr;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == deadlines_family) {
            store->deadlines_ = std::make_unique<deadline_book>(*db, store->handles_[i]);
        }
        if (names[i] == alerts_family) {
            store->alerts_ = store->handles_[i];
        } else if (names[i] == meta_family) {
            store->meta_ = store->handles_[i];
        } else if (names[i] == state_family) {
            store->state_ = store->handles_[i];
        } else if (names[i] == dead_letters_family) {
            store->dead_letters_ = store->handles_[i];
        } else if (names[i] == outbox_family) {
            outbox_pending = store->handles_[i];
        } else if (names[i] == outbox_dead_family) {
            outbox_dead = store->handles_[i];
        }
        for (std::size_t f = 0; f < index_families.size(); ++f) {
            if (names[i] == index_families[f]) {
                store->indexes_[f] = store->handles_[i];
            }
        }
    }
    if (outbox_pending != nullptr && outbox_dead != nullptr) {
        store->outbox_ =
            std::make_unique<outbox>(*db, outbox_pending, outbox_dead,
                                     [raw = store.get()]() { return raw->ready_to_write(0); });
    }
    std::string format;
    s = db->Get(rocksdb::ReadOptions(), store->meta_, format_key, &format);
    if (s.ok() && format != format_version && (format == "1" || format == "2") &&
        m == mode::read_write) {
        core::log_info("indexing the alerts of " + path + " (written by an older vigild)");
        if (auto built = store->build_indexes(); !built) {
            return std::unexpected("cannot index the alerts at " + path + ": " + built.error());
        }
        s = rocksdb::Status::NotFound();
    }
    if ((s.IsNotFound() || (s.ok() && format == "3")) && m == mode::read_write) {
        s = db->Put(rocksdb::WriteOptions(), store->meta_, format_key, format_version);
        if (!s.ok()) {
            return std::unexpected("cannot initialise alert database: " + s.ToString());
        }
    } else if (s.ok() && (format == "1" || format == "2")) {
        return std::unexpected("alert database at " + path +
                               " was written by an older vigild; start vigild once with it to "
                               "index its alerts");
    } else if (s.ok() && format != format_version && format != "3") {
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
    const std::lock_guard lock(incident_mutex_); // see change_incident
    // One batch, reused: a group of alerts is megabytes, and a new buffer each time (or one grown
    // step by step) costs fresh pages from the kernel, zeroed, for every group.
    store_batch& batch = write_batch_;
    batch.Clear();
    // The entries go in family by family (documents, deadlines, each index, the outbox): RocksDB
    // looks a family up when it changes from one entry to the next, and each memtable stays in
    // cache while its entries go in.
    std::vector<group_document> documents(alerts.size());
    std::deque<std::pair<std::string, incident_part>> kept; // updates' documents and parts
    // Updates: index values an earlier state had (the stored one, and the group's earlier states
    // of the same alert), whose entries the last state must not leave behind.
    std::vector<std::pair<std::size_t, alert_terms>> replaced;
    // Documents go in in id order: the alerts memtable then inserts each one after the last
    // (its remembered position) instead of searching for its place; ids of one millisecond come
    // in the order of their content hash. Stable: states of one alert keep their order.
    std::vector<std::uint32_t> by_id(alerts.size());
    std::vector<std::uint32_t> stored_ids; // positions of the documents stored, in id order
    stored_ids.reserve(alerts.size());
    std::iota(by_id.begin(), by_id.end(), 0U);
    std::stable_sort(by_id.begin(), by_id.end(), [&](std::uint32_t x, std::uint32_t y) {
        return alerts[x].id.bytes < alerts[y].id.bytes;
    });
    for (std::size_t k = 0; k < by_id.size(); ++k) {
        const std::uint32_t n = by_id[k];
        const alert& a = alerts[n];
        group_document& d = documents[n];
        d = {a.json, nullptr, a.id.text()};
        // Several states of one alert in a group (a suppressed alert raised, then its count
        // updated): only the last is stored and indexed; the earlier ones' values are stale.
        if (k + 1 < by_id.size() && alerts[by_id[k + 1]].id == a.id) {
            d.superseded = true;
            continue;
        }
        for (std::size_t j = k; j > 0 && alerts[by_id[j - 1]].id == a.id; --j) {
            replaced.emplace_back(n, alerts[by_id[j - 1]].terms);
        }
        const std::string_view id = d.id_text();
        std::string value;
        const bool was_stored = a.update && db_->Get(rocksdb::ReadOptions(), alerts_,
                                                     rocksdb::Slice(id.data(), id.size()), &value)
                                                .ok();
        auto found = was_stored ? document_of(id, value) : std::string();
        if (!found) {
            core::log_warning(found.error() + "; the alert's new state replaces it");
        } else if (was_stored) {
            const std::string& stored = *found;
            auto& [json, part] = kept.emplace_back();
            if (keep_incident_part(id, stored, a.json, json, part)) {
                d.json = json;
                d.kept = &part;
            }
            if (auto terms = read_alert_terms(stored)) {
                replaced.emplace_back(n, std::move(*terms));
            }
        }
        stored_ids.push_back(n);
    }
    if (auto put = put_documents(batch, alerts, documents, stored_ids); !put) {
        return put;
    }
    if (deadlines_) {
        for (std::size_t n = 0; n < alerts.size(); ++n) {
            if (!documents[n].superseded && documents[n].kept == nullptr && !alerts[n].escalation) {
                deadlines_->add_to(batch, alerts[n]);
            }
        }
    }
    add_index_entries(batch, alerts, documents);
    for (const auto& [n, before] : replaced) {
        const incident_part* part = documents[n].kept;
        delete_stale_index_entries(batch, documents[n].id_text(), before, alerts[n].terms,
                                   part ? part->status : alerts[n].terms.status);
    }
    const auto queued = outbox_ ? outbox_->add_to(batch, alerts) : std::vector<std::uint64_t>();
    if (auto ready = ready_to_write(batch.GetDataSize()); !ready) {
        return std::unexpected("writing alerts failed: " + ready.error());
    }
    rocksdb::WriteOptions options;
    options.disableWAL = false;
    if (auto s = batch.write(*db_, options); !s.ok()) {
        resume_needed_.store(true);
        return std::unexpected("writing alerts failed: " + s.ToString());
    }
    batch.shrink_past(kept_batch_bytes); // a burst's batch: give its memory back
    if (!queued.empty()) {
        outbox_->written(queued);
    }
    return {};
}

void alert_store::add_index_entries(store_batch& batch, std::span<const alert> alerts,
                                    std::span<const group_document> documents) const {
    std::string key;
    std::string facts;
    for (std::size_t i = 0; i < index_families.size(); ++i) {
        const auto which = static_cast<index>(i);
        for (std::size_t n = 0; n < alerts.size(); ++n) {
            if (documents[n].superseded) {
                continue;
            }
            const alert& a = alerts[n];
            const incident_part* kept = documents[n].kept;
            const std::string_view id = documents[n].id_text();
            if (which == index::tenant && kept != nullptr) {
                facts = encode_facts(
                    make_facts(a.terms, *kept, a.created_ns / 1'000'000, a.escalation));
            } else if (which == index::tenant) {
                encode_new_alert_facts(facts, a); // no copy of the alert's values
            }
            for_each_term_of(a.terms, i, [&](std::string_view value) {
                if (which == index::status && kept != nullptr) {
                    value = kept->status;
                }
                batch.Put(indexes_[i], index_key(key, value, id),
                          which == index::tenant ? rocksdb::Slice(facts) : rocksdb::Slice());
            });
        }
    }
}

void alert_store::put_index_entries(store_batch& batch, std::string_view id,
                                    const alert_terms& terms, const alert_facts& facts) const {
    std::string key;
    const std::string encoded = encode_facts(facts);
    for_each_term(terms, [&](std::size_t i, std::string_view value) {
        const bool tenant = static_cast<index>(i) == index::tenant;
        batch.Put(indexes_[i], index_key(key, value, id),
                  tenant ? rocksdb::Slice(encoded) : rocksdb::Slice());
    });
}

void alert_store::restate_index_entries(store_batch& batch, std::string_view id,
                                        std::string_view old_status, const alert_terms& terms,
                                        const alert_facts& facts) const {
    std::string key;
    if (auto* status = family(index::status); old_status != terms.status) {
        batch.Delete(status, index_key(key, old_status, id));
        batch.Put(status, index_key(key, terms.status, id), rocksdb::Slice());
    }
    if (auto* tenant = family(index::tenant); tenant != nullptr) {
        batch.Put(tenant, index_key(key, terms.tenant, id), encode_facts(facts));
    }
}

void alert_store::delete_stale_index_entries(store_batch& batch, std::string_view id,
                                             const alert_terms& before, const alert_terms& after,
                                             std::string_view status) const {
    std::string key;
    std::vector<std::string_view> now;
    for (std::size_t i = 0; i < index_families.size(); ++i) {
        const bool status_index = static_cast<index>(i) == index::status;
        now.clear();
        for_each_term_of(after, i, [&](std::string_view value) {
            now.push_back(status_index ? status : value);
        });
        for_each_term_of(before, i, [&](std::string_view value) {
            if (std::find(now.begin(), now.end(), value) == now.end()) {
                batch.Delete(indexes_[i], index_key(key, value, id));
            }
        });
    }
}

bool alert_store::keep_incident_part(std::string_view id, std::string_view stored,
                                     std::string_view json, std::string& kept,
                                     incident_part& part) const {
    const auto stored_at = incident_part_offset(stored);
    const auto fresh_at = incident_part_offset(json);
    if (!stored_at || !fresh_at ||
        std::string_view(stored).substr(*stored_at) == json.substr(*fresh_at)) {
        return false; // nothing to keep, or the same
    }
    auto stored_part = read_incident_part(stored);
    if (!stored_part) {
        core::log_warning("alert " + std::string(id) + ": " + stored_part.error() +
                          "; its new state replaces it");
        return false;
    }
    kept.assign(json.substr(0, *fresh_at));
    kept.append(stored, *stored_at);
    part = std::move(*stored_part);
    return true;
}

std::expected<void, std::string>
alert_store::put_documents(store_batch& batch, std::span<const alert> alerts,
                           std::span<const group_document> documents,
                           std::span<const std::uint32_t> stored) {
    std::vector<document_log::document> records;
    records.reserve(stored.size());
    std::size_t bytes = 0;
    for (const std::uint32_t n : stored) {
        records.push_back({documents[n].id_text(), documents[n].json, alerts[n].id.time_ms()});
        bytes += documents[n].json.size();
    }
    if (auto ready = ready_to_write(bytes); !ready) {
        return std::unexpected("writing alerts failed: " + ready.error());
    }
    auto placed = documents_->append(records);
    if (!placed) {
        return std::unexpected(placed.error());
    }
    for (std::size_t k = 0; k < records.size(); ++k) {
        const std::string_view id = records[k].id;
        const auto place = document_log::encode((*placed)[k]);
        batch.Put(alerts_, rocksdb::Slice(id.data(), id.size()),
                  rocksdb::Slice(place.data(), place.size()));
    }
    return {};
}

std::expected<std::string, std::string> alert_store::document_of(std::string_view id,
                                                                 std::string_view value) const {
    if (const auto where = document_log::decode(value)) {
        return documents_->read(id, *where);
    }
    return std::string(value);
}

std::expected<std::optional<std::string>, alert_store::change_error> alert_store::change_incident(
    std::string_view id,
    const std::function<std::expected<void, std::string>(incident_part&)>& change) {
    const std::lock_guard lock(incident_mutex_);
    auto found = find(id);
    if (!found) {
        return std::unexpected(change_error{change_error::kind::failed, found.error()});
    }
    if (!*found) {
        return std::optional<std::string>();
    }
    const std::string& document = **found;
    auto part = read_incident_part(document);
    if (!part) {
        return std::unexpected(change_error{change_error::kind::failed, part.error()});
    }
    const incident_part before = *part;
    if (auto changed = change(*part); !changed) {
        return std::unexpected(change_error{change_error::kind::rejected, changed.error()});
    }
    std::string updated = with_incident_part(document, *part);
    auto facts = read_alert_facts(updated);
    if (!facts) {
        return std::unexpected(change_error{change_error::kind::failed, facts.error()});
    }
    store_batch batch;
    batch.Put(alerts_, rocksdb::Slice(id.data(), id.size()), updated);
    restate_index_entries(batch, id, before.status, facts->terms, facts->facts);
    if (deadlines_) {
        deadlines_->follow(batch, id, before, *part);
    }
    if (auto ready = ready_to_write(batch.GetDataSize()); !ready) {
        return std::unexpected(
            change_error{change_error::kind::failed, "writing alert failed: " + ready.error()});
    }
    if (auto s = batch.write(*db_, rocksdb::WriteOptions()); !s.ok()) {
        resume_needed_.store(true);
        return std::unexpected(
            change_error{change_error::kind::failed, "writing alert failed: " + s.ToString()});
    }
    return std::optional<std::string>(std::move(updated));
}

std::expected<std::vector<due_deadline>, std::string>
alert_store::due_deadlines(std::int64_t now_ms, std::size_t max) const {
    if (!deadlines_) {
        return std::vector<due_deadline>();
    }
    return deadlines_->due(now_ms, max);
}

std::expected<std::optional<alert>, std::string> alert_store::escalate(
    const due_deadline& due,
    const std::function<std::optional<alert>(std::string_view, incident_part&)>& make) {
    const std::lock_guard lock(incident_mutex_);
    store_batch batch;
    deadlines_->remove(batch, due);
    auto found = find(due.alert_id);
    if (!found) {
        return std::unexpected(found.error());
    }
    std::optional<alert> made;
    if (*found) {
        const std::string& document = **found;
        auto part = read_incident_part(document);
        if (!part) {
            return std::unexpected("alert " + due.alert_id + ": " + part.error());
        }
        made = make(document, *part);
        deadlines_->handled(batch, due, *part);
        if (made) {
            const std::string updated = with_incident_part(document, *part);
            auto facts = read_alert_facts(updated);
            if (!facts) {
                return std::unexpected("alert " + due.alert_id + ": " + facts.error());
            }
            batch.Put(alerts_, due.alert_id, updated);
            restate_index_entries(batch, due.alert_id, facts->terms.status, facts->terms,
                                  facts->facts);
            const auto text = made->id.text();
            const std::string_view id(text.data(), text.size());
            batch.Put(alerts_, rocksdb::Slice(id.data(), id.size()), made->json);
            put_index_entries(batch, id, made->terms, new_alert_facts(*made));
        }
    }
    const auto queued = made && outbox_ ? outbox_->add_to(batch, std::span<const alert>(&*made, 1))
                                        : std::vector<std::uint64_t>();
    if (auto ready = ready_to_write(batch.GetDataSize()); !ready) {
        return std::unexpected("writing an escalation failed: " + ready.error());
    }
    if (auto s = batch.write(*db_, rocksdb::WriteOptions()); !s.ok()) {
        resume_needed_.store(true);
        return std::unexpected("writing an escalation failed: " + s.ToString());
    }
    if (!queued.empty()) {
        outbox_->written(queued);
    }
    return made;
}

std::expected<void, std::string> alert_store::write_checkpoint(unsigned shard,
                                                               const shard_checkpoint& checkpoint) {
    const std::string prefix = shard_prefix(shard);
    rocksdb::WriteBatch batch;
    if (checkpoint.full) {
        std::string end = prefix;
        end.back() = '0'; // '/' + 1: every key of the shard
        batch.DeleteRange(state_, prefix, end);
    } else {
        batch.DeleteRange(state_, prefix + '0', prefix + ':'); // its state chunks (digits)
        for (const std::uint64_t serial : checkpoint.retired) {
            batch.Delete(state_, segment_key(prefix, serial));
        }
    }
    const std::string_view blob = checkpoint.state;
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
    for (const auto& [serial, segment] : checkpoint.segments) {
        batch.Put(state_, segment_key(prefix, serial), segment);
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

std::expected<std::vector<stored_checkpoint>, std::string> alert_store::read_checkpoints() const {
    std::vector<stored_checkpoint> shards;
    if (state_ == nullptr) {
        return shards;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), state_));
    const std::size_t prefix_size = shard_prefix(0).size();
    std::string current;
    for (it->Seek("shard/"); it->Valid() && it->key().starts_with("shard/"); it->Next()) {
        const std::string_view key(it->key().data(), it->key().size());
        if (key.size() <= prefix_size) {
            continue;
        }
        if (const std::string_view shard = key.substr(0, prefix_size); shard != current) {
            current = shard;
            shards.emplace_back();
        }
        const std::string_view rest = key.substr(prefix_size);
        if (rest.size() == 9 && rest[0] == 'w') {
            shards.back().segments.emplace_back(core::read_u64_be(rest.substr(1)),
                                                it->value().ToString());
        } else {
            shards.back().state.append(it->value().data(), it->value().size());
        }
    }
    if (!it->status().ok()) {
        return std::unexpected("reading correlator checkpoints failed: " + it->status().ToString());
    }
    return shards;
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
            const std::uint64_t last =
                core::read_u64_be(std::string_view(it->key().data(), it->key().size()));
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
    if (auto synced = documents_->sync(); !synced) {
        return std::unexpected(synced.error());
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
alert_store::find(std::string_view id) const {
    std::string value;
    auto s =
        db_->Get(rocksdb::ReadOptions(), alerts_, rocksdb::Slice(id.data(), id.size()), &value);
    if (s.IsNotFound()) {
        return std::optional<std::string>();
    }
    if (!s.ok()) {
        return std::unexpected("reading alert " + std::string(id) + " failed: " + s.ToString());
    }
    auto document = document_of(id, value);
    if (!document) {
        return std::unexpected(document.error());
    }
    return std::optional<std::string>(std::move(*document));
}

namespace {

// Whether a stored alert meets the query's filters, read from its own document.
bool holds(const alert_query& query, std::string_view id, std::string_view document) {
    if (!query.filters_terms()) {
        return true;
    }
    auto terms = read_alert_terms(document);
    if (!terms) {
        core::log_warning("alert " + std::string(id) + " is unreadable (" + terms.error() +
                          "); queries that filter skip it");
        return false;
    }
    return query.holds(*terms);
}

} // namespace

std::expected<alert_page, std::string> alert_store::list(const alert_query& query) const {
    // The index to walk: the first single value of rule, host, source, level, status.
    std::optional<index> walked;
    std::string walked_value;
    for (auto [i, value] :
         {std::pair{index::rule, query.rule_id}, std::pair{index::host, query.host},
          std::pair{index::source, query.source},
          std::pair{index::level,
                    query.levels.size() == 1 ? std::optional(query.levels[0]) : std::nullopt},
          std::pair{index::status,
                    query.statuses.size() == 1 ? std::optional(query.statuses[0]) : std::nullopt},
          std::pair{index::tenant, query.tenant}}) {
        // (A reader of a store written before tenants has no tenant index: it walks by time.)
        if (value && !walked && family(i) != nullptr) {
            walked = i;
            walked_value = *value;
        }
    }
    // Ids strictly below `upper` (the cursor, or the first id at `until`), at or above `lower`.
    std::string upper = query.cursor.value_or(std::string());
    if (query.until_ms) {
        const std::string until = core::ulid::lower_bound(*query.until_ms).to_string();
        upper = upper.empty() ? until : std::min(upper, until);
    }
    const std::string lower =
        query.since_ms ? core::ulid::lower_bound(*query.since_ms).to_string() : std::string();
    const std::string prefix = walked ? walked_value + '\0' : std::string();

    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), walked ? family(*walked) : alerts_));
    if (!upper.empty()) {
        it->SeekForPrev(prefix + upper);
        if (it->Valid() && it->key() == rocksdb::Slice(prefix + upper)) {
            it->Prev();
        }
    } else if (walked) {
        it->SeekForPrev(walked_value + '\x01');
    } else {
        it->SeekToLast();
    }
    alert_page page;
    std::size_t examined = 0;
    std::string id;
    for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
        id.assign(it->key().data() + prefix.size(), it->key().size() - prefix.size());
        if (id < lower) {
            break;
        }
        if (page.alerts.size() == query.limit || ++examined > scan_budget) {
            // More may match: the next page starts after the last alert looked at.
            break;
        }
        std::string value;
        if (!walked) {
            value = it->value().ToString();
        } else if (auto s = db_->Get(rocksdb::ReadOptions(), alerts_, id, &value);
                   !s.ok() && !s.IsNotFound()) {
            return std::unexpected("reading alert " + id + " failed: " + s.ToString());
        }
        page.next_cursor = id; // so a page cut by the budget continues from here
        auto document = document_of(id, value);
        if (!document) {
            core::log_warning(document.error() + "; queries skip the alert");
            continue;
        }
        if (document->empty() || !holds(query, id, *document)) {
            continue; // expired since it was indexed, or its values changed
        }
        page.alerts.push_back(std::move(*document));
    }
    if (!it->status().ok()) {
        return std::unexpected("reading alerts failed: " + it->status().ToString());
    }
    const bool more = it->Valid() && it->key().starts_with(prefix) && id >= lower;
    if (!more) {
        page.next_cursor.reset();
    }
    return page;
}

std::expected<std::uint64_t, std::string>
alert_store::for_each_facts(const std::optional<std::string>& tenant, std::int64_t since_ms,
                            std::int64_t until_ms, const facts_visitor& visit) const {
    const std::string lower =
        core::ulid::lower_bound(static_cast<std::uint64_t>(std::max<std::int64_t>(since_ms, 0)))
            .to_string();
    const std::string upper =
        core::ulid::lower_bound(static_cast<std::uint64_t>(std::max<std::int64_t>(until_ms, 0)))
            .to_string();
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family(index::tenant)));
    std::uint64_t unreadable = 0;
    // One tenant's alerts of the period; leaves the iterator at or after their end.
    auto walk = [&](const std::string& name) {
        const std::string prefix = name + '\0';
        for (it->Seek(prefix + lower); it->Valid() && it->key().starts_with(prefix); it->Next()) {
            const std::string_view id(it->key().data() + prefix.size(),
                                      it->key().size() - prefix.size());
            if (id >= upper) {
                break;
            }
            auto facts = decode_facts(std::string_view(it->value().data(), it->value().size()));
            if (!facts) {
                if (unreadable++ == 0) {
                    core::log_warning("alert " + std::string(id) + ": " + facts.error() +
                                      "; reports skip it");
                }
                continue;
            }
            visit(name, id, *facts);
        }
    };
    if (tenant) {
        walk(*tenant);
    } else {
        for (it->SeekToFirst(); it->Valid();) {
            const std::string_view key(it->key().data(), it->key().size());
            const std::string name(key.substr(0, key.find('\0')));
            walk(name);
            it->Seek(name + '\x01'); // the next tenant's first entry
        }
    }
    if (!it->status().ok()) {
        return std::unexpected("reading the tenant index failed: " + it->status().ToString());
    }
    return unreadable;
}

template <typename More>
std::expected<std::uint64_t, std::string> alert_store::delete_oldest(More more, std::size_t max) {
    store_batch batch;
    std::uint64_t deleted = 0;
    std::string key;
    {
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
        for (it->SeekToFirst(); it->Valid() && deleted < max; it->Next()) {
            const std::string_view id(it->key().data(), it->key().size());
            if (!more(id)) {
                break;
            }
            batch.Delete(alerts_, it->key());
            const auto json =
                document_of(id, std::string_view(it->value().data(), it->value().size()));
            if (!json) {
                core::log_warning(json.error() + "; its index entries stay");
            } else if (auto terms = read_alert_terms(*json)) {
                for_each_term(*terms, [&](std::size_t i, std::string_view value) {
                    batch.Delete(indexes_[i], index_key(key, value, id));
                });
            } else {
                core::log_warning("alert " + std::string(id) + " is unreadable (" + terms.error() +
                                  "); its index entries stay");
            }
            ++deleted;
        }
        if (!it->status().ok()) {
            return std::unexpected("reading alerts failed: " + it->status().ToString());
        }
    }
    if (deleted == 0) {
        return deleted;
    }
    if (auto ready = ready_to_write(0); !ready) {
        return std::unexpected("deleting expired alerts failed: " + ready.error());
    }
    if (auto s = batch.write(*db_, rocksdb::WriteOptions()); !s.ok()) {
        resume_needed_.store(true);
        return std::unexpected("deleting expired alerts failed: " + s.ToString());
    }
    return deleted;
}

std::uint64_t alert_store::alerts_bytes() const {
    const rocksdb::Range everything("", "\xff");
    rocksdb::SizeApproximationOptions options;
    options.include_memtables = true;
    options.include_files = true;
    std::uint64_t size = 0;
    if (!db_->GetApproximateSizes(options, alerts_, &everything, 1, &size).ok()) {
        size = 0;
    }
    return size + documents_->bytes();
}

std::string alert_store::oldest_holding(std::uint64_t bytes) const {
    rocksdb::SizeApproximationOptions options;
    options.include_memtables = true;
    options.include_files = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
    std::size_t walked = 0;
    std::uint64_t in_files = 0; // the walked alerts' documents in the document_log
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (const auto where =
                document_log::decode(std::string_view(it->value().data(), it->value().size()))) {
            in_files += document_log::record_size(*where);
        }
        if (++walked % 32 != 0) {
            continue;
        }
        const std::string key = it->key().ToString();
        const rocksdb::Range range("", key);
        std::uint64_t held = 0;
        if (db_->GetApproximateSizes(options, alerts_, &range, 1, &held).ok() &&
            held + in_files >= bytes) {
            return key;
        }
    }
    return std::string("\xff");
}

std::expected<expired_alerts, std::string> alert_store::expire(const retention_policy& policy,
                                                               std::int64_t now_ms) {
    constexpr std::size_t per_batch = 1000;
    expired_alerts out;
    if (policy.max_age_ms > 0 && now_ms > policy.max_age_ms) {
        const std::string cutoff =
            core::ulid::lower_bound(static_cast<std::uint64_t>(now_ms - policy.max_age_ms))
                .to_string();
        for (;;) {
            auto n = delete_oldest([&](std::string_view id) { return id < cutoff; }, per_batch);
            if (!n) {
                return std::unexpected(n.error());
            }
            out.by_age += *n;
            if (*n < per_batch) {
                break;
            }
        }
    }
    if (policy.max_bytes > 0) {
        const std::uint64_t size = alerts_bytes();
        if (size > policy.max_bytes) {
            // The oldest alerts up to where they hold the excess on disk (and a tenth of the
            // limit more, so that the next passes do not each remove a handful).
            const std::uint64_t to_free = size - policy.max_bytes + policy.max_bytes / 10;
            const std::string cut = oldest_holding(to_free);
            for (;;) {
                auto n = delete_oldest([&](std::string_view id) { return id < cut; }, per_batch);
                if (!n) {
                    return std::unexpected(n.error());
                }
                out.by_size += *n;
                if (*n < per_batch) {
                    break;
                }
            }
        }
    }
    remove_expired_documents(out.by_size > 0);
    if (out.by_age + out.by_size > 0) {
        // Deleted keys keep their space until compaction; compact the old end now so the size
        // measured next reflects it.
        rocksdb::CompactRangeOptions options;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
        it->SeekToFirst();
        const std::string end = it->Valid() ? it->key().ToString() : std::string("\xff");
        const rocksdb::Slice end_slice(end);
        if (auto s = db_->CompactRange(options, alerts_, nullptr, &end_slice); !s.ok()) {
            core::log_warning("compacting expired alerts failed: " + s.ToString());
        }
    }
    return out;
}

void alert_store::remove_expired_documents(bool rewrite_oldest_hour) {
    // Under the writer's lock: no group is between its documents and its batch.
    const std::lock_guard lock(incident_mutex_);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
    it->SeekToFirst();
    if (!it->status().ok()) {
        return;
    }
    // Every alert's document is in a file of its id's hour (or in RocksDB): hours before the
    // oldest alert's hold none that is still referenced.
    std::uint64_t oldest_ms = std::numeric_limits<std::uint64_t>::max();
    if (it->Valid()) {
        const auto oldest = core::ulid::parse(std::string_view(it->key().data(), it->key().size()));
        if (!oldest) {
            return;
        }
        oldest_ms = oldest->time_ms();
    }
    if (const std::size_t removed = documents_->remove_before(oldest_ms); removed > 0) {
        core::log_info("alert retention removed the document files of " + std::to_string(removed) +
                       " hours");
    }
    if (rewrite_oldest_hour && it->Valid()) {
        rewrite_documents_of(static_cast<std::uint32_t>(oldest_ms / document_log::hour_ms));
    }
}

void alert_store::rewrite_documents_of(std::uint32_t hour) {
    constexpr std::uint64_t hour_ms = document_log::hour_ms;
    const std::string lower = core::ulid::lower_bound(hour * hour_ms).to_string();
    const std::string upper = core::ulid::lower_bound((hour + 1) * hour_ms).to_string();
    // The hour's alerts whose documents are in its files: what the files hold besides them is
    // dead (alerts retention removed, documents updated since).
    std::vector<std::pair<std::string, std::string>> live; // id, document
    std::uint64_t live_bytes = 0;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
    for (it->Seek(lower); it->Valid() && it->key().ToStringView() < upper; it->Next()) {
        const auto where =
            document_log::decode(std::string_view(it->value().data(), it->value().size()));
        if (!where || where->hour != hour) {
            continue;
        }
        const std::string id = it->key().ToString();
        auto document = documents_->read(id, *where);
        if (!document) {
            core::log_warning(document.error() + "; it is not rewritten");
            continue;
        }
        live_bytes += document_log::record_size(*where);
        live.emplace_back(id, std::move(*document));
    }
    if (!it->status().ok() || documents_->bytes_of(hour) <= live_bytes) {
        return;
    }
    // In parts: the new file first, then appends to it (no other writer: the lock is held).
    constexpr std::size_t part = 4096;
    for (std::size_t first = 0; first < live.size() || first == 0; first += part) {
        std::vector<document_log::document> records;
        for (std::size_t k = first; k < std::min(live.size(), first + part); ++k) {
            records.push_back({live[k].first, live[k].second, hour * hour_ms});
        }
        auto placed = first == 0 ? documents_->rewrite(hour, records) : documents_->append(records);
        if (!placed) {
            core::log_error("rewriting the alert documents of an hour failed: " + placed.error());
            return;
        }
        store_batch batch;
        for (std::size_t k = 0; k < records.size(); ++k) {
            const auto place = document_log::encode((*placed)[k]);
            batch.Put(alerts_, records[k].id, rocksdb::Slice(place.data(), place.size()));
        }
        if (auto s = batch.write(*db_, rocksdb::WriteOptions()); !s.ok()) {
            core::log_error("rewriting the alert documents of an hour failed: " + s.ToString());
            return;
        }
        if (live.empty()) {
            break;
        }
    }
    documents_->remove_replaced(hour);
}

std::expected<void, std::string> alert_store::build_indexes() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
    store_batch batch;
    std::uint64_t indexed = 0;
    std::string key;
    auto write = [&]() -> std::expected<void, std::string> {
        if (auto s = batch.write(*db_, rocksdb::WriteOptions()); !s.ok()) {
            return std::unexpected(s.ToString());
        }
        batch.Clear();
        return {};
    };
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const std::string_view id(it->key().data(), it->key().size());
        auto facts = read_alert_facts(std::string_view(it->value().data(), it->value().size()));
        if (!facts) {
            core::log_warning("alert " + std::string(id) + " is not indexed: " + facts.error());
            continue;
        }
        put_index_entries(batch, id, facts->terms, facts->facts);
        if (++indexed % 10'000 == 0) {
            if (auto written = write(); !written) {
                return written;
            }
        }
    }
    if (!it->status().ok()) {
        return std::unexpected(it->status().ToString());
    }
    core::log_info("indexed " + std::to_string(indexed) + " alerts");
    return write();
}

} // namespace vigil::alert
