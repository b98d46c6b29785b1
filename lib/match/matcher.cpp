#include "match/matcher.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace vigil::match {

matcher::matcher(std::shared_ptr<const rules::rule_set> rules) {
    use(std::move(rules));
}

void matcher::use(std::shared_ptr<const rules::rule_set> rules) {
    rules_ = std::move(rules);
    scratch_ = rules_->scratch_prototype().clone();
    hit_bits_.assign((rules_->predicate_count() + 63) / 64, 0);
    hit_list_.clear();
    hit_list_.reserve(rules_->predicate_count());
    candidate_stamp_.assign(rules_->rules().size(), 0);
    generation_ = 0;
}

int matcher::on_hyperscan_match(unsigned id, unsigned long long, unsigned long long, unsigned,
                                void* context) {
    static_cast<matcher*>(context)->hit(id);
    return 0; // keep scanning: other expressions of the database may match too
}

void matcher::hit(rules::predicate_id p) {
    std::uint64_t& word = hit_bits_[p >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (p & 63);
    if ((word & bit) == 0) {
        word |= bit;
        hit_list_.push_back(p);
    }
}

std::span<const std::uint32_t> matcher::match(const core::event& e) {
    for (rules::predicate_id p : hit_list_) {
        hit_bits_[p >> 6] = 0;
    }
    hit_list_.clear();
    matches_.clear();

    for (const auto& db : rules_->databases()) {
        const auto value = e.get(db.field);
        if (!value) {
            continue;
        }
        if (value->size() > std::numeric_limits<unsigned>::max()) {
            continue; // cannot happen with the frame size limits; Hyperscan takes 32-bit lengths
        }
        // Hyperscan refuses a null pointer even for zero bytes; empty views may carry one.
        const char* data = value->empty() ? "" : value->data();
        const hs_error_t rc = hs_scan(db.database.get(), data, static_cast<unsigned>(value->size()),
                                      0, scratch_.get(), &matcher::on_hyperscan_match, this);
        if (rc != HS_SUCCESS) {
            // A valid database and scratch cannot fail to scan: memory is corrupt.
            std::fprintf(stderr, "fatal: hs_scan failed with %d\n", rc);
            std::abort();
        }
    }
    for (const auto& check : rules_->presence_checks()) {
        const auto value = e.get(check.field);
        bool hit_now = false;
        switch (check.hit_when) {
        case rules::presence_check::when::present:
            hit_now = value.has_value();
            break;
        case rules::presence_check::when::absent:
            hit_now = !value.has_value();
            break;
        case rules::presence_check::when::absent_or_empty:
            hit_now = !value.has_value() || value->empty();
            break;
        }
        if (hit_now) {
            hit(check.predicate);
        }
    }

    if (++generation_ == 0) {
        std::fill(candidate_stamp_.begin(), candidate_stamp_.end(), 0);
        generation_ = 1;
    }
    candidates_.clear();
    auto queue = [&](std::uint32_t rule) {
        if (candidate_stamp_[rule] != generation_) {
            candidate_stamp_[rule] = generation_;
            candidates_.push_back(rule);
        }
    };
    for (rules::predicate_id p : hit_list_) {
        for (std::uint32_t rule : rules_->rules_using(p)) {
            queue(rule);
        }
    }
    for (std::uint32_t rule : rules_->always_evaluated()) {
        queue(rule);
    }
    auto is_hit = [this](rules::predicate_id p) { return this->is_hit(p); };
    for (std::uint32_t rule : candidates_) {
        if (rules_->evaluate(rule, is_hit)) {
            matches_.push_back(rule);
        }
    }
    std::sort(matches_.begin(), matches_.end());
    return matches_;
}

} // namespace vigil::match
