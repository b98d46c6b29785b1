#pragma once

#include "core/diagnostic.hpp"
#include "match/matcher.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/sigma_loader.hpp"
#include "support/parse_helpers.hpp"

#include <string>
#include <vector>

namespace vigil::test {

// Loads and compiles rules from YAML text, as `vigil rules check` would from a file.
struct compiled_rules {
    core::diagnostics diags;
    rules::compile_result result;
    std::size_t load_rejected = 0;
};

inline compiled_rules compile_yaml(const std::string& yaml, const std::string& file = "test.yml") {
    compiled_rules out;
    rules::sigma_loader loader(core::field_catalog::builtin());
    auto loaded = loader.load_text(yaml, file, out.diags);
    out.load_rejected = loaded.rejected;
    out.result = rules::rule_compiler::compile(std::move(loaded.rules), 1, out.diags);
    return out;
}

// The ids of the rules that fire on one syslog line.
inline std::vector<std::string> fired(const std::shared_ptr<const rules::rule_set>& set,
                                      const std::string& line) {
    match::matcher m(set);
    core::arena scratch;
    core::event e;
    parse::syslog_parser parser{parse::rfc3164_config{}};
    core::raw_record record{line, core::source_kind::file, 1'795'000'000'000'000'000, {}};
    (void)parser.parse(record, e, scratch);
    std::vector<std::string> ids;
    for (auto r : m.match(e)) {
        ids.push_back(set->rules()[r].id);
    }
    return ids;
}

// A rule document around a detection block (indented by the caller with two spaces).
inline std::string rule_yaml(const std::string& id, const std::string& detection) {
    return "title: test rule " + id + "\nid: " + id + "\nlevel: high\nauthor: tests\ndetection:\n" +
           detection;
}

} // namespace vigil::test
