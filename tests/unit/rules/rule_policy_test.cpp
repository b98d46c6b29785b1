#include "rules/rule_policy.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace vigil::rules;

namespace {

sigma_rule rule(std::string id, std::string name, std::string file, std::string status,
                std::string level) {
    sigma_rule r;
    r.id = std::move(id);
    r.name = std::move(name);
    r.file = std::move(file);
    r.status = std::move(status);
    r.level = std::move(level);
    return r;
}

correlation_rule correlation(std::string id, std::string file, std::string status,
                             std::string level, std::vector<std::string> inputs) {
    correlation_rule c;
    c.id = std::move(id);
    c.file = std::move(file);
    c.status = std::move(status);
    c.level = std::move(level);
    c.rules = std::move(inputs);
    return c;
}

template <typename Items>
std::vector<std::string> ids(const Items& items) {
    std::vector<std::string> out;
    for (const auto& i : items) {
        out.push_back(i.id);
    }
    return out;
}

} // namespace

TEST_CASE("the default policy: SigmaHQ core+ under sigmahq/, the rest but deprecated",
          "[rules][policy]") {
    const rule_policy policy = rule_policy::shipped_default();
    CHECK_FALSE(policy.excludes("sigmahq/windows/a.yml", "test", "medium"));
    CHECK_FALSE(policy.excludes("sigmahq/cloud/b.yml", "stable", "critical"));
    CHECK(*policy.excludes("sigmahq/windows/a.yml", "experimental", "high") ==
          "status experimental is not admitted under 'sigmahq/'");
    CHECK(*policy.excludes("sigmahq/windows/a.yml", "test", "low") ==
          "level low is below medium under 'sigmahq/'");
    // A rule without a status counts as experimental.
    CHECK(policy.excludes("sigmahq/a.yml", "", "high"));
    // Folder names match whole path parts: sigmahq-extra/ is not sigmahq/.
    CHECK_FALSE(policy.excludes("sigmahq-extra/a.yml", "experimental", "low"));
    CHECK_FALSE(policy.excludes("detection/a.yml", "experimental", "informational"));
    CHECK(*policy.excludes("detection/a.yml", "deprecated", "high") ==
          "status deprecated is not admitted under the rules directory");
    // An inner correlation of a chain has no level: it passes any threshold.
    CHECK_FALSE(policy.excludes("sigmahq/c.yml", "test", ""));
}

TEST_CASE("applying a policy keeps what running correlations name, through chains",
          "[rules][policy]") {
    rule_policy policy{{{"strict", {"stable"}, "high"}}};
    load_result loaded;
    loaded.rules = {
        rule("r-out", "", "/rules/strict/a.yml", "test", "high"),
        rule("r-in", "", "/rules/strict/b.yml", "stable", "critical"),
        rule("r-base", "failed_login", "/rules/strict/c.yml", "test", "low"),
        rule("r-chain-base", "", "/rules/strict/d.yml", "experimental", "low"),
        rule("r-free", "", "/rules/other/e.yml", "deprecated", "informational"),
    };
    loaded.correlations = {
        // Runs, and names r-base by its name: r-base runs as its input.
        correlation("c-run", "/rules/strict/f.yml", "stable", "high", {"failed_login"}),
        // Left out, and so is its input's exemption.
        correlation("c-out", "/rules/strict/g.yml", "test", "high", {"r-out"}),
        // Runs; names an inner correlation that is itself outside the policy, which names a
        // base rule outside it: both run.
        correlation("c-outer", "/rules/strict/h.yml", "stable", "critical", {"c-inner"}),
        correlation("c-inner", "/rules/strict/i.yml", "experimental", "", {"r-chain-base"}),
    };
    const policy_result result = apply_rule_policy(policy, {"/rules"}, loaded);
    CHECK(ids(loaded.rules) ==
          std::vector<std::string>{"r-in", "r-base", "r-chain-base", "r-free"});
    CHECK(ids(loaded.correlations) == std::vector<std::string>{"c-run", "c-outer", "c-inner"});
    CHECK(result.left_out == 2);
    CHECK(result.kept_as_inputs == 3);
    CHECK(result.why ==
          std::vector<std::string>{"r-out (/rules/strict/a.yml): status test is not admitted under "
                                   "'strict/'",
                                   "c-out (/rules/strict/g.yml): status test is not admitted under "
                                   "'strict/'"});
}

TEST_CASE("an empty policy lets every rule run", "[rules][policy]") {
    load_result loaded;
    loaded.rules = {rule("a", "", "/r/x.yml", "deprecated", "informational")};
    const policy_result result = apply_rule_policy(rule_policy{}, {"/r"}, loaded);
    CHECK(loaded.rules.size() == 1);
    CHECK(result.left_out == 0);
}
