#pragma once

#include "core/diagnostic.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::parse {

// How one kind of JSON record (schemas/mappings/<name>.yaml) becomes fields: which records it
// applies to (`detect`: paths that must all be present), where their time is, and how
// flattened paths ("Event.EventData.Image") turn into field names ("Image"), which the field
// catalog then resolves to canonical fields. A mapping is data: adding a vendor needs no
// rebuild. Immutable once loaded.
class json_mapping {
public:
    std::string name;
    std::vector<std::string> detect;
    std::string timestamp_path;
    // Remove spaces from field names ("Threat Name" -> ThreatName), as the Sigma specification
    // names fields of Windows events.
    bool strip_spaces = false;

    // Exact path renames, then prefix rewrites (a prefix may use * for one path segment); a
    // path that neither touches keeps its name. `buffer` holds a rewritten name.
    [[nodiscard]] std::string_view field_name(std::string_view path, std::string& buffer) const;

    void add_rename(std::string path, std::string field);
    void add_prefix(const std::string& prefix, std::string replacement);

private:
    [[nodiscard]] std::string_view field_name_without_spaces(std::string_view path,
                                                             std::string& buffer) const;

    struct name_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    struct prefix_rule {
        std::vector<std::string> segments; // "*" matches any one segment
        std::string replacement;
    };
    std::unordered_map<std::string, std::string, name_hash, std::equal_to<>> renames_;
    std::vector<prefix_rule> prefixes_;
};

// Every mapping, tried in file-name order; the generic mapping ("json": paths as they are,
// time in @timestamp) comes last and takes whatever no other mapping detected.
struct json_mapping_set {
    std::vector<json_mapping> mappings;

    // The built-in generic mapping alone.
    [[nodiscard]] static json_mapping_set generic_only();
};

// Reads every *.yaml / *.yml under `dir` (a missing directory means only the generic mapping).
[[nodiscard]] json_mapping_set load_json_mappings(const std::filesystem::path& dir,
                                                  core::diagnostics& diags);

} // namespace vigil::parse
