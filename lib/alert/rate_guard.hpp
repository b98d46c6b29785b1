#pragma once

#include "alert/alert.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vigil::alert {

// Keeps a runaway rule from flooding the store and its destinations: per rule and per minute of
// event time (the minute of the alert id), the first `limit` new alerts pass; the rest are
// folded into one summary alert of that rule and minute (alert.schema.json, "summary"), whose
// count says how many were held back and which is updated as more come (same id). Updates of
// suppressed alerts always pass. Runs on the alert stage thread, before the store.
//
// Below the limit the alerts are what the rules say, whatever the arrival order; above it,
// which alerts pass individually depends on the order batches finish in (the summary's count
// plus the passed alerts is always the number of matches).
class rate_guard {
public:
    explicit rate_guard(std::uint64_t limit_per_minute) : limit_(limit_per_minute) {}

    // Filters `alerts` in place; appends the summaries it created or changed.
    void apply(std::vector<alert>& alerts, std::int64_t now_ns);

    [[nodiscard]] std::uint64_t held_back() const { return held_back_; }

private:
    struct minute {
        std::uint64_t passed = 0;
        std::uint64_t held = 0;
        std::int64_t first_ms = 0, last_ms = 0;
        std::string rule_json;     // the "rule" member of the first held-back alert
        std::string evidence_json; // its first evidence event
        std::int64_t created_ns = 0;
        bool dirty = false;
        bool written = false; // a summary of this minute was handed out (the next is an update)
    };
    [[nodiscard]] alert summary(const std::string& rule_id, std::int64_t minute_ms, const minute& m,
                                std::int64_t now_ns) const;
    void forget_old(std::int64_t newest_minute_ms);

    std::uint64_t limit_;
    std::map<std::pair<std::string, std::int64_t>, minute> minutes_; // (rule id, minute ms)
    std::int64_t newest_minute_ms_ = 0;
    std::int64_t forgotten_up_to_ms_ = 0;
    std::uint64_t held_back_ = 0;
};

} // namespace vigil::alert
