#include "match/matcher.hpp"

#include "core/ascii.hpp"
#include "rules/ip_network.hpp"
#include "rules/sigma_value.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace vigil::match {
namespace {

// Field-reference comparison: `value` against `other` as `kind` says.
bool compare_fields(std::string_view value, std::string_view other, rules::match_kind kind,
                    bool cased) {
    auto same = [&](std::string_view a, std::string_view b) {
        return cased ? a == b : core::ascii::equal_fold(a, b);
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

// The text keywords search: the message, or the whole record when there is none.
std::string_view keyword_text(const core::event& e) {
    auto text = e.get(core::fields::message);
    if (!text) {
        text = e.get(core::fields::event_original);
    }
    return text.value_or("");
}

bool holds_literal(const rules::predicate_test& test, std::string_view value) {
    const std::string_view literal = test.literal;
    if (test.anchor_start && test.anchor_end) {
        return value == literal;
    }
    if (test.anchor_start) {
        return value.starts_with(literal);
    }
    if (test.anchor_end) {
        return value.ends_with(literal);
    }
    return value.find(literal) != std::string_view::npos;
}

// The last component of a Windows path, or nothing when there is no backslash.
std::optional<std::string_view> basename_of(std::string_view path) {
    const std::size_t slash = path.rfind('\\');
    if (slash == std::string_view::npos) {
        return std::nullopt;
    }
    return path.substr(slash + 1);
}

bool compare_number(double value, rules::compare_op op, double threshold) {
    switch (op) {
    case rules::compare_op::lt:
        return value < threshold;
    case rules::compare_op::lte:
        return value <= threshold;
    case rules::compare_op::gt:
        return value > threshold;
    case rules::compare_op::gte:
        return value >= threshold;
    }
    return false;
}

void check_scan(hs_error_t rc) {
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
        // A valid database and scratch cannot fail to scan: memory is corrupt.
        std::fprintf(stderr, "fatal: hs_scan failed with %d\n", rc);
        std::abort();
    }
}

// Hyperscan refuses a null pointer even for zero bytes; empty views may carry one. Values are
// far below 4 GiB (record size limits), which Hyperscan's 32-bit lengths need.
const char* scan_data(std::string_view value) {
    return value.empty() ? "" : value.data();
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
    generation_ = 0;
    candidate_stamp_.assign(rules_->max_rules(), 0);
    decided_stamp_.assign(rules_->max_predicates(), 0);
    folded_.assign(rules_->catalog().size() + 1, {});
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
    current_scan_ = &s;
    check_scan(hs_scan(s.database->get(), scan_data(value), static_cast<unsigned>(value.size()), 0,
                       scratch_.get(), &matcher::on_hyperscan_match, this));
}

bool matcher::matches(const rules::hyperscan_database& database, std::string_view value) {
    bool found = false;
    auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned,
                       void* context) -> int {
        *static_cast<bool*>(context) = true;
        return 1; // one match settles it
    };
    check_scan(hs_scan(database.get(), scan_data(value), static_cast<unsigned>(value.size()), 0,
                       scratch_.get(), on_match, &found));
    return found;
}

std::span<const std::string> matcher::folded(core::field_id field, bool keywords,
                                             const core::event& e) {
    folded_values& f = folded_[keywords ? folded_.size() - 1 : field];
    if (f.generation != generation_) {
        f.generation = generation_;
        f.count = 0;
        auto add = [&f](std::string_view v) {
            if (f.count == f.values.size()) {
                f.values.emplace_back();
            }
            core::ascii::fold_into(f.values[f.count++], v);
        };
        if (keywords) {
            add(keyword_text(e));
        } else {
            e.for_each_value(field, add);
        }
    }
    return {f.values.data(), f.count};
}

void matcher::run_first_stage(const rules::class_program& program, const core::event& e) {
    for (const auto& f : e.fields()) {
        if (f.id < program.scan_by_field.size()) {
            const std::int32_t s = program.scan_by_field[f.id];
            if (s >= 0) {
                scan(program.scans[static_cast<std::size_t>(s)], f.value);
            }
        }
    }
    if (program.keyword_scan >= 0) {
        scan(program.scans[static_cast<std::size_t>(program.keyword_scan)], keyword_text(e));
    }
    for (const auto& table : program.exact) {
        e.for_each_value(table.field, [&](std::string_view v) {
            if (table.basename) {
                auto name = basename_of(v);
                if (!name) {
                    return; // no path component: `endswith '\\x'` cannot hold
                }
                v = *name;
            }
            if (v.size() < table.values.min_key_size() || v.size() > table.values.max_key_size()) {
                return;
            }
            if (!table.cased) {
                core::ascii::fold_into(fold_, v);
                v = fold_;
            }
            for (auto p : table.values.find(v)) {
                hit(p);
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
        for (const auto& v : folded(table.field, false, e)) {
            // The domain itself, then each parent domain at a label boundary.
            std::string_view rest = v;
            while (!rest.empty()) {
                for (auto p : table.domains.find(rest)) {
                    hit(p);
                }
                const std::size_t dot = rest.find('.');
                if (dot == std::string_view::npos) {
                    break;
                }
                rest.remove_prefix(dot + 1);
            }
        }
    }
    for (rules::predicate_id p : program.first_stage_tests) {
        (void)holds(program, p, e);
    }
}

bool matcher::holds(const rules::class_program& program, rules::predicate_id p,
                    const core::event& e) {
    const rules::predicate_test& test = program.tests[p];
    if (test.type == rules::predicate_test::kind::first_stage || decided_stamp_[p] == generation_) {
        return is_hit(p);
    }
    decided_stamp_[p] = generation_;
    if (!decide(test, e)) {
        return false;
    }
    hit(p);
    return true;
}

bool matcher::decide(const rules::predicate_test& test, const core::event& e) {
    using kind = rules::predicate_test::kind;
    // Whether `check` holds for any value of the test's field (or for the keyword text),
    // lower-cased unless the test is cased.
    auto any_value = [&](auto&& check) {
        if (!test.cased) {
            for (const auto& v : folded(test.field, test.keywords, e)) {
                if (check(std::string_view(v))) {
                    return true;
                }
            }
            return false;
        }
        if (test.keywords) {
            return check(keyword_text(e));
        }
        bool found = false;
        e.for_each_value(test.field, [&](std::string_view v) { found = found || check(v); });
        return found;
    };
    auto one_of = [&](std::string_view v) {
        return std::binary_search(test.values.begin(), test.values.end(), v);
    };
    switch (test.type) {
    case kind::first_stage:
        return false; // decided by the first stage, never here
    case kind::literal:
        return any_value([&](std::string_view v) { return holds_literal(test, v); });
    case kind::pattern: {
        // Case is the expression's business: it sees the values as they are.
        if (test.keywords) {
            return matches(*test.database, keyword_text(e));
        }
        bool found = false;
        e.for_each_value(test.field,
                         [&](std::string_view v) { found = found || matches(*test.database, v); });
        return found;
    }
    case kind::exact:
        return any_value(one_of);
    case kind::basename:
        return any_value([&](std::string_view v) {
            auto name = basename_of(v);
            return name && one_of(*name);
        });
    case kind::present:
        return e.get(test.field).has_value();
    case kind::absent:
        return !e.get(test.field).has_value();
    case kind::absent_or_empty: {
        const auto value = e.get(test.field);
        return !value || value->empty();
    }
    case kind::compare: {
        bool found = false;
        e.for_each_value(test.field, [&](std::string_view v) {
            auto number = rules::parse_number(v);
            found = found || (number && compare_number(*number, test.op, test.threshold));
        });
        return found;
    }
    case kind::fieldref: {
        const auto value = e.get(test.field);
        const auto other = e.get(test.other);
        return value && other && compare_fields(*value, *other, test.ref_kind, test.cased);
    }
    }
    return false;
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
    if (++generation_ == 0) {
        std::fill(candidate_stamp_.begin(), candidate_stamp_.end(), 0);
        std::fill(decided_stamp_.begin(), decided_stamp_.end(), 0);
        for (auto& f : folded_) {
            f.generation = 0;
        }
        generation_ = 1;
    }

    run_first_stage(program, e);

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
    auto holds = [&](rules::predicate_id p) { return this->holds(program, p, e); };
    for (std::uint32_t local : candidates_) {
        if (program.evaluate(local, holds)) {
            matches_.push_back(program.rules[local]);
        }
    }
    std::sort(matches_.begin(), matches_.end());
    return matches_;
}

} // namespace vigil::match
