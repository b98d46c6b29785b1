#include "correlate/correlator_shard.hpp"

#include "alert/correlation_alert.hpp"
#include "core/civil_time.hpp"
#include "core/json_writer.hpp"
#include "correlate/version_order.hpp"
#include "rules/sigma_value.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

// Window state per correlation type (key_entry fields):
//
//   event_count, eager (gt/gte only)  times = event times of the key inside the window, sorted;
//                                      fires when N of them fit in the timespan, then clears.
//   value_count, eager                 extra.samples = one per distinct value, time = last seen;
//                                      fires when N distinct values were seen in the timespan.
//   value_sum, eager                   extra.samples = one per event (time, number).
//   closing windows (any other         opened = the first event's time: the window is
//     condition; value_avg,            [opened, opened + timespan] and is decided when the
//     value_percentile)                watermark passes its end. event_count keeps `count` and,
//                                      in `times`, events that belong to a later window; the
//                                      others keep every observation in extra.samples.
//   temporal                           times[i] = last time rule i matched.
//   temporal_ordered                   times[2i], times[2i+1] = start and end of the latest
//                                      chain rules[0..i] (in order, within the timespan).
//   absence [A]                        newest = last A; fires when the watermark passes
//                                      newest + timespan.
//   absence [A, B]                     opened = the oldest A not yet followed by a B (or
//                                      `never`), times[0] = last B.
//   version_behind                     extra.samples[0] = the newest version of the key (value)
//                                      and when it was first seen (time); a member reporting
//                                      an older one fires once that is a timespan ago.
//
// While a key is quiet after firing (`suppress`), its matches update the open alert instead
// (version_behind: those that report a version behind, listing their members).

namespace vigil::correlate {
namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min();
// A key that no longer matters is forgotten this much (at most one timespan) later.
constexpr std::int64_t forget_grace_ns = 60'000'000'000;
constexpr std::size_t listed_values = 20; // distinct values an alert lists

// Types whose every match changes what the key decides, quiet or not: such matches are never
// simply taken by an open alert, and always wait for the watermark.
bool decides_every_match(const rules::compiled_correlation& c) {
    return c.type == rules::correlation_type::absence ||
           c.type == rules::correlation_type::version_behind;
}

bool closing(const rules::compiled_correlation& c) {
    switch (c.type) {
    case rules::correlation_type::event_count:
    case rules::correlation_type::value_count:
    case rules::correlation_type::value_sum:
        return !c.eager;
    case rules::correlation_type::value_avg:
    case rules::correlation_type::value_percentile:
        return true;
    default:
        return false;
    }
}

} // namespace

correlator_shard::correlator_shard(correlator_limits limits, const core::clock& clock)
    : limits_(limits), clock_(clock), watermarks_(limits.time), clock_ns_(never),
      settled_ns_(never) {}

void correlator_shard::use(std::shared_ptr<const rules::rule_set> rules) {
    if (rules == rules_) {
        return;
    }
    std::vector<table> moved(rules ? rules->correlations().correlations().size() : 0);
    if (rules_) {
        const auto& old = rules_->correlations().correlations();
        for (std::uint32_t c = 0; c < tables_.size(); ++c) {
            auto target = rules ? rules->correlations().find(old[c].fingerprint) : std::nullopt;
            if (target) {
                moved[*target] = std::move(tables_[c]);
            } else {
                counters_.dropped_on_reload += tables_[c].keys.size();
                total_keys_ -= tables_[c].keys.size();
            }
        }
    }
    tables_ = std::move(moved);
    rules_ = std::move(rules);
    for (std::uint32_t c = 0; c < tables_.size(); ++c) {
        // version_behind too: forgetting a key forgets its newest version, which decides later
        // matches, so it must happen at its exact time (before the next match), not after a
        // release.
        tables_[c].decided_by_timer =
            closing(correlation(c)) || decides_every_match(correlation(c));
    }
    translated_from_ = nullptr;
    // By correlation index: what waits now is noted again as it comes.
    waiting_evidence_.assign(tables_.size(), {});
    // Wheel items name tables by index: schedule every key again under its new index.
    wheel_ = timer_wheel();
    expiry_wheel_ = timer_wheel();
    dirty_.clear();
    for (std::uint32_t c = 0; c < tables_.size(); ++c) {
        tables_[c].keys.for_each([&](std::uint32_t slot, key_entry& e) {
            e.in_wheel = false;
            schedule(c, slot);
            if (e.open && e.open->dirty) {
                dirty_.emplace_back(c, slot);
            }
        });
    }
}

std::uint32_t correlator_shard::translated(const rules::rule_set& theirs, std::uint32_t c) {
    if (translated_from_ != &theirs) {
        // A batch matched with another rule set: map its correlations onto ours by definition.
        translated_from_ = &theirs;
        const auto& list = theirs.correlations().correlations();
        translation_.assign(list.size(), -1);
        for (std::uint32_t i = 0; i < list.size(); ++i) {
            if (auto mine = rules_->correlations().find(list[i].fingerprint)) {
                translation_[i] = *mine;
            }
        }
    }
    if (c >= translation_.size() || translation_[c] < 0) {
        return no_correlation;
    }
    return static_cast<std::uint32_t>(translation_[c]);
}

void correlator_shard::process(std::shared_ptr<const correlation_batch> batch,
                               std::vector<alert::alert>& out) {
    const correlation_batch& b = *batch;
    if (b.rules && (!rules_ || b.rules->version() > rules_->version())) {
        use(b.rules);
    }
    if (b.progress) {
        for (const auto& change : b.progress->changes) {
            if (change.opened) {
                watermarks_.opened(change);
            }
        }
    }
    // Behind the watermark: late. The rest waits until the watermark passes it.
    const std::int64_t watermark = watermarks_.watermark_ns();
    std::int64_t newest = never;
    not_waiting_.clear();
    bool in_order = true; // the matches that wait, as they come (one pass over them)
    const correlation_match* previous = nullptr;
    for (std::uint32_t i = 0; i < b.matches.size(); ++i) {
        const correlation_match& m = b.matches[i];
        newest = std::max(newest, m.time_ns);
        if (m.time_ns < watermark) [[unlikely]] {
            if (auto reason = watermarks_.late(m.input, m.time_ns)) {
                on_late(b, m, *reason, out);
                not_waiting_.push_back(i);
                continue;
            }
        }
        if (take_if_quiet(b, m)) {
            not_waiting_.push_back(i);
            continue;
        }
        if (m.evidence.size > 0) {
            note_waiting_evidence(b, m);
        }
        in_order = in_order && (previous == nullptr || !reorder_buffer::before(m, *previous));
        previous = &m;
    }
    buffer_.add(batch, not_waiting_, in_order);
    if (b.progress) {
        for (const auto& progress : b.progress->inputs) {
            watermarks_.observe(progress);
        }
        for (const auto& change : b.progress->changes) {
            if (!change.opened) {
                watermarks_.closed(change);
            }
        }
    } else if (!b.matches.empty()) {
        // Fed directly (tests, benchmarks): one input, as far as its newest match.
        input_progress progress;
        progress.name = "direct";
        progress.newest_event_ns = newest;
        progress.newest_receipt_ns = clock_.now_ns();
        progress.records = static_cast<std::uint32_t>(b.matches.size());
        watermarks_.observe(progress);
    }
    watermarks_.settle(clock_.now_ns(), false);
    release(out);
}

