#include "correlate/shard_checkpoint.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace vigil::correlate {
namespace {

constexpr char magic[4] = {'V', 'G', 'C', 'K'};
constexpr char segment_magic[4] = {'V', 'G', 'C', 'W'};
constexpr std::uint32_t format_version = 4;
constexpr std::uint32_t oldest_readable_version = 2; // version 2 had no waiting matches
constexpr std::uint32_t inline_waiting_version = 3;  // waiting matches inside the state

// FNV-1a over the blob, eight bytes at a time: catches truncation and damage.
std::uint64_t checksum(std::string_view bytes) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes.data() + i, 8);
        h = (h ^ word) * 0x100000001b3ull;
    }
    for (; i < bytes.size(); ++i) {
        h = (h ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ull;
    }
    return h;
}

class writer {
public:
    explicit writer(std::string& out) : out_(out) {}
    template <typename T>
    void put(T v) {
        static_assert(std::endian::native == std::endian::little);
        char bytes[sizeof(T)];
        std::memcpy(bytes, &v, sizeof(T));
        out_.append(bytes, sizeof(T));
    }
    void text(std::string_view s) {
        put(static_cast<std::uint32_t>(s.size()));
        out_.append(s);
    }

private:
    std::string& out_;
};

class reader {
public:
    explicit reader(std::string_view in) : in_(in) {}
    template <typename T>
    bool get(T& v) {
        if (in_.size() < sizeof(T)) {
            return fail();
        }
        std::memcpy(&v, in_.data(), sizeof(T));
        in_.remove_prefix(sizeof(T));
        return true;
    }
    bool text(std::string& s) {
        std::uint32_t n = 0;
        if (!get(n) || in_.size() < n) {
            return fail();
        }
        s.assign(in_.substr(0, n));
        in_.remove_prefix(n);
        return true;
    }
    // A count of items each at least `min_bytes` long: more than the rest could hold is damage.
    bool count(std::uint32_t& n, std::size_t min_bytes) {
        return get(n) && (static_cast<std::size_t>(n) * min_bytes <= in_.size() || fail());
    }
    [[nodiscard]] bool done() const { return in_.empty(); }
    [[nodiscard]] bool failed() const { return failed_; }

private:
    bool fail() {
        failed_ = true;
        return false;
    }
    std::string_view in_;
    bool failed_ = false;
};

bool read_entry(reader& r, key_entry& e) {
    std::uint32_t n = 0;
    if (!r.text(e.key) || !r.get(e.newest_ns) || !r.get(e.opened_ns) || !r.get(e.count) ||
        !r.count(n, 8)) {
        return false;
    }
    e.times.resize(n);
    for (auto& t : e.times) {
        if (!r.get(t)) {
            return false;
        }
    }
    std::uint8_t has = 0;
    if (!r.get(has)) {
        return false;
    }
    if (has != 0) {
        e.extra = std::make_unique<key_extra>();
        if (!r.count(n, 36)) {
            return false;
        }
        e.extra->samples.resize(n);
        for (auto& s : e.extra->samples) {
            if (!r.get(s.time_ns) || !r.get(s.number) || !r.get(s.hash) || !r.get(s.weight) ||
                !r.text(s.value)) {
                return false;
            }
        }
        if (!r.text(e.extra->evidence)) {
            return false;
        }
    }
    if (!r.get(has)) {
        return false;
    }
    if (has != 0) {
        e.open = std::make_unique<open_alert>();
        open_alert& a = *e.open;
        std::uint8_t dirty = 0;
        for (auto& b : a.id.bytes) {
            if (!r.get(b)) {
                return false;
            }
        }
        if (!r.get(a.quiet_until_ns) || !r.get(a.count) || !r.get(a.first_seen_ns) ||
            !r.get(a.last_seen_ns) || !r.get(a.created_ns) || !r.get(a.metric) || !r.get(dirty)) {
            return false;
        }
        a.dirty = dirty != 0;
        for (auto* list : {&a.evidence, &a.values}) {
            if (!r.count(n, 4)) {
                return false;
            }
            list->resize(n);
            for (auto& s : *list) {
                if (!r.text(s)) {
                    return false;
                }
            }
        }
    }
    return true;
}

