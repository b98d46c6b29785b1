#include "replay/replay_session.hpp"

#include "core/hash.hpp"

#include <unordered_map>

namespace vigil::replay {
namespace {

pipeline::worker_step_config step_config(const replay_options& options,
                                         correlate::quiet_board& quiet) {
    pipeline::worker_step_config config;
    config.quiet = &quiet;
    config.parsing[static_cast<std::size_t>(core::source_kind::file)] = options.parsing;
    config.max_future_skew_ns = options.max_future_skew_ns;
    config.shards = 1;
    return config;
}

} // namespace

replay_session::replay_session(std::shared_ptr<const rules::rule_set> rules,
                               const core::clock& clock, replay_options options)
    : rules_(std::move(rules)), clock_(clock.now_ns()), options_(std::move(options)),
      step_(step_config(options_, quiet_), clock_), shard_(options_.limits, clock_),
      batch_(std::make_unique<core::raw_batch>()), guard_(options_.rate_limit),
      grader_(options_.incidents) {
    shard_.use(rules_);
}

core::input_id replay_session::begin_input(std::string_view name) {
    const core::input_id id = core::stable_hash(name, 0x7265706c6179) | 1;
    batch_->input_changes.push_back({id, true, std::string(name), clock_.now_ns()});
    input_ = id;
    return id;
}

void replay_session::switch_to(core::input_id input) {
    input_ = input;
}

void replay_session::feed(std::string_view record) {
    batch_->add(record, core::source_kind::file, clock_.now_ns(), {}, input_);
    ++records_;
    if (batch_->size() >= options_.batch_records) {
        flush();
    }
}

void replay_session::flush() {
    if (batch_->empty()) {
        return;
    }
    batch_->sequence = ++sequence_;
    pipeline::step_result result;
    step_.run(*batch_, rules_, result);
    missing_keys_ += step_.take_missing_keys();
    shard_.process(std::move(result.correlations.front()), result.alerts);
    shard_.publish_quiet(quiet_, 0);
    take(result.alerts);
    batch_ = std::make_unique<core::raw_batch>();
}

void replay_session::take(std::vector<alert::alert>& made) {
    guard_.apply(made, clock_.now_ns());
    grader_.grade(made, options_.assets.get());
    for (auto& a : made) {
        alerts_.push_back(std::move(a));
    }
    made.clear();
}

void replay_session::finish(std::int64_t advance_ns) {
    flush();
    std::vector<alert::alert> made;
    const std::int64_t newest = shard_.newest_ns();
    if (newest != correlate::input_watermarks::never) {
        shard_.finish(newest + advance_ns + 1, made);
    }
    shard_.flush(made);
    take(made);
}

void replay_session::advance_to(std::int64_t watermark_ns) {
    flush();
    std::vector<alert::alert> made;
    shard_.advance_to(watermark_ns, made);
    take(made);
}

std::vector<alert::alert> replay_session::final_alerts() const {
    std::vector<alert::alert> out;
    std::unordered_map<std::string, std::size_t> at;
    for (const auto& a : alerts_) {
        auto [it, fresh] = at.try_emplace(a.id.to_string(), out.size());
        if (fresh) {
            out.push_back(a);
        } else {
            out[it->second] = a;
        }
    }
    return out;
}

} // namespace vigil::replay