bool correlator_shard::taken_quietly(const correlation_batch& b, const correlation_match& m) {
    if (!b.rules || !rules_) {
        return false;
    }
    const std::uint32_t c = ours(*b.rules, m.correlation);
    return c != no_correlation &&
           quiet_slot(c, b.text(m.key), m.key_hash, m.time_ns) != key_table::none;
}

bool correlator_shard::take_if_quiet(const correlation_batch& b, const correlation_match& m) {
    if (!b.rules || !rules_) {
        return false;
    }
    const std::uint32_t c = ours(*b.rules, m.correlation);
    if (c == no_correlation) {
        return false;
    }
    const std::string_view key = b.text(m.key);
    const std::uint32_t slot = quiet_slot(c, key, m.key_hash, m.time_ns);
    if (slot == key_table::none) {
        return false;
    }
    if (m.evidence.size > 0) {
        note_quiet(c, {key, m.key_hash}, m.time_ns); // the worker did not know yet
    }
    ++counters_.matches;
    take_quietly(c, slot, m.time_ns, b.text(m.evidence));
    return true;
}

std::uint32_t correlator_shard::quiet_slot(std::uint32_t c, std::string_view key,
                                           std::uint64_t hash, std::int64_t time_ns) const {
    const auto until = quiet_until(c, key, hash);
    return until && time_ns < until->first ? until->second : key_table::none;
}

std::optional<std::pair<std::int64_t, std::uint32_t>>
correlator_shard::quiet_until(std::uint32_t c, std::string_view key, std::uint64_t hash) const {
    if (c >= tables_.size() || decides_every_match(correlation(c))) {
        return std::nullopt;
    }
    const key_table& keys = tables_[c].keys;
    const std::uint32_t slot = keys.find(key, hash);
    if (slot == key_table::none) {
        return std::nullopt;
    }
    const key_entry& e = keys.at(slot);
    if (!e.open || e.open->evidence.size() < limits_.evidence_per_alert) {
        return std::nullopt;
    }
    return std::pair{e.open->quiet_until_ns, slot};
}

void correlator_shard::take_quietly(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                                    std::string_view evidence) {
    key_entry& e = tables_[c].keys.at(slot);
    e.newest_ns = std::max(e.newest_ns, t);
    open_alert& a = *e.open;
    ++a.count;
    a.first_seen_ns = std::min(a.first_seen_ns, t);
    a.last_seen_ns = std::max(a.last_seen_ns, t);
    if (!evidence.empty() && a.evidence.size() < limits_.evidence_per_alert) {
        a.evidence.emplace_back(evidence);
    }
    if (!a.dirty) {
        a.dirty = true;
        dirty_.emplace_back(c, slot);
    }
    schedule(c, slot);
}

void correlator_shard::note_quiet(std::uint32_t c, core::prehashed_string key,
                                  std::int64_t time_ns) {
    if (published_quiet_ && published_quiet_->quiet(rules_.get(), c, key, time_ns)) {
        return; // the workers know
    }
    if (newly_quiet_rules_ != rules_.get()) {
        newly_quiet_.assign(tables_.size(), {});
        newly_quiet_rules_ = rules_.get();
    }
    if (!newly_quiet_[c].contains(key)) {
        newly_quiet_[c].emplace(key.text, true);
    }
}

void correlator_shard::note_waiting_evidence(const correlation_batch& b,
                                             const correlation_match& m) {
    const std::size_t wanted = limits_.evidence_per_alert;
    if (!b.rules || !rules_ || wanted == 0) {
        return;
    }
    const std::uint32_t c = ours(*b.rules, m.correlation);
    if (c == no_correlation || !correlation(c).suppression || !correlation(c).consumers.empty()) {
        return;
    }
    // Only a match that will go to the key's next alert: none open, or it is past the open
    // one's quiet time (an open alert whose evidence is not full yet would take it).
    const std::string_view key = b.text(m.key);
    const core::prehashed_string hashed{key, m.key_hash};
    const key_table& keys = tables_[c].keys;
    if (const std::uint32_t slot = keys.find(key, m.key_hash); slot != key_table::none) {
        const key_entry& e = keys.at(slot);
        if (e.open && m.time_ns < e.open->quiet_until_ns) {
            return;
        }
    }
    auto& waiting = waiting_evidence_[c];
    auto found = waiting.find(hashed);
    if (found == waiting.end()) {
        found = waiting.emplace(std::string(key), std::vector<std::int64_t>()).first;
    }
    std::vector<std::int64_t>& times = found->second;
    if (times.size() == wanted && m.time_ns >= times.back()) {
        return;
    }
    times.insert(std::upper_bound(times.begin(), times.end(), m.time_ns), m.time_ns);
    if (times.size() > wanted) {
        times.pop_back();
    } else if (times.size() == wanted) {
        evidence_news_ = true;
    }
}

void correlator_shard::publish_waiting_evidence(quiet_keys& next) const {
    // Every match still waiting, and every one still to come that is not late, is at or after
    // settled_ns_: a key's next alert opens no earlier, so it is quiet at least until
    // settled_ns_ + the suppression's duration; the matches after the waiting evidence and
    // before then are never its evidence.
    if (settled_ns_ == never) {
        return;
    }
    next.enough.resize(tables_.size());
    for (std::uint32_t c = 0; c < waiting_evidence_.size(); ++c) {
        const std::int64_t until = settled_ns_ + correlation(c).suppress_ns;
        for (const auto& [key, times] : waiting_evidence_[c]) {
            if (times.size() == limits_.evidence_per_alert && times.back() < until) {
                next.enough[c].emplace(key, quiet_keys::evidence_waiting{times.back(), until});
            }
        }
    }
}

