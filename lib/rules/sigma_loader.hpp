#pragma once

#include "core/diagnostic.hpp"
#include "core/field_catalog.hpp"
#include "rules/correlation_rule.hpp"
#include "rules/logsource_map.hpp"
#include "rules/sigma_rule.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::rules {

// What a load produced: the rules that are valid, and how many rule documents were rejected.
// Every problem is in the diagnostics passed to the loader, each with file, line, rule id and
// reason; a rejected rule never stops the others from loading.
struct load_result {
    std::vector<sigma_rule> rules;
    std::vector<correlation_rule> correlations;
    std::size_t rejected = 0;
    std::size_t files = 0;
};

// Reads Sigma detection and correlation rules from YAML (one rule per document; several
// documents per file allowed) and checks them against the subset vigil compiles. Control plane
// only.
class sigma_loader {
public:
    // Limits that keep a hostile or mistaken rule file from taking minutes and gigabytes to
    // compile (each breach is a located error; the rule or file is rejected). SigmaHQ's largest
    // rule file is about 300 kB with 4,432 values; long indicator lists belong in IOC list
    // files (rules/lists/), which have their own reader.
    static constexpr std::uintmax_t max_file_bytes = 4 * 1024 * 1024;
    static constexpr std::size_t max_values_per_rule = 20'000;

    // Field names the catalog does not know are added to it as vendor fields. With a log source
    // map, a rule whose log source applies to no class is reported with its other problems.
    explicit sigma_loader(core::field_catalog& catalog, const logsource_map* logsources = nullptr)
        : catalog_(catalog), logsources_(logsources) {}

    // Every *.yml / *.yaml file under `dir`, recursively and in name order, except the folders
    // that hold fixtures (tests/) and IOC lists (lists/).
    [[nodiscard]] load_result load_directory(const std::filesystem::path& dir,
                                             core::diagnostics& diags) const;
    // Several directories as one rule set (rule ids must be unique across all of them).
    [[nodiscard]] load_result load_directories(const std::vector<std::filesystem::path>& dirs,
                                               core::diagnostics& diags) const;
    [[nodiscard]] load_result load_file(const std::filesystem::path& file,
                                        core::diagnostics& diags) const;
    // `file_name` is used in diagnostics only.
    [[nodiscard]] load_result load_text(std::string_view yaml, const std::string& file_name,
                                        core::diagnostics& diags) const;

    // The rule files load_directory would read, in order.
    [[nodiscard]] static std::vector<std::filesystem::path>
    rule_files(const std::filesystem::path& dir);

private:
    core::field_catalog& catalog_;
    const logsource_map* logsources_;
};

} // namespace vigil::rules
