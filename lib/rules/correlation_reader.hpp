#pragma once

#include "core/diagnostic.hpp"
#include "rules/correlation_rule.hpp"

#include <string>
#include <yaml-cpp/yaml.h>

namespace vigil::rules {

// Reads one YAML document holding `correlation:` into `out`. Every problem is added to `diags`
// with file, line, rule id and reason; returns false when there was any error. References and
// field names are checked later, against the whole rule set (rule_compiler).
[[nodiscard]] bool read_correlation(const YAML::Node& doc, const std::string& file,
                                    core::diagnostics& diags, correlation_rule& out);

} // namespace vigil::rules
