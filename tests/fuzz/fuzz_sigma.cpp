// Fuzz target: a Sigma rule file as `vigil rules check` and a reload read it: the YAML reader,
// the loader (detection, modifiers, the condition parser, correlations) and the compiler
// (Hyperscan) against the shipped schemas. Errors are expected; crashes, hangs and unbounded
// memory are not (the loader's limits bound the compile).
#include "core/diagnostic.hpp"
#include "fuzz_input.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/sigma_loader.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const vigil::rules::rule_schema shipped = [] {
        vigil::core::diagnostics diags;
        return vigil::rules::load_rule_schema(std::string(VIGIL_SOURCE_DIR) + "/schemas", diags);
    }();
    vigil::core::diagnostics diags;
    vigil::rules::rule_schema schema = shipped;
    vigil::rules::sigma_loader loader(schema.catalog);
    auto loaded = loader.load_text(std::string(fuzz_text(data, size)), "fuzz.yml", diags);
    (void)vigil::rules::rule_compiler::compile(std::move(loaded.rules), std::move(schema), {}, 1,
                                               diags, std::move(loaded.correlations));
    for (const auto& d : diags.items()) {
        (void)d.to_string();
    }
    return 0;
}