void correlator_shard::on_late(const correlation_batch& b, const correlation_match& m,
                               late_reason reason, std::vector<alert::alert>& out) {
    if (m.counts) {
        ++counters_.late;
        ++counters_.late_by_reason[static_cast<std::size_t>(reason)];
        watermarks_.count_late(m.input, reason);
    }
    if (limits_.late_events == late_policy::apply) {
        apply_match(b, m, out);
        return;
    }
    if (!m.counts) {
        return; // the shard that got the event's counting match keeps it
    }
    std::string& letter = dead_letters_.emplace_back();
    core::json_writer w(letter);
    w.begin_object()
        .field("reason", "late: " + std::string(to_string(reason)))
        .field("event_time", core::rfc3339(m.time_ns).view())
        .field("watermark", core::rfc3339(watermarks_.watermark_ns()).view());
    if (const std::string_view evidence = b.text(m.evidence); !evidence.empty()) {
        w.key("event").raw(evidence);
    }
    w.end_object();
}

void correlator_shard::release(std::vector<alert::alert>& out) {
    const std::int64_t watermark = watermarks_.watermark_ns();
    if (watermark == never) {
        return;
    }
    buffer_.release(watermark, [&](const reorder_buffer::stretch& s) { apply_released(s, out); });
    settle_to(watermark, out);
}

void correlator_shard::finish(std::int64_t until_ns, std::vector<alert::alert>& out) {
    buffer_.release(std::numeric_limits<std::int64_t>::max(),
                    [&](const reorder_buffer::stretch& s) { apply_released(s, out); });
    settle_to(until_ns, out);
}

void correlator_shard::apply_released(const reorder_buffer::stretch& s,
                                      std::vector<alert::alert>& out) {
    const correlation_batch& b = s.batch;
    const bool known = b.rules && rules_;
    // Look ahead in three stages (index cell, entry, timestamps) so that the cache misses of
    // many keys overlap; each stage reads what the one before brought in.
    constexpr std::uint32_t index_ahead = 12;
    constexpr std::uint32_t entry_ahead = 8;
    constexpr std::uint32_t times_ahead = 4;
    auto table_of = [&](std::uint32_t k) -> const key_table* {
        if (!known || k >= s.size()) {
            return nullptr;
        }
        const std::uint32_t c = ours(*b.rules, s[k].correlation);
        return c == no_correlation ? nullptr : &tables_[c].keys;
    };
    for (std::uint32_t k = 0; k < s.size(); ++k) {
        if (const key_table* t = table_of(k + index_ahead)) {
            t->prefetch_index(s[k + index_ahead].key_hash);
        }
        if (const key_table* t = table_of(k + entry_ahead)) {
            t->prefetch_entry(s[k + entry_ahead].key_hash);
        }
        if (const key_table* t = table_of(k + times_ahead)) {
            t->prefetch_times(s[k + times_ahead].key_hash);
        }
        const correlation_match& m = s[k];
        advance_clock(m.time_ns, out);
        apply_match(b, m, out);
    }
}

void correlator_shard::advance_to(std::int64_t watermark_ns, std::vector<alert::alert>& out) {
    watermarks_.force(watermark_ns);
    release(out);
}

void correlator_shard::adopt_waiting(std::shared_ptr<const correlation_batch> batch) {
    buffer_.add(std::move(batch), {}, false);
}

void correlator_shard::apply(std::uint32_t c, std::uint64_t slots, std::int64_t t,
                             std::string_view key, std::uint64_t hash, std::string_view value,
                             std::string_view evidence, std::vector<alert::alert>& out) {
    ++counters_.matches;
    const std::uint32_t slot = slot_for(c, key, hash, t, out);
    key_table& keys = tables_[c].keys;
    {
        key_entry& e = keys.at(slot);
        if (e.open && t < e.open->quiet_until_ns && !decides_every_match(correlation(c))) {
            take_quietly(c, slot, t, evidence); // quiet: the open alert takes the event
            return;
        }
        e.newest_ns = std::max(e.newest_ns, t);
    }
    const auto& corr = correlation(c);
    using rules::correlation_type;
    if (closing(corr)) {
        on_closing(c, slot, t, value, evidence);
    } else {
        switch (corr.type) {
        case correlation_type::event_count:
            on_event_count(c, slot, t, evidence, out);
            break;
        case correlation_type::value_count:
            on_value_count(c, slot, t, value, evidence, out);
            break;
        case correlation_type::value_sum:
            on_value_sum(c, slot, t, value, evidence, out);
            break;
        case correlation_type::temporal:
            on_temporal(c, slot, slots, t, evidence, out);
            break;
        case correlation_type::temporal_ordered:
            on_temporal_ordered(c, slot, slots, t, evidence, out);
            break;
        case correlation_type::absence:
            on_absence(c, slot, slots, t, evidence);
            break;
        case correlation_type::version_behind:
            on_version_behind(c, slot, t, value, evidence, out);
            break;
        default:
            break;
        }
    }
    if (keys.at(slot).live) {
        schedule(c, slot);
    }
}

std::uint32_t correlator_shard::slot_for(std::uint32_t c, std::string_view key, std::uint64_t hash,
                                         std::int64_t time_ns, std::vector<alert::alert>& out) {
    key_table& keys = tables_[c].keys;
    if (const std::uint32_t found = keys.find(key, hash); found != key_table::none) {
        return found;
    }
    if (keys.size() >= limits_.max_keys_per_rule && keys.oldest() != key_table::none) {
        ++counters_.evicted_rule_limit;
        erase(c, keys.oldest(), out);
    }
    if (total_keys_ >= limits_.max_keys) {
        // Oldest first across correlations: the least recently used key whose newest event
        // is oldest.
        std::uint32_t victim_table = key_table::none;
        std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
        for (std::uint32_t t = 0; t < tables_.size(); ++t) {
            const std::uint32_t s = tables_[t].keys.oldest();
            if (s != key_table::none && tables_[t].keys.at(s).newest_ns < oldest) {
                oldest = tables_[t].keys.at(s).newest_ns;
                victim_table = t;
            }
        }
        if (victim_table != key_table::none) {
            ++counters_.evicted_global_limit;
            erase(victim_table, tables_[victim_table].keys.oldest(), out);
        }
    }
    const std::uint32_t slot = keys.insert(key, hash, time_ns);
    ++total_keys_;
    key_entry& e = keys.at(slot);
    e.newest_ns = never;
    e.opened_ns = never;
    const auto& corr = correlation(c);
    using rules::correlation_type;
    if (corr.type == correlation_type::temporal) {
        e.times.assign(corr.rule_count, never);
    } else if (corr.type == correlation_type::temporal_ordered) {
        e.times.assign(2 * std::size_t{corr.rule_count}, never);
    } else if (corr.type == correlation_type::absence && corr.rule_count == 2) {
        e.times.assign(1, never);
    }
    return slot;
}

