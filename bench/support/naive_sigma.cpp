#include "support/naive_sigma.hpp"

#include "core/ascii.hpp"
#include "rules/ip_network.hpp"
#include "rules/sigma_value.hpp"

namespace vigil::bench {
namespace {

using piece = rules::value_pattern::piece;

bool piece_matches(const piece& p, char c, bool cased) {
    switch (p.type) {
    case piece::kind::literal:
        return cased ? p.byte == c : core::ascii::to_lower(p.byte) == core::ascii::to_lower(c);
    case piece::kind::any_one:
        return true;
    case piece::kind::any_dash:
        return c == '-' || c == '/';
    case piece::kind::any_run:
        return true;
    }
    return false;
}

// Glob matching of the whole text (backtracking over * runs).
bool glob(const std::vector<piece>& pattern, std::string_view text, bool cased) {
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string::npos;
    std::size_t resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p].type == piece::kind::any_run) {
            star = p++;
            resume = t;
        } else if (p < pattern.size() && piece_matches(pattern[p], text[t], cased)) {
            ++p;
            ++t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p].type == piece::kind::any_run) {
        ++p;
    }
    return p == pattern.size();
}

} // namespace

naive_sigma::naive_sigma(std::vector<rules::sigma_rule> rules,
                         std::shared_ptr<const rules::rule_set> set)
    : rules_(std::move(rules)), set_(std::move(set)) {
    rules_of_class_.resize(set_->logsources().classes().size());
    for (std::size_t r = 0; r < rules_.size(); ++r) {
        for (auto c : set_->logsources().classes_for(rules_[r].source)) {
            rules_of_class_[c].push_back(r);
        }
        auto& per_rule = values_.emplace_back();
        for (const auto& s : rules_[r].searches) {
            auto& per_search = per_rule.emplace_back();
            for (const auto& m : s.maps) {
                auto& per_map = per_search.emplace_back();
                for (const auto& test : m.tests) {
                    auto& per_test = per_map.emplace_back();
                    for (const auto& v : test.values) {
                        compiled_value cv;
                        if (test.kind == rules::match_kind::regex) {
                            try {
                                cv.regex = std::make_unique<std::regex>(
                                    v, test.regex.caseless
                                           ? std::regex::icase | std::regex::ECMAScript
                                           : std::regex::ECMAScript);
                            } catch (const std::regex_error&) {
                                cv.regex
                                    .reset(); // a PCRE construct std::regex lacks: never matches
                            }
                        } else {
                            cv.variants = rules::prepare_value(v, test.encodings);
                        }
                        per_test.push_back(std::move(cv));
                    }
                }
            }
        }
    }
}

bool naive_sigma::test_holds(const rules::field_test& test,
                             const std::vector<compiled_value>& values, const core::event& e) {
    using kind = rules::match_kind;
    std::optional<std::string_view> field =
        test.keywords ? (e.get(core::fields::message) ? e.get(core::fields::message)
                                                      : e.get(core::fields::event_original))
                      : e.get(test.field);
    switch (test.kind) {
    case kind::exists:
        return field.has_value() == test.exists;
    case kind::null:
        return !field || field->empty();
    default:
        break;
    }
    if (!field) {
        return test.negate;
    }
    auto one = [&](std::size_t i) -> bool {
        const std::string& v = test.values[i];
        switch (test.kind) {
        case kind::regex:
            return values[i].regex &&
                   std::regex_search(field->begin(), field->end(), *values[i].regex);
        case kind::cidr: {
            auto net = rules::ip_network::parse(v);
            auto address = rules::parse_ip_address(*field);
            return net && address && rules::mask_address(*address, net->prefix) == net->bytes;
        }
        case kind::compare: {
            auto a = rules::parse_number(*field);
            auto b = rules::parse_number(v);
            if (!a || !b) {
                return false;
            }
            switch (test.compare) {
            case rules::compare_op::lt:
                return *a < *b;
            case rules::compare_op::lte:
                return *a <= *b;
            case rules::compare_op::gt:
                return *a > *b;
            case rules::compare_op::gte:
                return *a >= *b;
            }
            return false;
        }
        default:
            break;
        }
        if (test.fieldref) {
            auto other = e.get(test.referenced_fields[i]);
            return other && *other == *field;
        }
        for (const auto& variant : values[i].variants) {
            std::vector<piece> pattern = variant.pieces;
            if (test.kind == kind::contains || test.kind == kind::endswith) {
                pattern.insert(pattern.begin(), piece{piece::kind::any_run, 0});
            }
            if (test.kind == kind::contains || test.kind == kind::startswith) {
                pattern.push_back(piece{piece::kind::any_run, 0});
            }
            if (glob(pattern, *field, test.cased)) {
                return true;
            }
        }
        return false;
    };
    bool result = test.all;
    for (std::size_t i = 0; i < test.values.size(); ++i) {
        const bool hit = one(i);
        if (test.all && !hit) {
            result = false;
            break;
        }
        if (!test.all && hit) {
            result = true;
            break;
        }
    }
    return test.negate ? !result : result;
}

bool naive_sigma::condition_holds(const rules::condition_expr& c, std::size_t rule,
                                  const core::event& e) {
    using kind = rules::condition_expr::kind;
    switch (c.type) {
    case kind::search_ref: {
        const auto& s = rules_[rule].searches[c.search];
        for (std::size_t m = 0; m < s.maps.size(); ++m) {
            bool all = true;
            for (std::size_t t = 0; t < s.maps[m].tests.size() && all; ++t) {
                all = test_holds(s.maps[m].tests[t], values_[rule][c.search][m][t], e);
            }
            if (all) {
                return true;
            }
        }
        return false;
    }
    case kind::negate:
        return !condition_holds(c.children[0], rule, e);
    case kind::all_of:
        for (const auto& child : c.children) {
            if (!condition_holds(child, rule, e)) {
                return false;
            }
        }
        return true;
    case kind::any_of:
        for (const auto& child : c.children) {
            if (condition_holds(child, rule, e)) {
                return true;
            }
        }
        return false;
    }
    return false;
}

std::size_t naive_sigma::match(const core::event& e) {
    auto c = set_->logsources().classify(e);
    if (!c) {
        return 0;
    }
    std::size_t fired = 0;
    for (std::size_t r : rules_of_class_[*c]) {
        if (condition_holds(rules_[r].condition, r, e)) {
            ++fired;
        }
    }
    return fired;
}

} // namespace vigil::bench
