// vigil: the command-line tool of vigil. `vigil rules check DIR` and `vigil rules test DIR`
// for rule authors, `vigil alerts` for analysts (works while vigild runs and when it is
// stopped: the alert store is opened read-only).

#include "alert/alert_store.hpp"
#include "command_line.hpp"
#include "config_loading.hpp"
#include "core/civil_time.hpp"
#include "core/clock.hpp"
#include "match/rule_fixture_runner.hpp"
#include "rules/rule_compiler.hpp"

#include <cstdio>
#include <iostream>
#include <map>
#include <simdjson.h>
#include <string>
#include <vector>

namespace {

using namespace vigil;

constexpr const char* usage = R"(usage: vigil <command> [options]

commands:
  rules check DIR        load and compile every rule under DIR; print each problem as
                         file:line: rule-id: reason; exit 2 if there is any error
  rules test DIR         run the fixtures in DIR/tests against the rules in DIR; exit 1 if
                         any fails  [--require-fixtures: a rule without fixtures fails too]
  alerts                 list stored alerts, newest first
      --since DURATION   only alerts of the last DURATION (e.g. 15m, 2h, 7d)
      --rule ID          only alerts of rule ID
      --limit N          at most N alerts
      --json             one JSON document per line instead of a table
      --data-dir DIR     alert store location (default: data_dir of the configuration)
      --config FILE      configuration to take data_dir from

  --help, --version
)";

int rules_check(const std::string& dir) {
    core::diagnostics diags;
    auto result = rules::rule_compiler::load_directory(dir, 1, diags);
    for (const auto& d : diags.items()) {
        std::cout << d.to_string() << "\n";
    }
    std::cout << "checked " << result.files << " rule file(s): " << result.loaded << " loaded, "
              << result.rejected << " rejected, " << diags.error_count() << " error(s), "
              << diags.warning_count() << " warning(s)\n";
    if (result.rules && result.loaded > 0) {
        const auto& set = *result.rules;
        std::size_t expressions = 0;
        for (const auto& db : set.databases()) {
            expressions += db.expressions;
        }
        std::cout << "compiled " << set.predicate_count() << " predicates (" << expressions
                  << " Hyperscan expressions in " << set.databases().size() << " field databases, "
                  << set.database_bytes() << " bytes) in " << static_cast<long>(result.compile_ms)
                  << " ms\n";
    }
    return diags.has_errors() ? 2 : 0;
}

int rules_test(const std::string& dir, bool require_fixtures) {
    core::diagnostics diags;
    auto compiled = rules::rule_compiler::load_directory(dir, 1, diags);
    for (const auto& d : diags.items()) {
        std::cout << d.to_string() << "\n";
    }
    if (diags.has_errors()) {
        std::cout << "FAIL: the rules do not load cleanly; fix the errors above first\n";
        return 2;
    }
    const std::filesystem::path tests_dir = std::filesystem::path(dir) / "tests";
    match::rule_fixture_runner runner(compiled.rules);
    auto report = runner.run_directory(tests_dir);
    for (const auto& f : report.fixtures) {
        if (f.failures.empty()) {
            std::cout << "PASS  " << f.rule_id << "  (" << f.checked << " records, " << f.file
                      << ")\n";
        } else {
            std::cout << "FAIL  " << f.rule_id << "  (" << f.failures.size() << " of " << f.checked
                      << " records, " << f.file << ")\n";
            for (const auto& failure : f.failures) {
                std::cout << "      " << failure.to_string() << "\n";
            }
        }
    }
    for (const auto& d : report.errors.items()) {
        std::cout << "ERROR " << d.to_string() << "\n";
    }
    for (const auto& id : report.rules_without_fixtures) {
        std::cout << (require_fixtures ? "FAIL  " : "NOTE  ") << id << "  has no fixtures in "
                  << tests_dir.string() << "\n";
    }
    const std::size_t failed = report.failed();
    std::cout << report.fixtures.size() << " fixture file(s): " << report.fixtures.size() - failed
              << " passed, " << failed << " failed; " << report.errors.error_count()
              << " unreadable; " << report.rules_without_fixtures.size()
              << " rule(s) without fixtures\n";
    const bool ok = failed == 0 && !report.errors.has_errors() &&
                    (!require_fixtures || report.rules_without_fixtures.empty());
    return ok ? 0 : 1;
}

