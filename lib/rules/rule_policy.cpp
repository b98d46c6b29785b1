#include "rules/rule_policy.hpp"

#include "rules/yaml_fields.hpp"

#include <algorithm>
#include <set>

namespace vigil::rules {
namespace {

// Whether `file` lies under `folder` (both relative to the rules directory; "" holds all).
bool holds(const std::filesystem::path& folder, const std::filesystem::path& file) {
    auto f = file.begin();
    for (const auto& part : folder) {
        if (part.empty() || part == ".") {
            continue;
        }
        if (f == file.end() || *f != part) {
            return false;
        }
        ++f;
    }
    return true;
}

// `file` relative to the root it was found under (as given when under none).
std::filesystem::path relative_to_roots(const std::string& file,
                                        const std::vector<std::filesystem::path>& roots) {
    const std::filesystem::path path = std::filesystem::path(file).lexically_normal();
    for (const auto& root : roots) {
        const std::filesystem::path rel = path.lexically_relative(root.lexically_normal());
        if (!rel.empty() && *rel.begin() != "..") {
            return rel;
        }
    }
    return path;
}

} // namespace

rule_policy rule_policy::shipped_default() {
    return rule_policy{{
        {"sigmahq", {"stable", "test"}, "medium"},
        {"", {"stable", "test", "experimental"}, "informational"},
    }};
}

std::optional<std::string> rule_policy::check(const rule_selection& selection) {
    for (const auto& status : selection.statuses) {
        if (!is_sigma_status(status)) {
            return "unknown status '" + status + "' (use " + sigma_statuses_text + ")";
        }
    }
    if (!sigma_level_rank(selection.min_level)) {
        return "unknown level '" + selection.min_level + "' (use " + sigma_levels_text + ")";
    }
    return std::nullopt;
}

std::optional<std::string> rule_policy::excludes(const std::filesystem::path& relative_file,
                                                 std::string_view status,
                                                 std::string_view level) const {
    const auto selection =
        std::find_if(selections.begin(), selections.end(),
                     [&](const rule_selection& s) { return holds(s.folder, relative_file); });
    if (selection == selections.end()) {
        return std::nullopt;
    }
    const std::string_view effective_status = status.empty() ? "experimental" : status;
    const std::string where = selection->folder.empty() ? "under the rules directory"
                                                        : "under '" + selection->folder + "/'";
    if (std::find(selection->statuses.begin(), selection->statuses.end(), effective_status) ==
        selection->statuses.end()) {
        return "status " + std::string(effective_status) + " is not admitted " + where;
    }
    const auto rank = sigma_level_rank(level);
    if (rank && *rank < sigma_level_rank(selection->min_level).value_or(0)) {
        return "level " + std::string(level) + " is below " + selection->min_level + " " + where;
    }
    return std::nullopt;
}

policy_result apply_rule_policy(const rule_policy& policy,
                                const std::vector<std::filesystem::path>& roots,
                                load_result& loaded) {
    policy_result result;
    if (policy.selections.empty()) {
        return result;
    }
    auto reason = [&](const auto& rule) {
        return policy.excludes(relative_to_roots(rule.file, roots), rule.status, rule.level);
    };
    std::vector<bool> rule_out(loaded.rules.size());
    std::vector<bool> correlation_out(loaded.correlations.size());
    for (std::size_t i = 0; i < loaded.rules.size(); ++i) {
        rule_out[i] = reason(loaded.rules[i]).has_value();
    }
    for (std::size_t i = 0; i < loaded.correlations.size(); ++i) {
        correlation_out[i] = reason(loaded.correlations[i]).has_value();
    }
    // A running correlation keeps what it names (by id or name), through chains of
    // correlations, until nothing more is kept.
    const std::size_t before =
        std::size_t(std::count(rule_out.begin(), rule_out.end(), true) +
                    std::count(correlation_out.begin(), correlation_out.end(), true));
    std::set<std::string> named;
    for (bool grew = true; grew;) {
        grew = false;
        for (std::size_t i = 0; i < loaded.correlations.size(); ++i) {
            if (!correlation_out[i]) {
                named.insert(loaded.correlations[i].rules.begin(),
                             loaded.correlations[i].rules.end());
            }
        }
        auto keep_named = [&](auto& items, std::vector<bool>& out) {
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (out[i] && (named.contains(items[i].id) ||
                               (!items[i].name.empty() && named.contains(items[i].name)))) {
                    out[i] = false;
                    ++result.kept_as_inputs;
                    grew = true;
                }
            }
        };
        keep_named(loaded.rules, rule_out);
        keep_named(loaded.correlations, correlation_out);
    }
    result.left_out = before - result.kept_as_inputs;
    auto remove_out = [&](auto& items, const std::vector<bool>& out) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (out[i]) {
                result.why.push_back(items[i].id + " (" + items[i].file +
                                     "): " + reason(items[i]).value_or(""));
            } else {
                if (kept != i) {
                    items[kept] = std::move(items[i]);
                }
                ++kept;
            }
        }
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(kept), items.end());
    };
    remove_out(loaded.rules, rule_out);
    remove_out(loaded.correlations, correlation_out);
    return result;
}

} // namespace vigil::rules
