#include "correlate/match_router.hpp"

#include "alert/alert.hpp"

namespace vigil::correlate {

void match_router::read_quiet_keys() {
    if (quiet_ == nullptr) {
        return;
    }
    for (std::size_t s = 0; s < hints_.size() && s < quiet_->size(); ++s) {
        hints_[s] = quiet_->read(s);
    }
}

std::size_t match_router::route(const std::shared_ptr<const rules::rule_set>& rules,
                                std::uint32_t rule, const core::event& e, std::int64_t time_ns,
                                origin& from) {
    std::size_t missing = 0;
    const auto& set = rules->correlations();
    evidence_.clear();
    for (const auto& feed : set.feeds(rule)) {
        const auto& corr = set.correlations()[feed.correlation];
        bool complete = true;
        for (core::field_id f : feed.key_fields) {
            complete = complete && e.get(f).has_value();
        }
        if (!complete && !corr.suppression) {
            ++missing;
            continue;
        }
        // The key decides the shard, so build it once in a scratch string; a tenant's events
        // have keys of their own. A suppression groups events without a `by` field under an
        // empty value: they still alert.
        key_.clear();
        if (!e.tenant.empty() && !corr.across_tenants) {
            key_ += e.tenant;
            key_ += tenant_separator;
        }
        for (std::size_t i = 0; i < feed.key_fields.size(); ++i) {
            if (i > 0) {
                key_ += key_separator;
            }
            key_ += e.get(feed.key_fields[i]).value_or(std::string_view());
        }
        const std::size_t shard = route_hash(key_, corr.route) % batches_.size();
        correlation_batch& batch = batches_[shard];
        if (!batch.rules) {
            batch.rules = rules;
        }
        correlation_match m;
        m.correlation = feed.correlation;
        m.slots = feed.slots;
        m.time_ns = time_ns;
        m.key_hash = key_hash(key_);
        m.key = batch.add_text(key_);
        batch.begin_text();
        for (std::size_t i = 0; i < feed.value_fields.size(); ++i) {
            if (i > 0) {
                batch.append(key_separator);
            }
            batch.append(e.get(feed.value_fields[i]).value_or(std::string_view()));
        }
        m.value = batch.end_text();
        // What the shard will take quietly, or can never use as evidence, goes without it (the
        // shard decides again on arrival).
        const auto& hint = hints_[shard];
        if (!hint ||
            hint->needs_evidence(rules.get(), feed.correlation, {key_, m.key_hash}, time_ns)) {
            if (evidence_.empty()) {
                alert::write_evidence(evidence_, e, rules->catalog());
            }
            m.evidence = batch.add_text(evidence_);
        }
        m.input = from.input;
        m.record_hash = from.record_hash;
        m.counts = !from.counted;
        from.counted = true;
        batch.matches.push_back(m);
    }
    return missing;
}

} // namespace vigil::correlate
