#pragma once

#include "core/raw_record.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::correlate {

// Key parts are joined with this byte into one key string ("203.0.113.7\x1froot").
inline constexpr char key_separator = '\x1f';
// A key of a tenant's event starts with the tenant and this byte ("acme\x1e203.0.113.7"), so
// correlation never mixes customers (ARCHITECTURE.md §2, "Tenants").
inline constexpr char tenant_separator = '\x1e';

// What one input batch's records say about the inputs they came through (ARCHITECTURE.md,
// "Time"): every correlator shard gets it with the batch, matches or not, so that each keeps
// the same watermark per input.
struct input_progress {
    core::input_id input = 0;
    std::int64_t newest_event_ns = 0;   // newest event time (after the future-skew rule)
    std::int64_t newest_receipt_ns = 0; // newest receipt (processing) time
    std::uint32_t records = 0;
    std::uint32_t future_skewed = 0; // records whose time was too far ahead of their receipt
    std::string name;                // for metrics ("syslog_tcp 192.0.2.7:40312")
};

struct batch_progress {
    std::uint64_t sequence = 0;
    std::vector<core::input_change> changes; // inputs that opened or closed
    std::vector<input_progress> inputs;
};

// One match of a rule that feeds a correlation, as a worker hands it to the correlator shard
// that owns its key. Texts are slices of the batch's byte buffer.
struct correlation_match {
    struct slice {
        std::uint32_t offset = 0;
        std::uint32_t size = 0;
    };
    std::uint32_t correlation = 0; // index into the batch rule set's correlations
    // One match per event counts it (late events are counted and dead-lettered once, by the
    // shard that gets this match).
    bool counts = true;
    std::uint64_t slots = 0;  // the positions in the correlation's `rules` it stands for
    std::int64_t time_ns = 0; // event time (receipt time when the record had none)
    std::uint64_t key_hash = 0;
    slice key;                // the group-by values, joined with key_separator
    slice value;              // condition.field values, joined (value_count and the metric types)
    slice evidence;           // the event as alert evidence (JSON), empty if none
    core::input_id input = 0; // the input the event came through
    std::uint64_t record_hash = 0; // core::stable_hash of the raw record: the last tie-break
};

// The matches one worker routes to one shard from one input batch: what crosses the thread
// boundary (DESIGN.md §2: batches, not single events). `rules` is the rule set the worker
// matched with; correlation indices refer to it.
class correlation_batch {
public:
    std::shared_ptr<const rules::rule_set> rules;
    std::vector<correlation_match> matches;
    // The input batch this one comes from: shards apply batches in this order, whatever worker
    // made them (0: not numbered, tests and benchmarks that feed a shard directly).
    std::uint64_t sequence = 0;
    // What the input batch said about its inputs; shared by the batches of every shard.
    std::shared_ptr<const batch_progress> progress;

    // A slice this batch made (add_text, end_text): within the bytes, so not checked again.
    [[nodiscard]] std::string_view text(correlation_match::slice s) const {
        return {bytes_.data() + s.offset, s.size};
    }
    // Copies `text` into the batch.
    correlation_match::slice add_text(std::string_view text);
    // Starts a text that is appended to piece by piece (a key); finish with end_text().
    void begin_text() { open_ = static_cast<std::uint32_t>(bytes_.size()); }
    void append(std::string_view part) { bytes_.append(part); }
    void append(char c) { bytes_.push_back(c); }
    correlation_match::slice end_text() {
        return {open_, static_cast<std::uint32_t>(bytes_.size()) - open_};
    }
    [[nodiscard]] bool empty() const { return matches.empty(); }
    // Room for as many matches and text bytes as `like` holds: a worker's next batch is
    // usually the size of its last one, and growing a fresh one costs page faults.
    void reserve_like(const correlation_batch& like) {
        matches.reserve(like.matches.size());
        bytes_.reserve(like.bytes_.size());
    }
    // Bytes of every text of the batch.
    [[nodiscard]] std::size_t text_bytes() const { return bytes_.size(); }
    void clear();

private:
    std::string bytes_;
    std::uint32_t open_ = 0;
};

// The hash that chooses a shard: over the key parts at the correlation's route positions (see
// rules::compiled_correlation::route). Every correlation of a chain hashes the same values.
[[nodiscard]] std::uint64_t route_hash(std::string_view key, std::span<const std::uint8_t> route);
[[nodiscard]] std::uint64_t key_hash(std::string_view key);
// The parts of a joined key (its tenant left out).
[[nodiscard]] std::vector<std::string_view> split_key(std::string_view key);
// The tenant a key starts with, and the key's parts without it; "" and the key for none.
[[nodiscard]] std::string_view key_tenant(std::string_view key);
[[nodiscard]] std::string_view key_without_tenant(std::string_view key);

} // namespace vigil::correlate
