#include "alert/rate_guard.hpp"

#include "core/civil_time.hpp"
#include "core/hash.hpp"
#include "core/json_writer.hpp"

#include <simdjson.h>

namespace vigil::alert {
namespace {

constexpr std::int64_t minute_ms = 60'000;
// Minutes of event time kept behind the newest (a late event's minute may still be counted).
constexpr std::int64_t kept_minutes = 60;

// The raw text of `member` of the alert document (an object or array), or empty.
std::string member_json(std::string_view alert_json, const char* pointer) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(alert_json.data(), alert_json.size()).get(doc)) {
        return {};
    }
    simdjson::dom::element member;
    if (doc.at_pointer(pointer).get(member)) {
        return {};
    }
    return simdjson::minify(member);
}

} // namespace

void rate_guard::apply(std::vector<alert>& alerts, std::int64_t now_ns) {
    if (limit_ == 0) {
        return;
    }
    std::vector<std::pair<std::string, std::int64_t>> changed;
    std::size_t kept = 0;
    auto keep = [&](alert& a) {
        if (&alerts[kept] != &a) {
            alerts[kept] = std::move(a);
        }
        ++kept;
    };
    for (auto& a : alerts) {
        if (a.update || a.terms.rule_id.empty()) {
            keep(a);
            continue;
        }
        const auto at_ms = static_cast<std::int64_t>(a.id.time_ms());
        const std::int64_t bucket = at_ms - at_ms % minute_ms;
        newest_minute_ms_ = std::max(newest_minute_ms_, bucket);
        minute& m = minutes_[{a.terms.rule_id, bucket}];
        if (m.passed < limit_) {
            ++m.passed;
            keep(a);
            continue;
        }
        if (m.held == 0) {
            m.rule_json = member_json(a.json, "/rule");
            m.evidence_json = member_json(a.json, "/evidence/0");
            m.created_ns = now_ns;
            m.first_ms = m.last_ms = at_ms;
        }
        ++m.held;
        ++held_back_;
        m.first_ms = std::min(m.first_ms, at_ms);
        m.last_ms = std::max(m.last_ms, at_ms);
        if (!m.dirty) {
            m.dirty = true;
            changed.emplace_back(a.terms.rule_id, bucket);
        }
    }
    alerts.resize(kept);
    for (const auto& key : changed) {
        minute& m = minutes_[key];
        m.dirty = false;
        alerts.push_back(summary(key.first, key.second, m, now_ns));
        alerts.back().update = m.written;
        m.written = true;
    }
    if (newest_minute_ms_ != forgotten_up_to_ms_) {
        forget_old(newest_minute_ms_);
        forgotten_up_to_ms_ = newest_minute_ms_;
    }
}

alert rate_guard::summary(const std::string& rule_id, std::int64_t bucket, const minute& m,
                          std::int64_t now_ns) const {
    alert out;
    auto hash = [&](std::uint64_t seed) {
        return core::hash_combine(core::stable_hash(rule_id, seed),
                                  core::stable_hash("rate_guard", seed));
    };
    out.id = core::ulid::derived(bucket, hash(5), hash(6));
    core::json_writer w(out.json);
    w.begin_object();
    w.field("id", out.id.to_string());
    w.key("rule").raw(m.rule_json.empty() ? "{}" : m.rule_json);
    out.created_ns = m.created_ns;
    w.field("created_at", core::rfc3339(m.created_ns).view());
    if (m.written) {
        w.field("updated_at", core::rfc3339(now_ns).view());
    }
    w.field("received_at", core::rfc3339(now_ns).view());
    w.field("event_time", core::rfc3339(m.last_ms * 1'000'000).view());
    w.key("summary").begin_object();
    w.field("reason", "rate_limit");
    w.field("limit", limit_);
    w.field("window", "1m");
    w.field("window_start", core::rfc3339(bucket * 1'000'000).view());
    w.end_object();
    w.field("count", m.held);
    w.field("first_seen", core::rfc3339(m.first_ms * 1'000'000).view());
    w.field("last_seen", core::rfc3339(m.last_ms * 1'000'000).view());
    w.key("evidence").begin_array();
    if (!m.evidence_json.empty()) {
        w.raw(m.evidence_json);
    }
    w.end_array();
    w.end_object();
    index_alert(out);
    return out;
}

void rate_guard::forget_old(std::int64_t newest_minute_ms) {
    const std::int64_t oldest = newest_minute_ms - kept_minutes * minute_ms;
    for (auto it = minutes_.begin(); it != minutes_.end();) {
        it = it->first.second < oldest ? minutes_.erase(it) : std::next(it);
    }
}

} // namespace vigil::alert