void correlator_shard::erase(std::uint32_t c, std::uint32_t slot, std::vector<alert::alert>& out) {
    key_entry& e = tables_[c].keys.at(slot);
    if (e.open && e.open->dirty) {
        emit_update(c, e, out);
    }
    tables_[c].keys.erase(slot);
    --total_keys_;
}

void correlator_shard::on_event_count(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                                      std::string_view evidence, std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    auto& times = e.times;
    // Events older than the settled time minus the timespan can share no window with an event
    // that is still to come. (Not the clock of this match: a horizon that moves once per
    // release makes this a branch the processor predicts; the list bound below holds either way.)
    const std::int64_t horizon = settled_ns_ == never ? never : settled_ns_ - corr.timespan_ns;
    if (!times.empty() && times.front() < horizon) {
        times.erase(times.begin(), std::lower_bound(times.begin(), times.end(), horizon));
    }
    std::size_t k = times.size();
    if (times.empty() || t >= times[k - 1]) {
        times.push_back(t); // in order: the common case
    } else {
        auto at = std::upper_bound(times.begin(), times.end(), t);
        k = static_cast<std::size_t>(at - times.begin());
        times.insert(at, t);
    }
    const std::size_t n = corr.minimum_count;
    // Every run of n consecutive times that contains the new one.
    const std::size_t first = k + 1 >= n ? k + 1 - n : 0;
    for (std::size_t i = first; i <= k && i + n <= times.size(); ++i) {
        if (times[i + n - 1] - times[i] > corr.timespan_ns) {
            continue;
        }
        std::size_t end = i + n;
        while (end < times.size() && times[end] - times[i] <= corr.timespan_ns) {
            ++end;
        }
        fire_facts facts;
        facts.count = end - i;
        facts.first_seen_ns = times[i];
        facts.last_seen_ns = times[end - 1];
        facts.evidence = evidence;
        times.clear();
        fire(c, slot, t, std::move(facts), out);
        return;
    }
    // Bound: without a firing, each timespan holds fewer than n events, and the kept range is
    // at most timespan + lateness long.
    const std::size_t cap =
        n * static_cast<std::size_t>(2 + limits_.time.allowed_lateness_ns /
                                             std::max<std::int64_t>(1, corr.timespan_ns));
    if (times.size() > cap) {
        counters_.evicted_values += times.size() - cap;
        times.erase(times.begin(), times.begin() + (times.size() - cap));
    }
}

void correlator_shard::add_sample(std::uint32_t c, key_entry& e, sample s) {
    const auto& corr = correlation(c);
    if (!e.extra) {
        e.extra = std::make_unique<key_extra>();
    }
    auto& samples = e.extra->samples;
    // A key keeps at most max_values_per_key observations; a value_count keeps at least twice
    // the distinct values its condition needs, so a threshold above the limit stays reachable
    // (memory stays proportional to the threshold).
    std::size_t cap = limits_.max_values_per_key;
    if (corr.type == rules::correlation_type::value_count) {
        cap = std::max<std::size_t>(cap, 2 * static_cast<std::size_t>(std::min<std::uint64_t>(
                                                 corr.minimum_count, std::uint64_t{1} << 20)));
    }
    if (samples.size() < cap) {
        samples.push_back(std::move(s));
        return;
    }
    ++counters_.evicted_values;
    auto by_time = [](const sample& a, const sample& b) { return a.time_ns < b.time_ns; };
    if (corr.type == rules::correlation_type::value_sum ||
        corr.type == rules::correlation_type::value_avg) {
        // Sums stay exact: the two oldest observations become one (with the later time, so it
        // leaves the window a little late rather than early).
        std::sort(samples.begin(), samples.end(), by_time);
        samples[1].number += samples[0].number;
        samples[1].weight += samples[0].weight;
        samples.erase(samples.begin());
        samples.push_back(std::move(s));
        return;
    }
    *std::min_element(samples.begin(), samples.end(), by_time) = std::move(s);
}

void correlator_shard::on_value_count(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                                      std::string_view value, std::string_view evidence,
                                      std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    if (!e.extra) {
        e.extra = std::make_unique<key_extra>();
    }
    auto& samples = e.extra->samples;
    // Matches arrive in time order (late ones aside): what is older than the key's current
    // window cannot count again.
    const std::int64_t horizon = e.newest_ns - corr.timespan_ns;
    std::erase_if(samples, [&](const sample& s) { return s.time_ns < horizon; });
    const std::uint64_t h = key_hash(value);
    auto it = std::find_if(samples.begin(), samples.end(),
                           [&](const sample& s) { return s.hash == h && s.value == value; });
    if (it != samples.end()) {
        it->time_ns = std::max(it->time_ns, t);
    } else {
        add_sample(c, e, sample{t, 0, h, 1, std::string(value)});
    }
    // Distinct values seen in the timespan that ends at the key's newest event.
    const std::int64_t from = e.newest_ns - corr.timespan_ns;
    std::uint64_t distinct = 0;
    std::int64_t first = std::numeric_limits<std::int64_t>::max();
    for (const auto& s : samples) {
        if (s.time_ns >= from) {
            ++distinct;
            first = std::min(first, s.time_ns);
        }
    }
    if (distinct < corr.minimum_count) {
        return;
    }
    fire_facts facts;
    facts.count = distinct;
    facts.first_seen_ns = first;
    facts.last_seen_ns = e.newest_ns;
    facts.evidence = evidence;
    facts.metric = static_cast<double>(distinct);
    for (const auto& s : samples) {
        if (s.time_ns >= from && facts.values.size() < listed_values) {
            facts.values.push_back(s.value);
        }
    }
    samples.clear();
    fire(c, slot, t, std::move(facts), out);
}

