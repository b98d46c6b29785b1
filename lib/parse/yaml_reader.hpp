#pragma once

#include "core/diagnostic.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace vigil::parse {

// The one way vigil reads a YAML file (rules, mappings, schemas, config, IOC feeds, fixtures).
// A syntax error becomes a diagnostic at its line and column (code "yaml"); a key that appears
// twice in one mapping — which yaml-cpp accepts, keeping the first — is an error at the second
// one's line and column (code "duplicate_key"), so an author never has a value silently
// ignored. Nothing is returned when the text cannot be read at all; with duplicate keys the
// documents are returned and the caller's diagnostics hold the errors.
[[nodiscard]] std::optional<std::vector<YAML::Node>>
read_yaml_documents(std::string_view text, const std::string& file, core::diagnostics& diags);
// The first document (a null node for empty text).
[[nodiscard]] std::optional<YAML::Node> read_yaml(std::string_view text, const std::string& file,
                                                  core::diagnostics& diags);
[[nodiscard]] std::optional<YAML::Node> read_yaml_file(const std::string& file,
                                                       core::diagnostics& diags);

// The 1-based line of a node (0 for a node without a position).
[[nodiscard]] int line_of(const YAML::Node& node);

// Reports every key of the map `node` that is not one of `known`, at its line and column (code
// "unknown_key"): "unknown key 'levle' in <where> (did you mean 'level'?; known here: ...)".
// A misspelt key is never silently ignored. Returns whether every key was known.
bool report_unknown_keys(const YAML::Node& node, std::initializer_list<std::string_view> known,
                         std::string_view where, const std::string& file,
                         const std::string& rule_id, core::diagnostics& diags);

// The key of `known` that `key` is most likely a misspelling of (at most two letters changed,
// added, removed or swapped), if any.
[[nodiscard]] std::optional<std::string_view>
misspelling_of(std::string_view key, std::initializer_list<std::string_view> known);

// The reason a YAML text could not be read. yaml-cpp stops nesting at 2,000 levels with an
// exception whose message says only "bad file"; it is named for what it is.
[[nodiscard]] std::string yaml_error_reason(const YAML::Exception& e);

} // namespace vigil::parse
