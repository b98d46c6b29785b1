#include "correlate/shard_checkpoint.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace vigil::correlate {
namespace {

constexpr char magic[4] = {'V', 'G', 'C', 'K'};
constexpr std::uint32_t format_version = 3;
constexpr std::uint32_t oldest_readable_version = 2; // version 2 had no waiting matches

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

} // namespace

void correlator_shard::save(std::string& out) const {
    const std::size_t start = out.size();
    save_body(out);
    writer(out).put(checksum(std::string_view(out).substr(start)));
}

void correlator_shard::save_body(std::string& out) const {
    writer w(out);
    out.append(magic, sizeof(magic));
    w.put(format_version);
    w.put(watermarks_.newest_ns());
    w.put(watermarks_.watermark_ns());
    // Matches waiting for the watermark: they are part of the state a restart continues.
    w.put(static_cast<std::uint64_t>(buffer_.size()));
    buffer_.for_each([&](const reorder_buffer::pending& p) {
        const auto& list = p.batch.rules->correlations().correlations();
        w.text(p.match.correlation < list.size() ? list[p.match.correlation].fingerprint
                                                 : std::string_view());
        w.put(p.match.time_ns);
        w.put(p.match.slots);
        w.text(p.batch.text(p.match.key));
        w.text(p.batch.text(p.match.value));
        w.text(p.batch.text(p.match.evidence));
        w.put(p.match.record_hash);
        w.put(p.match.input);
        w.put(static_cast<std::uint8_t>(p.match.counts ? 1 : 0));
    });
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
restore_shards(std::span<const std::string> blobs, std::span<correlator_shard* const> shards,
               const std::shared_ptr<const rules::rule_set>& rules) {
    struct restored {
        std::uint32_t fingerprint; // index into fingerprints
        key_entry entry;
    };
    struct waiting {
        std::uint32_t fingerprint;
        correlation_match match; // texts in `texts`
        std::string key, value, evidence;
    };
    std::vector<std::string> fingerprints;
    std::vector<restored> keys;
    std::vector<waiting> waits;
    std::int64_t newest = std::numeric_limits<std::int64_t>::min();
    std::int64_t watermark = std::numeric_limits<std::int64_t>::min();
    for (const auto& blob : blobs) {
        if (blob.size() < sizeof(magic) || std::memcmp(blob.data(), magic, sizeof(magic)) != 0) {
            return std::unexpected("a correlator checkpoint does not start with VGCK");
        }
        std::uint64_t stored = 0;
        if (blob.size() < sizeof(magic) + sizeof(stored)) {
            return std::unexpected("a correlator checkpoint is truncated");
        }
        const std::string_view body =
            std::string_view(blob).substr(0, blob.size() - sizeof(stored));
        std::memcpy(&stored, blob.data() + body.size(), sizeof(stored));
        if (stored != checksum(body)) {
            return std::unexpected("a correlator checkpoint is damaged or truncated (checksum)");
        }
        reader r(body.substr(sizeof(magic)));
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
        std::uint64_t pending = 0;
        if (version >= 3 && !r.get(pending)) {
            return std::unexpected("a correlator checkpoint is truncated");
        }
        for (std::uint64_t i = 0; i < pending; ++i) {
            std::string fingerprint;
            waiting wait{};
            std::uint8_t counts = 0;
            if (!r.text(fingerprint) || !r.get(wait.match.time_ns) || !r.get(wait.match.slots) ||
                !r.text(wait.key) || !r.text(wait.value) || !r.text(wait.evidence) ||
                !r.get(wait.match.record_hash) || !r.get(wait.match.input) || !r.get(counts)) {
                return std::unexpected("a correlator checkpoint is truncated or damaged");
            }
            wait.match.counts = counts != 0;
            fingerprints.push_back(std::move(fingerprint));
            wait.fingerprint = static_cast<std::uint32_t>(fingerprints.size() - 1);
            waits.push_back(std::move(wait));
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
        const auto c = correlation[wait.fingerprint];
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
