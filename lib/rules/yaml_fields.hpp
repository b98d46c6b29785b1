#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace vigil::rules {

// Reading the plain fields of rule documents (detection and correlation rules alike). Problems
// go to `error(node, reason)`, which the caller turns into a diagnostic.
using yaml_error = std::function<void(const YAML::Node&, std::string)>;

// The 1-based line of a node, 0 when unknown.
[[nodiscard]] int line_of(const YAML::Node& node);
// "a map", "a list", "null", "a string".
[[nodiscard]] std::string describe_type(const YAML::Node& node);
// map[key] as a string; empty when absent or null.
[[nodiscard]] std::string optional_string(const YAML::Node& map, const char* key,
                                          const yaml_error& error);
// map[key] as a list of strings (one string is a list of one); empty when absent or null.
[[nodiscard]] std::vector<std::string> string_list(const YAML::Node& map, const char* key,
                                                   const yaml_error& error);
// Whether `level` is a Sigma level: informational, low, medium, high, critical.
[[nodiscard]] bool is_sigma_level(std::string_view level);
// Its place in that order (informational 0 ... critical 4); nothing for an unknown level.
[[nodiscard]] std::optional<int> sigma_level_rank(std::string_view level);
// Whether `status` is a Sigma status: stable, test, experimental, deprecated, unsupported.
[[nodiscard]] bool is_sigma_status(std::string_view status);
inline constexpr const char* sigma_statuses_text =
    "stable, test, experimental, deprecated or unsupported";
inline constexpr const char* sigma_levels_text = "informational, low, medium, high or critical";

} // namespace vigil::rules