void correlator_shard::on_value_sum(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                                    std::string_view value, std::string_view evidence,
                                    std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    const auto number = rules::parse_number(value);
    if (!number) {
        ++counters_.not_a_number;
        return;
    }
    key_entry& e = tables_[c].keys.at(slot);
    add_sample(c, e, sample{t, *number, 0, 1, {}});
    auto& samples = e.extra->samples;
    // Matches arrive in time order (late ones aside): what is older than the key's current
    // window cannot count again.
    const std::int64_t horizon = e.newest_ns - corr.timespan_ns;
    std::erase_if(samples, [&](const sample& s) { return s.time_ns < horizon; });
    const std::int64_t from = e.newest_ns - corr.timespan_ns;
    double sum = 0;
    std::uint64_t count = 0;
    std::int64_t first = std::numeric_limits<std::int64_t>::max();
    for (const auto& s : samples) {
        if (s.time_ns >= from) {
            sum += s.number;
            count += s.weight;
            first = std::min(first, s.time_ns);
        }
    }
    if (!corr.condition.holds(sum)) {
        return;
    }
    fire_facts facts;
    facts.count = count;
    facts.first_seen_ns = first;
    facts.last_seen_ns = e.newest_ns;
    facts.evidence = evidence;
    facts.metric = sum;
    samples.clear();
    fire(c, slot, t, std::move(facts), out);
}

void correlator_shard::on_closing(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                                  std::string_view value, std::string_view evidence) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    if (!e.extra) {
        e.extra = std::make_unique<key_extra>();
    }
    e.extra->evidence.assign(evidence);
    if (e.opened_ns == never) {
        e.opened_ns = t;
    }
    const std::int64_t closes = e.opened_ns + corr.timespan_ns;
    if (corr.type == rules::correlation_type::event_count) {
        if (t > closes) {
            e.times.push_back(t); // a later window's
        } else {
            ++e.count;
        }
        return;
    }
    sample s{t, 0, 0, 1, {}};
    if (corr.type == rules::correlation_type::value_sum ||
        corr.type == rules::correlation_type::value_avg) {
        const auto number = rules::parse_number(value);
        if (!number) {
            ++counters_.not_a_number;
            return;
        }
        s.number = *number;
    } else {
        s.hash = key_hash(value);
        s.value.assign(value);
    }
    add_sample(c, e, std::move(s));
}

void correlator_shard::on_temporal(std::uint32_t c, std::uint32_t slot, std::uint64_t slots,
                                   std::int64_t t, std::string_view evidence,
                                   std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    for (std::uint64_t bits = slots; bits != 0; bits &= bits - 1) {
        const auto p = static_cast<std::size_t>(std::countr_zero(bits));
        e.times[p] = std::max(e.times[p], t);
    }
    const std::int64_t newest = *std::max_element(e.times.begin(), e.times.end());
    std::uint64_t present = 0;
    std::int64_t first = newest;
    for (std::int64_t seen : e.times) {
        if (seen != never && seen >= newest - corr.timespan_ns) {
            ++present;
            first = std::min(first, seen);
        }
    }
    if (present < corr.minimum_count) {
        return;
    }
    fire_facts facts;
    facts.count = present;
    facts.first_seen_ns = first;
    facts.last_seen_ns = newest;
    facts.evidence = evidence;
    std::fill(e.times.begin(), e.times.end(), never);
    fire(c, slot, t, std::move(facts), out);
}

void correlator_shard::on_temporal_ordered(std::uint32_t c, std::uint32_t slot, std::uint64_t slots,
                                           std::int64_t t, std::string_view evidence,
                                           std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    auto start = [&](std::size_t p) -> std::int64_t& { return e.times[2 * p]; };
    auto end = [&](std::size_t p) -> std::int64_t& { return e.times[2 * p + 1]; };
    const std::size_t last = corr.rule_count - 1;
    // Chains that can no longer complete within the timespan are dropped.
    for (std::size_t p = 0; p <= last; ++p) {
        if (start(p) != never && start(p) < e.newest_ns - corr.timespan_ns) {
            start(p) = end(p) = never;
        }
    }
    bool completed = false;
    // Highest position first, so that one event never extends a chain it just started.
    for (std::size_t p = last + 1; p-- > 0;) {
        if (((slots >> p) & 1u) == 0) {
            continue;
        }
        if (p == 0) {
            if (t >= start(0)) {
                start(0) = end(0) = t; // the latest start leaves the most time
            }
            continue;
        }
        if (end(p - 1) != never && end(p - 1) <= t && t - start(p - 1) <= corr.timespan_ns &&
            (start(p) == never || start(p - 1) >= start(p))) {
            start(p) = start(p - 1);
            end(p) = t;
            completed = completed || p == last;
        }
    }
    if (!completed) {
        return;
    }
    fire_facts facts;
    facts.count = corr.rule_count;
    facts.first_seen_ns = start(last);
    facts.last_seen_ns = end(last);
    facts.evidence = evidence;
    std::fill(e.times.begin(), e.times.end(), never);
    fire(c, slot, t, std::move(facts), out);
}

void correlator_shard::on_absence(std::uint32_t c, std::uint32_t slot, std::uint64_t slots,
                                  std::int64_t t, std::string_view evidence) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    if (corr.rule_count == 1) {
        if (t >= e.newest_ns || !e.extra) {
            if (!e.extra) {
                e.extra = std::make_unique<key_extra>();
            }
            e.extra->evidence.assign(evidence);
        }
        return; // newest_ns is the last sighting
    }
    // [A, B]: B answers the oldest pending A at or before it, within the timespan.
    const bool is_a = (slots & 1u) != 0;
    const bool is_b = (slots & 2u) != 0;
    if (is_b) {
        e.times[0] = std::max(e.times[0], t);
        if (e.opened_ns != never && t >= e.opened_ns && t <= e.opened_ns + corr.timespan_ns) {
            e.opened_ns = never;
        }
    }
    if (is_a && e.opened_ns == never) {
        const std::int64_t last_b = e.times[0];
        const bool answered = last_b != never && last_b >= t && last_b <= t + corr.timespan_ns;
        if (!answered) {
            e.opened_ns = t;
            if (!e.extra) {
                e.extra = std::make_unique<key_extra>();
            }
            e.extra->evidence.assign(evidence);
        }
    }
}

