// The public SigmaHQ rule set (../shared/data/sigmahq-sigma) as the real-world input of the
// rule compiler. Registered only when the shared data is present (tests/CMakeLists.txt).

#include "rules/rule_compiler.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace vigil;

namespace {
const std::string sigmahq = std::string(VIGIL_SHARED_DATA_DIR) + "/sigmahq-sigma";
const std::string schemas = std::string(VIGIL_SOURCE_DIR) + "/schemas";
} // namespace

TEST_CASE("the SigmaHQ core rules load at 95% or better, every rejection with its reason",
          "[rules][shared-data]") {
    core::diagnostics diags;
    auto result = rules::rule_compiler::load_directory(sigmahq + "/rules", schemas, 1, diags);
    const std::size_t total = result.loaded + result.rejected;
    INFO(diags.to_string());
    CHECK(total == 3084); // the README's count of core rules
    CHECK(static_cast<double>(result.loaded) >= 0.95 * static_cast<double>(total));
    // Each rejected rule is named by at least one error with its file, line and reason.
    std::set<std::pair<std::string, std::string>> named;
    for (const auto& d : diags.items()) {
        if (d.level == core::diagnostic::severity::error) {
            CHECK_FALSE(d.file.empty());
            CHECK(d.line > 0);
            CHECK_FALSE(d.reason.empty());
            named.insert({d.file, d.rule_id});
        }
    }
    CHECK(named.size() == result.rejected);
    std::size_t by_reason = 0;
    for (const auto& [reason, count] : result.rejected_by_reason) {
        by_reason += count;
    }
    CHECK(by_reason == result.rejected);
}

TEST_CASE("SigmaHQ's legacy count() rules are rejected as correlation rules to write",
          "[rules][shared-data]") {
    core::diagnostics diags;
    auto result = rules::rule_compiler::load_directory(sigmahq + "/unsupported", schemas, 1, diags);
    std::size_t aggregation = 0;
    for (const auto& d : diags.items()) {
        if (d.reason.find("write a correlation rule instead") != std::string::npos) {
            ++aggregation;
        }
    }
    CHECK(aggregation >= 20); // the README: 23 rules use `| count() by`
    CHECK(result.rejected >= aggregation);
}