// A match waiting for the watermark, as read back (its texts owned here).
struct waiting_match {
    std::string fingerprint; // of its correlation
    correlation_match match;
    std::string key, value, evidence;
};

void write_waiting(writer& w, const correlation_batch& batch, const correlation_match& m,
                   bool with_evidence) {
    const auto& list = batch.rules->correlations().correlations();
    w.text(m.correlation < list.size() ? list[m.correlation].fingerprint : std::string_view());
    w.put(m.time_ns);
    w.put(m.slots);
    w.text(batch.text(m.key));
    w.text(batch.text(m.value));
    w.text(with_evidence ? batch.text(m.evidence) : std::string_view());
    w.put(m.record_hash);
    w.put(m.input);
    w.put(static_cast<std::uint8_t>(m.counts ? 1 : 0));
}

bool read_waiting(reader& r, waiting_match& out) {
    std::uint8_t counts = 0;
    if (!r.text(out.fingerprint) || !r.get(out.match.time_ns) || !r.get(out.match.slots) ||
        !r.text(out.key) || !r.text(out.value) || !r.text(out.evidence) ||
        !r.get(out.match.record_hash) || !r.get(out.match.input) || !r.get(counts)) {
        return false;
    }
    out.match.counts = counts != 0;
    return true;
}

// Appends the checksum of everything in `blob`.
void seal(std::string& blob) {
    writer(blob).put(checksum(blob));
}

// The part of a sealed blob between its magic and its checksum, or why it cannot be read.
std::expected<std::string_view, std::string> unseal(std::string_view blob, const char (&kind)[4],
                                                    std::string_view what) {
    std::uint64_t stored = 0;
    if (blob.size() < sizeof(kind) || std::memcmp(blob.data(), kind, sizeof(kind)) != 0) {
        return std::unexpected(std::string(what) + " does not start with " +
                               std::string(kind, sizeof(kind)));
    }
    if (blob.size() < sizeof(kind) + sizeof(stored)) {
        return std::unexpected(std::string(what) + " is truncated");
    }
    const std::string_view body = blob.substr(0, blob.size() - sizeof(stored));
    std::memcpy(&stored, blob.data() + body.size(), sizeof(stored));
    if (stored != checksum(body)) {
        return std::unexpected(std::string(what) + " is damaged or truncated (checksum)");
    }
    return body.substr(sizeof(kind));
}

// The matches of a stored segment after the first `left` (those left the buffer since it was
// written), appended to `out`.
std::expected<void, std::string> read_segment(const alert::stored_checkpoint& stored,
                                              std::uint64_t serial, std::uint32_t left,
                                              std::vector<waiting_match>& out) {
    const auto found = std::lower_bound(
        stored.segments.begin(), stored.segments.end(), serial,
        [](const auto& segment, std::uint64_t wanted) { return segment.first < wanted; });
    if (found == stored.segments.end() || found->first != serial) {
        return std::unexpected("a correlator checkpoint refers to waiting matches that are not "
                               "stored (segment " +
                               std::to_string(serial) + ")");
    }
    auto body = unseal(found->second, segment_magic, "a correlator checkpoint segment");
    if (!body) {
        return std::unexpected(body.error());
    }
    reader r(*body);
    std::uint64_t count = 0;
    if (!r.get(count)) {
        return std::unexpected("a correlator checkpoint segment is truncated");
    }
    for (std::uint64_t i = 0; i < count; ++i) {
        waiting_match wait{};
        if (!read_waiting(r, wait)) {
            return std::unexpected("a correlator checkpoint segment is truncated or damaged");
        }
        if (i >= left) {
            out.push_back(std::move(wait));
        }
    }
    return {};
}

} // namespace

