#pragma once

#include "core/diagnostic.hpp"
#include "rules/correlation_rule.hpp"
#include "rules/sigma_rule.hpp"

#include <string>
#include <yaml-cpp/yaml.h>

namespace vigil::rules {

// Reads one YAML document holding `correlation:` into `out`. Every problem is added to `diags`
// with file, line, rule id and reason; returns false when there was any error. References and
// field names are checked later, against the whole rule set (rule_compiler).
[[nodiscard]] bool read_correlation(const YAML::Node& doc, const std::string& file,
                                    core::diagnostics& diags, correlation_rule& out);

// Reads a detection rule's `suppress: {by: [FIELD, ...], for: DURATION}` (vigil's alert
// suppression, as Elastic's: per distinct `by` values, one alert per `for` that later matches
// update) into the correlation that carries it out: event_count >= 1 over `for`, grouped by
// `by`, suppressed for `for`, with the rule's id, title, level and tags, referring to the rule
// by `reference` (its name). Problems go to `diags` at their lines; false when there was any.
[[nodiscard]] bool read_suppression(const YAML::Node& suppress, const sigma_rule& rule,
                                    const std::string& reference, core::diagnostics& diags,
                                    correlation_rule& out);

} // namespace vigil::rules
