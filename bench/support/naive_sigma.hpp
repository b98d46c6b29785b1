#pragma once

#include "core/event.hpp"
#include "rules/rule_set.hpp"
#include "rules/sigma_rule.hpp"

#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace vigil::bench {

// The reference for the matcher benchmark: a straightforward Sigma engine that evaluates every
// rule of the event's log source class directly, one value at a time (case-folded substring
// search, wildcard matching, std::regex), the way Sigma engines without an index do. It shares
// vigil's parser, field catalog and log source classes, so only the matching differs.
class naive_sigma {
public:
    // `rules` must have been loaded against `set`'s catalog (the same loader run).
    naive_sigma(std::vector<rules::sigma_rule> rules, std::shared_ptr<const rules::rule_set> set);

    // How many rules fire on `e`.
    [[nodiscard]] std::size_t match(const core::event& e);

private:
    struct compiled_value {
        std::vector<rules::value_pattern> variants;
        std::unique_ptr<std::regex> regex;
    };
    bool test_holds(const rules::field_test& test, const std::vector<compiled_value>& values,
                    const core::event& e);
    bool condition_holds(const rules::condition_expr& c, std::size_t rule, const core::event& e);

    std::vector<rules::sigma_rule> rules_;
    std::shared_ptr<const rules::rule_set> set_;
    std::vector<std::vector<std::size_t>> rules_of_class_;
    // Per rule, per search, per map, per test: the prepared values.
    std::vector<std::vector<std::vector<std::vector<std::vector<compiled_value>>>>> values_;
    std::string folded_;
};

} // namespace vigil::bench
