#include "match/replay_session.hpp"

namespace vigil::match {

replay_session::replay_session(std::shared_ptr<const rules::rule_set> rules,
                               const core::clock& clock, parse::record_parser_config parsing,
                               correlate::correlator_limits limits)
    : rules_(std::move(rules)), clock_(clock), matcher_(rules_), parser_(parsing),
      shard_(limits, clock) {
    shard_.use(rules_);
}

void replay_session::feed(std::string_view text, bool json) {
    const std::int64_t now = clock_.now_ns();
    if (json) {
        parser_.parse_documents(text, now, rules_->mappings(), rules_->catalog(), scratch_,
                                [&](core::event& e, parse::parse_error) { feed(e); });
        return;
    }
    core::raw_record record{text, core::source_kind::file, now, {}};
    scratch_.reset();
    (void)parser_.parse(record, rules_->mappings(), rules_->catalog(), rules_->projection(),
                        event_, scratch_);
    feed(event_);
}

void replay_session::feed(const core::event& e) {
    const std::int64_t time_ns = e.time_ns.value_or(e.raw != nullptr ? e.raw->recv_ns : clock_.now_ns());
    const auto& correlations = rules_->correlations();
    for (std::uint32_t r : matcher_.match(e)) {
        if (correlations.alerts(r)) {
            alerts_.push_back(alert::make_alert(rules_->rules()[r], rules_->version(), e,
                                                rules_->catalog(),
                                                ids_.next(static_cast<std::uint64_t>(clock_.now_ms()))));
        }
        missing_keys_ += router_.route(rules_, r, e, time_ns);
    }
    auto& batch = router_.batch(0);
    if (!batch.empty()) {
        shard_.process(batch, alerts_);
    }
    batch.clear();
}

void replay_session::advance_to(std::int64_t watermark_ns) {
    shard_.advance_watermark(watermark_ns, alerts_);
}

void replay_session::flush() {
    shard_.flush(alerts_);
}

} // namespace vigil::match
