#include "match/matcher.hpp"

#include "rules/ip_network.hpp"
#include "rules/sigma_value.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace vigil::match {
namespace {

void fold_into(std::string& out, std::string_view text) {
    out.assign(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
}

bool equal_fold(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = static_cast<char>(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = static_cast<char>(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

// Field-reference comparison: `value` against `other` as `kind` says.
bool compare_fields(std::string_view value, std::string_view other, rules::match_kind kind,
                    bool cased) {
    auto same = [&](std::string_view a, std::string_view b) {
        return cased ? a == b : equal_fold(a, b);
    };
    switch (kind) {
    case rules::match_kind::startswith:
        return value.size() >= other.size() && same(value.substr(0, other.size()), other);
    case rules::match_kind::endswith:
        return value.size() >= other.size() &&
               same(value.substr(value.size() - other.size()), other);
    case rules::match_kind::contains:
        for (std::size_t i = 0; i + other.size() <= value.size(); ++i) {
            if (same(value.substr(i, other.size()), other)) {
                return true;
            }
        }
        return false;
    default:
        return same(value, other);
    }
}

} // namespace

matcher::matcher(std::shared_ptr<const rules::rule_set> rules) {
    use(std::move(rules));
}

void matcher::use(std::shared_ptr<const rules::rule_set> rules) {
    rules_ = std::move(rules);
    scratch_ = rules_->scratch_prototype().clone();
    hit_bits_.assign((rules_->max_predicates() + 63) / 64, 0);
    hit_list_.clear();
    hit_list_.reserve(rules_->max_predicates());
    candidate_stamp_.assign(rules_->max_rules(), 0);
    generation_ = 0;
}

int matcher::on_hyperscan_match(unsigned id, unsigned long long, unsigned long long, unsigned,
                                void* context) {
    auto* self = static_cast<matcher*>(context);
    self->hit(self->current_scan_->predicates[id]);
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

void matcher::scan(const rules::class_program::scan& s, std::string_view value) {
    if (value.size() > std::numeric_limits<unsigned>::max()) {
        return; // cannot happen with the record size limits; Hyperscan takes 32-bit lengths
    }
    current_scan_ = &s;
    // Hyperscan refuses a null pointer even for zero bytes; empty views may carry one.
    const char* data = value.empty() ? "" : value.data();
    const hs_error_t rc = hs_scan(s.database->get(), data, static_cast<unsigned>(value.size()), 0,
                                  scratch_.get(), &matcher::on_hyperscan_match, this);
    if (rc != HS_SUCCESS) {
        // A valid database and scratch cannot fail to scan: memory is corrupt.
        std::fprintf(stderr, "fatal: hs_scan failed with %d\n", rc);
        std::abort();
    }
}

void matcher::run_checks(const rules::class_program& program, const core::event& e) {
    for (const auto& table : program.exact) {
        e.for_each_value(table.field, [&](std::string_view v) {
            auto it = table.cased ? table.values.find(v)
                                  : (fold_into(fold_, v), table.values.find(fold_));
            if (it != table.values.end()) {
                for (auto p : it->second) {
                    hit(p);
                }
            }
        });
    }
    for (const auto& table : program.cidr) {
        e.for_each_value(table.field, [&](std::string_view v) {
            auto address = rules::parse_ip_address(v);
            if (!address) {
                return;
            }
            for (auto prefix : table.prefixes) {
                auto it = table.networks.find({prefix, rules::mask_address(*address, prefix)});
                if (it != table.networks.end()) {
                    for (auto p : it->second) {
                        hit(p);
                    }
                }
            }
        });
    }
    for (const auto& table : program.suffix) {
        e.for_each_value(table.field, [&](std::string_view v) {
            fold_into(fold_, v);
            // The domain itself, then each parent domain at a label boundary.
            std::string_view rest = fold_;
            while (!rest.empty()) {
                if (auto it = table.domains.find(rest); it != table.domains.end()) {
                    for (auto p : it->second) {
                        hit(p);
                    }
                }
                const std::size_t dot = rest.find('.');
                if (dot == std::string_view::npos) {
                    break;
                }
                rest.remove_prefix(dot + 1);
            }
        });
    }
    for (const auto& check : program.presence) {
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
    for (const auto& check : program.compares) {
        e.for_each_value(check.field, [&](std::string_view v) {
            auto number = rules::parse_number(v);
            if (!number) {
                return;
            }
            bool ok = false;
            switch (check.op) {
            case rules::compare_op::lt:
                ok = *number < check.threshold;
                break;
            case rules::compare_op::lte:
                ok = *number <= check.threshold;
                break;
            case rules::compare_op::gt:
                ok = *number > check.threshold;
                break;
            case rules::compare_op::gte:
                ok = *number >= check.threshold;
                break;
            }
            if (ok) {
                hit(check.predicate);
            }
        });
    }
    for (const auto& check : program.fieldrefs) {
        const auto value = e.get(check.field);
        const auto other = e.get(check.other);
        if (value && other && compare_fields(*value, *other, check.kind, check.cased)) {
            hit(check.predicate);
        }
    }
}

std::span<const std::uint32_t> matcher::match(const core::event& e) {
    for (rules::predicate_id p : hit_list_) {
        hit_bits_[p >> 6] = 0;
    }
    hit_list_.clear();
    matches_.clear();
    last_class_ = rules_->logsources().classify(e);
    if (!last_class_) {
        return matches_;
    }
    const rules::class_program& program = rules_->programs()[*last_class_];
    if (program.rules.empty()) {
        return matches_;
    }

    for (const auto& f : e.fields()) {
        if (f.id < program.scan_by_field.size()) {
            const std::int32_t s = program.scan_by_field[f.id];
            if (s >= 0) {
                scan(program.scans[static_cast<std::size_t>(s)], f.value);
            }
        }
    }
    if (program.keyword_scan >= 0) {
        auto text = e.get(core::fields::message);
        if (!text) {
            text = e.get(core::fields::event_original);
        }
        scan(program.scans[static_cast<std::size_t>(program.keyword_scan)], text.value_or(""));
    }
    run_checks(program, e);

    if (++generation_ == 0) {
        std::fill(candidate_stamp_.begin(), candidate_stamp_.end(), 0);
        generation_ = 1;
    }
    candidates_.clear();
    auto queue = [&](std::uint32_t local) {
        if (candidate_stamp_[local] != generation_) {
            candidate_stamp_[local] = generation_;
            candidates_.push_back(local);
        }
    };
    for (rules::predicate_id p : hit_list_) {
        for (std::uint32_t local : program.rules_using(p)) {
            queue(local);
        }
    }
    for (std::uint32_t local : program.always_evaluated) {
        queue(local);
    }
    auto is_hit = [this](rules::predicate_id p) { return this->is_hit(p); };
    for (std::uint32_t local : candidates_) {
        if (program.evaluate(local, is_hit)) {
            matches_.push_back(program.rules[local]);
        }
    }
    std::sort(matches_.begin(), matches_.end());
    return matches_;
}

} // namespace vigil::match