void correlator_shard::on_version_behind(std::uint32_t c, std::uint32_t slot, std::int64_t t,
                                         std::string_view value, std::string_view evidence,
                                         std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    // The value is the version, then the fields that name the member reporting it.
    const std::size_t cut = value.find(key_separator);
    const std::string_view version = value.substr(0, cut);
    const std::string_view member =
        cut == std::string_view::npos ? std::string_view() : value.substr(cut + 1);
    if (version.empty()) {
        return; // nothing to compare
    }
    if (!e.extra) {
        e.extra = std::make_unique<key_extra>();
    }
    auto& samples = e.extra->samples;
    if (samples.empty()) {
        samples.push_back(sample{t, 0, 0, 1, std::string(version)});
        return;
    }
    sample& newest = samples.front();
    const auto order = compare_versions(version, newest.value);
    if (order > 0) {
        newest.value.assign(version);
        newest.time_ns = t;
        return;
    }
    if (order == 0) {
        newest.time_ns = std::min(newest.time_ns, t); // a late match saw it earlier
        return;
    }
    if (t < newest.time_ns + corr.timespan_ns) {
        return; // the newest version is still being rolled out
    }
    std::string listed(member);
    std::replace(listed.begin(), listed.end(), key_separator, ' ');
    listed += ": ";
    listed += version;
    listed += " (newest ";
    listed += newest.value;
    listed += ')';
    fire_facts facts;
    facts.count = 1;
    facts.first_seen_ns = t;
    facts.last_seen_ns = t;
    facts.evidence = evidence;
    facts.values.push_back(std::move(listed));
    fire(c, slot, t, std::move(facts), out);
}

void correlator_shard::fire(std::uint32_t c, std::uint32_t slot, std::int64_t at_ns,
                            fire_facts facts, std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    const std::int64_t now = clock_.now_ns();
    if (e.open && at_ns < e.open->quiet_until_ns) {
        open_alert& a = *e.open;
        a.count += facts.count;
        a.first_seen_ns = std::min(a.first_seen_ns, facts.first_seen_ns);
        a.last_seen_ns = std::max(a.last_seen_ns, facts.last_seen_ns);
        if (!facts.evidence.empty() && a.evidence.size() < limits_.evidence_per_alert) {
            a.evidence.emplace_back(facts.evidence);
        }
        for (auto& v : facts.values) {
            if (a.values.size() < listed_values &&
                std::find(a.values.begin(), a.values.end(), v) == a.values.end()) {
                a.values.push_back(std::move(v));
            }
        }
        if (facts.metric) {
            a.metric = *facts.metric;
        }
        if (!a.dirty) {
            a.dirty = true;
            dirty_.emplace_back(c, slot);
        }
        return;
    }
    if (e.open && e.open->dirty) {
        emit_update(c, e, out); // the quiet period ended: the old alert's last state first
    }
    const std::string key = e.key; // chaining may move nothing, but keep a stable copy
    const core::ulid id =
        alert::correlation_alert_id(rules_->rules()[corr.rule].id, key, facts.first_seen_ns, at_ns);
    if (corr.alerts) {
        const auto parts = split_key(key);
        std::vector<std::string> evidence;
        if (!facts.evidence.empty()) {
            evidence.emplace_back(facts.evidence);
        }
        alert::correlation_facts f;
        f.id = id;
        f.correlation = &corr;
        f.key = parts;
        f.tenant = key_tenant(key);
        f.count = facts.count;
        f.first_seen_ns = facts.first_seen_ns;
        f.last_seen_ns = facts.last_seen_ns;
        f.created_ns = now;
        f.metric = facts.metric;
        f.values = facts.values;
        f.evidence = evidence;
        if (corr.suppress_ns > 0) {
            f.quiet_until_ns = at_ns + corr.suppress_ns;
        }
        out.push_back(
            alert::make_correlation_alert(rules_->rules()[corr.rule], rules_->version(), f));
        ++counters_.alerts;
        if (corr.suppress_ns > 0) {
            waiting_evidence_[c].erase(key); // its evidence is what this alert takes now
            auto a = std::make_unique<open_alert>();
            a->id = id;
            a->count = facts.count;
            a->first_seen_ns = facts.first_seen_ns;
            a->last_seen_ns = facts.last_seen_ns;
            a->created_ns = now;
            a->evidence = std::move(evidence);
            a->values = std::move(facts.values);
            a->metric = facts.metric.value_or(0);
            a->quiet_until_ns = at_ns + corr.suppress_ns;
            e.open = std::move(a);
        }
    }
    chain(c, key, facts.last_seen_ns, facts.evidence, out);
}

void correlator_shard::chain(std::uint32_t c, const std::string& key, std::int64_t at_ns,
                             std::string_view evidence, std::vector<alert::alert>& out) {
    const auto& consumers = correlation(c).consumers;
    if (consumers.empty()) {
        return;
    }
    const auto parts = split_key(key);
    std::string chained_key;
    std::string value;
    const std::string_view tenant = key_tenant(key);
    for (const auto& feed : consumers) {
        chained_key.clear();
        if (!tenant.empty()) {
            chained_key.append(tenant).push_back(tenant_separator); // a chain stays with its tenant
        }
        for (std::size_t i = 0; i < feed.key_from.size(); ++i) {
            if (i > 0) {
                chained_key += key_separator;
            }
            chained_key += parts[feed.key_from[i]];
        }
        value.clear();
        for (std::size_t i = 0; i < feed.value_from.size(); ++i) {
            if (i > 0) {
                value += key_separator;
            }
            value += parts[feed.value_from[i]];
        }
        apply(feed.correlation, feed.slots, at_ns, chained_key, key_hash(chained_key), value,
              evidence, out);
    }
}

void correlator_shard::emit_update(std::uint32_t c, key_entry& e, std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    open_alert& a = *e.open;
    a.dirty = false;
    if (!corr.alerts) {
        return;
    }
    const auto parts = split_key(e.key);
    alert::correlation_facts f;
    f.id = a.id;
    f.correlation = &corr;
    f.key = parts;
    f.tenant = key_tenant(e.key);
    f.count = a.count;
    f.first_seen_ns = a.first_seen_ns;
    f.last_seen_ns = a.last_seen_ns;
    f.created_ns = a.created_ns;
    f.updated_ns = clock_.now_ns();
    f.quiet_until_ns = a.quiet_until_ns;
    if (corr.type != rules::correlation_type::event_count &&
        corr.type != rules::correlation_type::temporal &&
        corr.type != rules::correlation_type::temporal_ordered &&
        corr.type != rules::correlation_type::absence &&
        corr.type != rules::correlation_type::version_behind) {
        f.metric = a.metric;
    }
    f.values = a.values;
    f.evidence = a.evidence;
    out.push_back(alert::make_correlation_alert(rules_->rules()[corr.rule], rules_->version(), f));
    ++counters_.updates;
}