alert::shard_checkpoint correlator_shard::checkpoint() {
    alert::shard_checkpoint out;
    out.full = full_checkpoint_next_;
    full_checkpoint_next_ = false;
    if (out.full) {
        buffer_.forget_persisted();
    } else {
        out.retired = buffer_.take_retired();
    }
    // Matches waiting for the watermark are part of the state a restart continues: each batch
    // of them is written once, in a segment, while it waits.
    buffer_.persist_new([&](std::uint64_t serial, const reorder_buffer::stretch& run) {
        std::string blob(segment_magic, sizeof(segment_magic));
        blob.reserve(run.batch.text_bytes() + run.size() * 96);
        writer w(blob);
        w.put(static_cast<std::uint64_t>(run.size()));
        for (std::uint32_t k = 0; k < run.size(); ++k) {
            write_waiting(w, run.batch, run[k], !taken_quietly(run.batch, run[k]));
        }
        seal(blob);
        out.segments.emplace_back(serial, std::move(blob));
    });
    save_state(out.state);
    seal(out.state);
    return out;
}

void correlator_shard::save_state(std::string& out) const {
    writer w(out);
    out.append(magic, sizeof(magic));
    w.put(format_version);
    w.put(watermarks_.newest_ns());
    w.put(watermarks_.watermark_ns());
    // The segments still waiting, and how many of each one's matches have left since.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> segments;
    buffer_.for_each_persisted(
        [&](std::uint64_t serial, std::uint32_t left) { segments.emplace_back(serial, left); });
    w.put(static_cast<std::uint64_t>(segments.size()));
    for (const auto& [serial, left] : segments) {
        w.put(serial);
        w.put(left);
    }
    if (!rules_) {
        return;
    }
    for (std::uint32_t c = 0; c < tables_.size(); ++c) {
        const key_table& keys = tables_[c].keys;
        if (keys.size() == 0) {
            continue;
        }
        w.text(correlation(c).fingerprint);
        w.put(static_cast<std::uint64_t>(keys.size()));
        for (std::uint32_t slot = 0; slot < keys.slot_count(); ++slot) {
            const key_entry& e = keys.at(slot);
            if (!e.live) {
                continue;
            }
            w.text(e.key);
            w.put(e.newest_ns);
            w.put(e.opened_ns);
            w.put(e.count);
            w.put(static_cast<std::uint32_t>(e.times.size()));
            for (std::int64_t t : e.times) {
                w.put(t);
            }
            w.put(static_cast<std::uint8_t>(e.extra ? 1 : 0));
            if (e.extra) {
                w.put(static_cast<std::uint32_t>(e.extra->samples.size()));
                for (const auto& s : e.extra->samples) {
                    w.put(s.time_ns);
                    w.put(s.number);
                    w.put(s.hash);
                    w.put(s.weight);
                    w.text(s.value);
                }
                w.text(e.extra->evidence);
            }
            w.put(static_cast<std::uint8_t>(e.open ? 1 : 0));
            if (e.open) {
                const open_alert& a = *e.open;
                for (std::uint8_t b : a.id.bytes) {
                    w.put(b);
                }
                w.put(a.quiet_until_ns);
                w.put(a.count);
                w.put(a.first_seen_ns);
                w.put(a.last_seen_ns);
                w.put(a.created_ns);
                w.put(a.metric);
                w.put(static_cast<std::uint8_t>(a.dirty ? 1 : 0));
                for (const auto* list : {&a.evidence, &a.values}) {
                    w.put(static_cast<std::uint32_t>(list->size()));
                    for (const auto& s : *list) {
                        w.text(s);
                    }
                }
            }
        }
    }
}