// `text` in a column of `width`: cut with "~" when too long, always followed by a space.
std::string pad(std::string text, std::size_t width) {
    if (text.size() >= width) {
        text.resize(width - 2);
        text += "~";
    }
    text.resize(width, ' ');
    return text;
}

int alerts(const daemon::command_line& args) {
    std::string source;
    auto cfg = daemon::load_configuration(args, source);
    if (!cfg) {
        return 2;
    }
    alert::alert_query query;
    if (auto since = args.value("since")) {
        auto ns = core::parse_duration(*since);
        if (!ns) {
            std::cerr << "vigil alerts: --since: " << ns.error() << "\n";
            return 2;
        }
        const std::int64_t now_ms = core::system_clock::instance().now_ms();
        query.since_ms =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ms - *ns / 1'000'000));
    }
    query.rule_id = args.value("rule");
    if (auto limit = args.value("limit")) {
        try {
            query.limit = std::stoul(*limit);
        } catch (const std::exception&) {
            std::cerr << "vigil alerts: --limit must be a number\n";
            return 2;
        }
    }
    auto store = alert::alert_store::open(cfg->data_dir, alert::alert_store::mode::read_only);
    if (!store) {
        std::cerr << "vigil alerts: " << store.error() << "\n";
        return 1;
    }
    auto listed = (*store)->list(query);
    if (!listed) {
        std::cerr << "vigil alerts: " << listed.error() << "\n";
        return 1;
    }
    if (args.flag("json")) {
        for (const auto& json : *listed) {
            std::cout << json << "\n";
        }
        return 0;
    }
    std::cout << pad("CREATED", 25) << pad("GRADE", 6) << pad("LEVEL", 14) << pad("HOST", 18)
              << pad("RULE", 44) << "ID\n";
    simdjson::dom::parser parser;
    for (const auto& json : *listed) {
        simdjson::dom::element doc;
        if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
            std::cout << "(unreadable alert)\n";
            continue;
        }
        auto text = [&](std::string_view pointer) {
            std::string_view v;
            return doc.at_pointer(pointer).get(v) == simdjson::SUCCESS ? std::string(v)
                                                                       : std::string("-");
        };
        std::cout << pad(text("/created_at"), 25) << pad(text("/grade"), 6)
                  << pad(text("/rule/level"), 14) << pad(text("/host"), 18)
                  << pad(text("/rule/title"), 44) << text("/id") << "\n";
    }
    std::cout << listed->size() << " alert(s)\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "help") {
        std::cout << usage;
        return argc < 2 ? 2 : 0;
    }
    const std::string_view command = argv[1];
    if (command == "--version" || command == "version") {
        std::cout << "vigil " << VIGIL_VERSION << "\n";
        return 0;
    }
    if (command == "rules") {
        daemon::command_line args({}, {"require-fixtures"});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil rules: " << *error << "\n";
            return 2;
        }
        const auto& pos = args.positional();
        if (pos.size() != 2 || (pos[0] != "check" && pos[0] != "test")) {
            std::cerr << "usage: vigil rules check DIR | vigil rules test DIR\n";
            return 2;
        }
        return pos[0] == "check" ? rules_check(pos[1])
                                 : rules_test(pos[1], args.flag("require-fixtures"));
    }
    if (command == "alerts") {
        daemon::command_line args({"since", "rule", "limit", "data-dir", "config"}, {"json"});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil alerts: " << *error << "\n";
            return 2;
        }
        if (!args.positional().empty()) {
            std::cerr << "vigil alerts: unexpected argument '" << args.positional().front()
                      << "'\n";
            return 2;
        }
        return alerts(args);
    }
    std::cerr << "vigil: unknown command '" << command << "'\n" << usage;
    return 2;
}