std::int64_t correlator_shard::deadline(std::uint32_t c, const key_entry& e) const {
    const auto& corr = correlation(c);
    std::int64_t due;
    if (closing(corr) && e.opened_ns != never) {
        due = e.opened_ns + corr.timespan_ns; // the window closes
    } else if (corr.type == rules::correlation_type::absence &&
               (corr.rule_count == 1 || e.opened_ns != never)) {
        // The absence is confirmed.
        due = (corr.rule_count == 1 ? e.newest_ns : e.opened_ns) + corr.timespan_ns;
    } else if (corr.type == rules::correlation_type::version_behind) {
        // The newest version is forgotten when no member has reported for two timespans.
        due = e.newest_ns + 2 * corr.timespan_ns;
    } else {
        // Matches are applied in time order, so the key matters only until no window can
        // hold it and a later event together; it is forgotten a little after that, so that a
        // key that comes back every minute or so is not rebuilt each time (what the state
        // holds then is no different from a new key's: every kind ignores what is older than
        // its window).
        const std::int64_t grace = std::min(corr.timespan_ns, forget_grace_ns);
        due = (closing(corr) ? e.newest_ns : e.newest_ns + corr.timespan_ns) + grace;
    }
    if (e.open) {
        due = std::max(due, e.open->quiet_until_ns);
    }
    return due;
}

void correlator_shard::schedule(std::uint32_t c, std::uint32_t slot) {
    key_entry& e = tables_[c].keys.at(slot);
    if (e.in_wheel) {
        return; // the wheel looks again when the item comes due (lazily)
    }
    e.in_wheel = true;
    (tables_[c].decided_by_timer ? wheel_ : expiry_wheel_)
        .schedule(deadline(c, e), {c, slot, e.generation});
}

void correlator_shard::settle_to(std::int64_t to_ns, std::vector<alert::alert>& out) {
    advance_clock(to_ns, out);
    settled_ns_ = clock_ns_;
    if (expiry_wheel_.has_due_before(clock_ns_)) {
        run_timers(expiry_wheel_, clock_ns_, out);
    }
}

void correlator_shard::run_timers(timer_wheel& wheel, std::int64_t to_ns,
                                  std::vector<alert::alert>& out) {
    wheel.advance(
        to_ns, [&](const timer_wheel::item& it) { on_due(it, out); },
        [&](const timer_wheel::item& it) {
            if (it.table < tables_.size() && it.slot < tables_[it.table].keys.slot_count()) {
                __builtin_prefetch(&tables_[it.table].keys.at(it.slot));
            }
        });
}

void correlator_shard::on_due(const timer_wheel::item& it, std::vector<alert::alert>& out) {
    if (it.table >= tables_.size() || it.slot >= tables_[it.table].keys.slot_count()) {
        return;
    }
    key_entry& e = tables_[it.table].keys.at(it.slot);
    if (!e.live || e.generation != it.generation) {
        return;
    }
    e.in_wheel = false;
    const auto& corr = correlation(it.table);
    // Due strictly before the clock, or not yet (a later event moved the deadline).
    const std::int64_t due = deadline(it.table, e);
    if (due >= clock_ns_) {
        schedule(it.table, it.slot);
        return;
    }
    if (closing(corr) && e.opened_ns != never) {
        close_window(it.table, it.slot, out);
        key_entry& after = tables_[it.table].keys.at(it.slot);
        if (after.live &&
            (after.opened_ns != never || (after.open && after.open->quiet_until_ns >= clock_ns_))) {
            schedule(it.table, it.slot);
            return;
        }
    } else if (corr.type == rules::correlation_type::absence &&
               (corr.rule_count == 1 || e.opened_ns != never) &&
               !(e.open && e.open->quiet_until_ns >= clock_ns_)) {
        fire_facts facts;
        facts.count = 1;
        facts.first_seen_ns = corr.rule_count == 1 ? e.newest_ns : e.opened_ns;
        facts.last_seen_ns = facts.first_seen_ns;
        const std::string evidence = e.extra ? e.extra->evidence : std::string();
        facts.evidence = evidence;
        const std::int64_t at = facts.first_seen_ns + corr.timespan_ns;
        e.opened_ns = never;
        fire(it.table, it.slot, at, std::move(facts), out);
    }
    key_entry& now = tables_[it.table].keys.at(it.slot);
    if (now.open && now.open->quiet_until_ns >= clock_ns_) {
        schedule(it.table, it.slot);
        return;
    }
    ++counters_.expired;
    erase(it.table, it.slot, out);
}

