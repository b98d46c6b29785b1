#pragma once

#include "alert/alert.hpp"
#include "core/arena.hpp"
#include "core/clock.hpp"
#include "core/event.hpp"
#include "correlate/correlator_shard.hpp"
#include "correlate/match_router.hpp"
#include "match/matcher.hpp"
#include "parse/record_parser.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace vigil::match {

// Runs records through what a worker and a correlator shard do, in one thread and in order:
// parse, match, detection alerts, correlation. For rule fixtures (`vigil rules test`), tests
// and tools that replay a log file. Alerts collect in alerts().
class replay_session {
public:
    replay_session(std::shared_ptr<const rules::rule_set> rules, const core::clock& clock,
                   parse::record_parser_config parsing = {},
                   correlate::correlator_limits limits = {});

    // One raw record (a syslog line, or JSON documents when `json`); receipt time is the
    // clock's now.
    void feed(std::string_view text, bool json = false);
    // An event parsed elsewhere.
    void feed(const core::event& e);
    // Moves event time on: windows that close by then are decided, absences confirmed.
    void advance_to(std::int64_t watermark_ns);
    // Emits open alerts that changed.
    void flush();

    [[nodiscard]] const std::vector<alert::alert>& alerts() const { return alerts_; }
    [[nodiscard]] std::vector<alert::alert>& alerts() { return alerts_; }
    [[nodiscard]] correlate::correlator_shard& shard() { return shard_; }
    // Newest event time fed so far.
    [[nodiscard]] std::int64_t newest_ns() const { return shard_.newest_ns(); }
    [[nodiscard]] std::size_t missing_keys() const { return missing_keys_; }

private:
    std::shared_ptr<const rules::rule_set> rules_;
    const core::clock& clock_;
    matcher matcher_;
    parse::record_parser parser_;
    correlate::match_router router_{1};
    correlate::correlator_shard shard_;
    core::arena scratch_;
    core::event event_;
    core::ulid_generator ids_;
    std::vector<alert::alert> alerts_;
    std::size_t missing_keys_ = 0;
};

} // namespace vigil::match