std::expected<restore_result, std::string>
restore_shards(std::span<const alert::stored_checkpoint> stored,
               std::span<correlator_shard* const> shards,
               const std::shared_ptr<const rules::rule_set>& rules) {
    struct restored {
        std::uint32_t fingerprint; // index into fingerprints
        key_entry entry;
    };
    std::vector<std::string> fingerprints;
    std::vector<restored> keys;
    std::vector<waiting_match> waits;
    std::int64_t newest = std::numeric_limits<std::int64_t>::min();
    std::int64_t watermark = std::numeric_limits<std::int64_t>::min();
    for (const auto& shard_stored : stored) {
        auto body = unseal(shard_stored.state, magic, "a correlator checkpoint");
        if (!body) {
            return std::unexpected(body.error());
        }
        reader r(*body);
        std::uint32_t version = 0;
        std::int64_t n = 0;
        std::int64_t w = 0;
        if (!r.get(version) || version < oldest_readable_version || version > format_version) {
            return std::unexpected(
                "a correlator checkpoint has format version " + std::to_string(version) + ", not " +
                std::to_string(oldest_readable_version) + " to " + std::to_string(format_version));
        }
        if (!r.get(n) || !r.get(w)) {
            return std::unexpected("a correlator checkpoint is truncated");
        }
        newest = std::max(newest, n);
        watermark = std::max(watermark, w);
        // Waiting matches: inside the state (version 3), or in the segments it names.
        std::uint64_t pending = 0;
        if (version >= inline_waiting_version && !r.get(pending)) {
            return std::unexpected("a correlator checkpoint is truncated");
        }
        for (std::uint64_t i = 0; i < pending; ++i) {
            if (version == inline_waiting_version) {
                waiting_match wait{};
                if (!read_waiting(r, wait)) {
                    return std::unexpected("a correlator checkpoint is truncated or damaged");
                }
                waits.push_back(std::move(wait));
                continue;
            }
            std::uint64_t serial = 0;
            std::uint32_t left = 0;
            if (!r.get(serial) || !r.get(left)) {
                return std::unexpected("a correlator checkpoint is truncated");
            }
            if (auto read = read_segment(shard_stored, serial, left, waits); !read) {
                return std::unexpected(read.error());
            }
        }
        while (!r.done()) {
            std::string fingerprint;
            std::uint64_t count = 0;
            if (!r.text(fingerprint) || !r.get(count)) {
                return std::unexpected("a correlator checkpoint is truncated");
            }
            fingerprints.push_back(std::move(fingerprint));
            for (std::uint64_t i = 0; i < count; ++i) {
                restored k{static_cast<std::uint32_t>(fingerprints.size() - 1), {}};
                if (!read_entry(r, k.entry)) {
                    return std::unexpected("a correlator checkpoint is truncated or damaged");
                }
                keys.push_back(std::move(k));
            }
        }
    }
    for (auto* shard : shards) {
        shard->use(rules);
        shard->restore_time(newest, watermark);
    }
    restore_result result;
    std::vector<std::optional<std::uint32_t>> correlation; // per fingerprint
    for (const auto& f : fingerprints) {
        correlation.push_back(rules->correlations().find(f));
    }
    for (auto& k : keys) {
        const auto c = correlation[k.fingerprint];
        if (!c) {
            ++result.dropped;
            continue;
        }
        const auto& route = rules->correlations().correlations()[*c].route;
        correlator_shard* shard = shards[route_hash(k.entry.key, route) % shards.size()];
        if (shard->adopt(*c, std::move(k.entry))) {
            ++result.restored;
        }
    }
    // Waiting matches go back to the shard that owns their key, in batches of the rule set.
    std::vector<std::shared_ptr<correlation_batch>> batches(shards.size());
    for (auto& wait : waits) {
        const auto c = rules->correlations().find(wait.fingerprint);
        if (!c) {
            ++result.dropped;
            continue;
        }
        const auto& route = rules->correlations().correlations()[*c].route;
        const std::size_t s = route_hash(wait.key, route) % shards.size();
        if (!batches[s]) {
            batches[s] = std::make_shared<correlation_batch>();
            batches[s]->rules = rules;
        }
        correlation_match m = wait.match;
        m.correlation = *c;
        m.key_hash = key_hash(wait.key);
        m.key = batches[s]->add_text(wait.key);
        m.value = batches[s]->add_text(wait.value);
        m.evidence = batches[s]->add_text(wait.evidence);
        batches[s]->matches.push_back(m);
    }
    for (std::size_t s = 0; s < shards.size(); ++s) {
        if (!batches[s]) {
            continue;
        }
        result.waiting += batches[s]->matches.size();
        shards[s]->adopt_waiting(std::move(batches[s]));
    }
    return result;
}

} // namespace vigil::correlate