void correlator_shard::close_window(std::uint32_t c, std::uint32_t slot,
                                    std::vector<alert::alert>& out) {
    const auto& corr = correlation(c);
    key_entry& e = tables_[c].keys.at(slot);
    const std::int64_t closes = e.opened_ns + corr.timespan_ns;
    fire_facts facts;
    facts.first_seen_ns = e.opened_ns;
    facts.last_seen_ns = closes;
    bool holds = false;
    using rules::correlation_type;
    if (corr.type == correlation_type::event_count) {
        facts.count = e.count;
        facts.metric = static_cast<double>(e.count);
        holds = corr.condition.holds(static_cast<double>(e.count));
        // The next window starts at the oldest event that did not fit.
        std::sort(e.times.begin(), e.times.end());
        e.count = 0;
        e.opened_ns = never;
        if (!e.times.empty()) {
            e.opened_ns = e.times.front();
            const std::int64_t next_close = e.opened_ns + corr.timespan_ns;
            auto beyond = std::upper_bound(e.times.begin(), e.times.end(), next_close);
            e.count = static_cast<std::uint32_t>(beyond - e.times.begin());
            e.times.erase(e.times.begin(), beyond);
        }
    } else {
        auto& samples = e.extra->samples;
        std::vector<sample> window;
        std::vector<sample> later;
        for (auto& s : samples) {
            (s.time_ns <= closes ? window : later).push_back(std::move(s));
        }
        samples = std::move(later);
        e.opened_ns = never;
        for (const auto& s : samples) {
            e.opened_ns = e.opened_ns == never ? s.time_ns : std::min(e.opened_ns, s.time_ns);
        }
        facts.count = window.size();
        if (!window.empty()) {
            facts.last_seen_ns =
                std::max_element(window.begin(), window.end(), [](const auto& a, const auto& b) {
                    return a.time_ns < b.time_ns;
                })->time_ns;
        }
        if (corr.type == correlation_type::value_count) {
            std::unordered_map<std::uint64_t, const sample*> distinct;
            for (const auto& s : window) {
                distinct.emplace(s.hash, &s);
            }
            facts.metric = static_cast<double>(distinct.size());
            holds = corr.condition.holds(*facts.metric);
            for (const auto& [h, s] : distinct) {
                if (facts.values.size() < listed_values) {
                    facts.values.push_back(s->value);
                }
            }
            facts.count = distinct.size();
        } else if (corr.type == correlation_type::value_sum ||
                   corr.type == correlation_type::value_avg) {
            double sum = 0;
            std::uint64_t observations = 0;
            for (const auto& s : window) {
                sum += s.number;
                observations += s.weight;
            }
            facts.count = observations;
            facts.metric = corr.type == correlation_type::value_sum || observations == 0
                               ? sum
                               : sum / static_cast<double>(observations);
            holds = !window.empty() && corr.condition.holds(*facts.metric);
        } else if (corr.type == correlation_type::value_percentile) {
            // The share of the window's events that carry each value; values whose share
            // meets the condition are reported.
            std::map<std::string, std::uint64_t> per_value;
            for (const auto& s : window) {
                ++per_value[s.value];
            }
            double lowest = 100;
            for (const auto& [v, n] : per_value) {
                const double share =
                    100.0 * static_cast<double>(n) / static_cast<double>(window.size());
                if (corr.condition.holds(share)) {
                    holds = true;
                    lowest = std::min(lowest, share);
                    if (facts.values.size() < listed_values) {
                        facts.values.push_back(v);
                    }
                }
            }
            facts.metric = lowest;
        }
    }
    if (!holds) {
        return;
    }
    const std::string evidence = e.extra ? e.extra->evidence : std::string();
    facts.evidence = evidence;
    fire(c, slot, closes, std::move(facts), out);
}

void correlator_shard::tick(bool caught_up, std::vector<alert::alert>& out) {
    const std::int64_t now = clock_.now_ns();
    watermarks_.settle(now, caught_up);
    release(out);
    if (now - last_updates_ns_ >= limits_.update_interval_ns) {
        last_updates_ns_ = now;
        flush(out);
    }
}

void correlator_shard::publish_quiet(quiet_board& board, std::size_t index) {
    const bool fresh = newly_quiet_rules_ == rules_.get() &&
                       std::any_of(newly_quiet_.begin(), newly_quiet_.end(),
                                   [](const auto& keys) { return !keys.empty(); });
    const bool same_rules = published_quiet_ && published_quiet_->rules == rules_.get();
    // Nothing new, and nothing published has ended or lost its rule set: nothing to do.
    if (!fresh && !evidence_news_ &&
        (!published_quiet_ || (same_rules && clock_ns_ < next_quiet_review_ns_))) {
        return;
    }
    auto next = std::make_shared<quiet_keys>();
    next->rules = rules_.get();
    next->until.resize(tables_.size());
    std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
    // A key stays while its alert is quiet past the event time the state has reached.
    auto keep = [&](std::uint32_t c, const std::string& key) {
        if (const auto until = quiet_until(c, key, key_hash(key));
            until && until->first > clock_ns_) {
            next->until[c].insert_or_assign(key, until->first);
            earliest = std::min(earliest, until->first);
        }
    };
    for (std::uint32_t c = 0; c < tables_.size(); ++c) {
        if (same_rules && c < published_quiet_->until.size()) {
            for (const auto& [key, until] : published_quiet_->until[c]) {
                keep(c, key);
            }
        }
        if (fresh && c < newly_quiet_.size()) {
            for (const auto& [key, unused] : newly_quiet_[c]) {
                keep(c, key);
            }
        }
    }
    for (auto& keys : newly_quiet_) {
        keys.clear();
    }
    publish_waiting_evidence(*next);
    evidence_news_ = false;
    next_quiet_review_ns_ = earliest;
    published_quiet_ = std::move(next);
    board.publish(index, published_quiet_);
}

void correlator_shard::flush(std::vector<alert::alert>& out) {
    for (const auto& [c, slot] : dirty_) {
        if (c >= tables_.size() || slot >= tables_[c].keys.slot_count()) {
            continue;
        }
        key_entry& e = tables_[c].keys.at(slot);
        if (e.live && e.open && e.open->dirty) {
            emit_update(c, e, out);
        }
    }
    dirty_.clear();
}

std::vector<correlator_shard::table_stats> correlator_shard::stats() const {
    std::vector<table_stats> out;
    for (std::uint32_t c = 0; c < tables_.size(); ++c) {
        out.push_back({c, tables_[c].keys.size(), tables_[c].keys.bytes()});
    }
    return out;
}

void correlator_shard::restore_time(std::int64_t newest_ns, std::int64_t watermark_ns) {
    // If nothing arrives after the restart, event time moves on with the wall clock from now
    // (a silent agent is still reported).
    watermarks_.restore(newest_ns, watermark_ns, clock_.now_ns());
    clock_ns_ = std::max(clock_ns_, watermark_ns);
    settled_ns_ = clock_ns_;
}

bool correlator_shard::adopt(std::uint32_t c, key_entry&& entry) {
    if (!rules_ || c >= tables_.size()) {
        return false;
    }
    key_table& keys = tables_[c].keys;
    const std::uint64_t hash = key_hash(entry.key);
    if (keys.find(entry.key, hash) != key_table::none) {
        return false;
    }
    const std::uint32_t slot = keys.insert(entry.key, hash, entry.newest_ns);
    ++total_keys_;
    key_entry& e = keys.at(slot);
    e.newest_ns = entry.newest_ns;
    e.opened_ns = entry.opened_ns;
    e.count = entry.count;
    e.times = std::move(entry.times);
    e.extra = std::move(entry.extra);
    e.open = std::move(entry.open);
    if (e.open && e.open->dirty) {
        dirty_.emplace_back(c, slot);
    }
    schedule(c, slot);
    return true;
}

} // namespace vigil::correlate
