// vigil: the command-line tool of vigil. `vigil rules check|test|reload`, `vigil parse` and
// `vigil replay` for rule authors, `vigil alerts` for analysts (works while vigild runs and
// when it is stopped: the alert store is opened read-only).

#include "alert/alert_store.hpp"
#include "alert_table.hpp"
#include "command_line.hpp"
#include "config_loading.hpp"
#include "core/civil_time.hpp"
#include "core/clock.hpp"
#include "core/json_writer.hpp"
#include "coverage_command.hpp"
#include "incident/lifecycle.hpp"
#include "net/http_client.hpp"
#include "parse_command.hpp"
#include "replay/rule_test_runner.hpp"
#include "replay_command.hpp"
#include "report/report_request.hpp"
#include "report_command.hpp"
#include "rules/rule_compiler.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <simdjson.h>
#include <string>
#include <vector>

namespace {

using namespace vigil;

constexpr const char* usage = R"(usage: vigil <command> [options]

commands:
  rules check DIR        load and compile every rule under DIR; print each problem as
                         file:line: rule-id: reason, counts and compile statistics; exit 2 if
                         there is any error
  rules test DIR         run the fixtures in DIR/tests, and for a SigmaHQ-style tree its
                         regression_data, against the rules of DIR; exit 1 if any fails
                         [--require-fixtures: a rule without tests fails too]
      --schemas-dir DIR  field schema and log source classes (default: schemas_dir of the
                         configuration)
  webhooks dead          list the alerts no destination took within its max_age (dead
                         deliveries), one JSON document per line
      --data-dir DIR     alert store location (default: data_dir of the configuration)
  webhooks retry         ask the running vigild to queue the dead deliveries again
                         (POST /api/v1/webhooks/retry)
      --destination NAME only those of this destination
      --url URL, --cacert FILE   as for rules reload
  rules reload           ask the running vigild to reload its rules (POST /api/v1/rules/reload);
                         prints the errors of a rejected set and exits 2
      --url URL          vigild's HTTP API (default: http.listen of the configuration, https
                         when http.tls is set); the token sent is http.api_write_token
      --cacert FILE      for https: trust this CA (default: the system's CAs and the
                         configuration's http.tls.certificate)
  rules coverage [DIR]   per log source class: the rules that can meet it and the events the
                         running vigild received in the last hour and since start, and the
                         classes that receive events no rule meets; with DIR, the rule counts
                         of the rules in DIR alone
      --url URL, --cacert FILE  as for reload; the token sent is http.api_read_token (or
                         the write token)
      --all              also the classes with neither rules nor events
  parse [FILE]           print what vigil makes of each record of FILE (or standard input):
                         one JSON object per record with parser, mapping, Sigma log source,
                         time, canonical fields, vendor fields and any parse error
      --format F         auto (default), syslog, rfc5424, rfc3164, cef, leef, json (JSON
                         documents, which may span lines), kv or csv
      --mapping NAME     use this vendor mapping (schemas/mappings) instead of detecting one
      --year YEAR        year of RFC 3164 timestamps (default: the latest year that does not
                         put them more than time.max_future_skew ahead of now)
      --timezone ZONE    zone of timestamps without one (default UTC; +08:00, local,
                         Europe/Berlin)
      --schemas-dir DIR  (default: schemas_dir of the configuration)
      --explain          also why: the envelopes taken off, the classes the record nearly
                         fell into (and the test that failed), the class it is in (and the
                         tests that put it there), and the rules that can meet it
      --rules DIR        rules for --explain (default: rules_dir of the configuration)
  replay FILE...         run log files through the daemon's parse -> match -> correlate code at
                         full speed (event time, watermarks and correlation as in vigild) and
                         print the alerts; each file is one input, read side by side
      --format F         as for parse (default auto; json: JSON documents)
      --rules DIR        rules to run (default: rules_dir of the configuration)
      --schemas-dir DIR  (default: schemas_dir of the configuration)
      --json             one alert document per line instead of a table
      --config FILE      configuration to take parsing, event-time and correlation settings
                         from
  alerts [ID]            list stored alerts, newest first (by the event time they are about),
                         or print the one alert ID with its evidence
      --since WHEN       only alerts at or after WHEN: a duration back from now (15m, 2h,
                         7d), an RFC 3339 time (2026-12-01T08:00:00Z) or a date (2026-12-01)
      --until WHEN       only alerts before WHEN
      --rule ID          only alerts of rule ID
      --level L[,L]      only these levels (informational, low, medium, high, critical)
      --status S[,S]     only these statuses (new, acknowledged, contained, eradicated,
                         recovered, closed, false_positive, reopened)
      --grade G[,G]      only these incident grades (I, II, III, IV)
      --host NAME        only alerts about host NAME
      --source ADDR      only alerts with an event from ADDR (source.ip) or sent by ADDR
      --tenant NAME      only alerts of this customer (config tenants)
      --limit N          at most N alerts (default 100, at most 10000); when more match,
                         "next cursor: ID" goes to stderr
      --cursor ID        continue after the alert ID (the next cursor of the page before)
      --json             one JSON document per line (NDJSON) instead of a table
      --data-dir DIR     alert store location (default: data_dir of the configuration)
      --config FILE      configuration to take data_dir from
  alerts ack|contain|eradicate|recover|close|reopen|false-positive ID
                         one lifecycle step of alert ID, taken by the running vigild
                         (POST /api/v1/alerts/ID/status); prints the alert's status, its SLA
                         outcomes and the step; a step the lifecycle does not allow exits 1
                         with the reason
      --note TEXT        why (kept in the alert's history)
      --actor NAME       who (default: $USER)
      --url URL, --cacert FILE   as for rules reload; the token sent is http.api_write_token

  report                 the report an MDR service sends a customer: incidents per day and
                         grade, top 10 rules, malware, infection sources, infected hosts and
                         source addresses, outbreaks, products offline, definitions out of
                         date, SLA compliance per grade, closure rate, open incidents, against
                         the previous period (read from the store beside a running vigild)
      --period P         day, week or month (required)
      --until DATE       the period's last day, YYYY-MM-DD, UTC (default: yesterday)
      --tenant NAME      only this customer's incidents (default: all)
      --format F         md (default), html (one self-contained page) or json
      --data-dir DIR, --config FILE   as for alerts

  --help, --version
)";

// The rule directories of DIR: a SigmaHQ-style tree (rules*/ folders beside regression_data/)
// is loaded from its rules*/ folders; anything else is one directory of rules.
std::vector<std::filesystem::path> rule_roots(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> roots;
    std::error_code ec;
    if (std::filesystem::is_directory(dir / "regression_data", ec)) {
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            if (entry.is_directory() && (name == "rules" || name.starts_with("rules-"))) {
                roots.push_back(entry.path());
            }
        }
        std::sort(roots.begin(), roots.end());
    }
    if (roots.empty()) {
        roots.push_back(dir);
    }
    return roots;
}

rules::compile_result load_rules(const std::filesystem::path& dir,
                                 const std::filesystem::path& schemas_dir,
                                 core::diagnostics& diags) {
    return rules::rule_compiler::load_directories(rule_roots(dir), dir / "lists", schemas_dir, 1,
                                                  diags);
}

int rules_check(const std::filesystem::path& dir, const std::filesystem::path& schemas_dir) {
    core::diagnostics diags;
    auto result = load_rules(dir, schemas_dir, diags);
    for (const auto& d : diags.items()) {
        std::cout << d.to_string() << "\n";
    }
    std::cout << "checked " << result.files << " rule file(s): " << result.loaded << " loaded, "
              << result.rejected << " rejected, " << diags.error_count() << " error(s), "
              << diags.warning_count() << " warning(s)\n";
    if (const auto n = result.rules->correlations().correlations().size(); n > 0) {
        std::cout << "of them " << n << " correlation rule(s)\n";
    }
    if (!result.rejected_by_reason.empty()) {
        std::cout << "rejected by reason:";
        for (const auto& [reason, count] : result.rejected_by_reason) {
            std::cout << " " << reason << " " << count;
        }
        std::cout << "\n";
    }
    const auto& stats = result.rules->stats();
    std::size_t expressions = 0;
    std::vector<std::pair<std::size_t, std::string>> fields;
    for (const auto& [field, count] : stats.patterns_per_field) {
        expressions += count;
        fields.emplace_back(count, field);
    }
    std::cout << "compiled in " << static_cast<long>(result.compile_ms) << " ms: " << expressions
              << " Hyperscan expressions in " << stats.databases << " databases ("
              << stats.database_bytes << " bytes), " << stats.exact_values << " exact values, "
              << stats.networks << " networks, " << stats.domains << " IOC domains; "
              << stats.classes_used << " log source classes in use; " << result.lists
              << " IOC list(s) with " << result.list_entries << " entries\n";
    if (!fields.empty()) {
        std::sort(fields.rbegin(), fields.rend());
        std::cout << "patterns per field:";
        for (std::size_t i = 0; i < fields.size() && i < 20; ++i) {
            std::cout << " " << fields[i].second << " " << fields[i].first;
        }
        if (fields.size() > 20) {
            std::cout << " (" << fields.size() - 20 << " more fields)";
        }
        std::cout << "\n";
    }
    return diags.has_errors() ? 2 : 0;
}

int rules_test(const std::filesystem::path& dir, const std::filesystem::path& schemas_dir,
               bool require_tests) {
    core::diagnostics diags;
    auto compiled = load_rules(dir, schemas_dir, diags);
    const std::filesystem::path tests_dir = dir / "tests";
    const bool sigma_tree = std::filesystem::is_directory(dir / "regression_data");
    // A rule that does not load fails only if it has tests; the count is reported either way.
    std::cout << "loaded " << compiled.loaded << " rules from " << compiled.files << " file(s), "
              << compiled.rejected << " rejected (vigil rules check " << dir.string()
              << " names the reasons)\n";
    if (!sigma_tree && diags.has_errors()) {
        for (const auto& d : diags.items()) {
            std::cout << d.to_string() << "\n";
        }
        std::cout << "FAIL: the rules do not load cleanly; fix the errors above first\n";
        return 2;
    }
    replay::rule_test_runner runner(compiled.rules);
    replay::rule_test_report report;
    if (std::filesystem::is_directory(tests_dir)) {
        runner.run_fixtures(tests_dir, report);
    }
    if (sigma_tree) {
        runner.run_regression(dir, report);
    }
    runner.find_untested(report);
    std::size_t warnings = 0;
    for (const auto& o : report.outcomes) {
        const char* what =
            o.type == replay::rule_test_outcome::kind::regression ? "regression" : "fixture";
        if (o.passed()) {
            std::cout << "PASS  " << o.rule_id << "  (" << what << ", " << o.checked << " events"
                      << (o.type == replay::rule_test_outcome::kind::regression
                              ? ", matched " + std::to_string(o.matched) + " of at least " +
                                    std::to_string(o.expected)
                              : std::string())
                      << ", " << o.source << ")\n";
        } else {
            std::cout << "FAIL  " << o.rule_id << "  (" << what << ", " << o.source << ")\n";
            for (const auto& failure : o.failures) {
                std::cout << "      " << failure.to_string() << "\n";
            }
        }
        for (const auto& w : o.warnings) {
            std::cout << "WARN  " << o.rule_id << "  " << w << "\n";
            ++warnings;
        }
    }
    for (const auto& d : report.errors.items()) {
        std::cout << "ERROR " << d.to_string() << "\n";
    }
    if (require_tests) {
        for (const auto& id : report.rules_without_tests) {
            std::cout << "FAIL  " << id << "  has no fixtures in " << tests_dir.string() << "\n";
        }
    }
    const std::size_t failed = report.failed();
    std::cout << report.outcomes.size() << " test(s): " << report.outcomes.size() - failed
              << " passed, " << failed << " failed, " << warnings << " warning(s); "
              << report.errors.error_count() << " unreadable test file(s); "
              << report.rules_without_tests.size() << " rule(s) without tests\n";
    const bool ok = failed == 0 && !report.errors.has_errors() &&
                    (!require_tests || report.rules_without_tests.empty());
    return ok ? 0 : 1;
}

// Asks the running vigild to reload its rules and prints what happened.
// The running vigild's API: --url, else the configuration's HTTP listener.
std::optional<std::string> daemon_url(const daemon::command_line& args,
                                      const config::vigil_config& cfg) {
    if (auto given = args.value("url")) {
        return *given;
    }
    if (cfg.http.listen) {
        std::string host = cfg.http.listen->host == "0.0.0.0" ? "127.0.0.1" : cfg.http.listen->host;
        core::listen_address address{host, cfg.http.listen->port};
        return (cfg.http.tls.certificate.empty() ? "http://" : "https://") + address.to_string();
    }
    return std::nullopt;
}

// How the CLI talks to the running vigild: the token (write, or read if set and enough) from the
// configuration, and for https the CA to trust.
net::http_call_options api_options(const daemon::command_line& args,
                                   const config::vigil_config& cfg, bool write,
                                   std::chrono::seconds timeout) {
    net::http_call_options options;
    options.timeout = timeout;
    options.token = write || cfg.http.api_read_token.empty() ? cfg.http.api_write_token
                                                             : cfg.http.api_read_token;
    if (auto ca = args.value("cacert")) {
        options.ca_file = *ca;
    } else {
        options.ca_file = cfg.http.tls.certificate;
    }
    return options;
}

// Sends `method path` with `body` to the running vigild (daemon_url, api_options). Problems
// are printed after `what` ("vigil rules reload"); then the exit code comes back instead of an
// answer: 2 without an address, 1 when vigild did not answer.
std::expected<net::http_response, int> call_vigild(const daemon::command_line& args,
                                                   const config::vigil_config& cfg,
                                                   std::string_view what, const std::string& method,
                                                   const std::string& path, const std::string& body,
                                                   bool write, std::chrono::seconds timeout) {
    const auto found = daemon_url(args, cfg);
    if (!found) {
        std::cerr << what << ": the configuration has no HTTP listener; give --url\n";
        return std::unexpected(2);
    }
    auto answer =
        net::http_call(method, *found + path, body, api_options(args, cfg, write, timeout));
    if (!answer) {
        std::cerr << what << ": " << answer.error()
                  << " (is vigild running with its HTTP API on?)\n";
        return std::unexpected(1);
    }
    return std::move(*answer);
}

// vigil webhooks dead: the dead deliveries from the store (read-only, vigild may run).
int webhooks_dead(const config::vigil_config& cfg) {
    auto store = alert::alert_store::open(cfg.data_dir, alert::alert_store::mode::read_only);
    if (!store) {
        std::cerr << "vigil webhooks dead: " << store.error() << "\n";
        return 1;
    }
    auto dead = (*store)->dead_deliveries();
    if (!dead) {
        std::cerr << "vigil webhooks dead: " << dead.error() << "\n";
        return 1;
    }
    for (const auto& d : *dead) {
        std::cout << d << "\n";
    }
    std::cerr << dead->size() << " dead deliveries\n";
    return 0;
}

// vigil webhooks retry: the running vigild queues the dead deliveries again.
int webhooks_retry(const daemon::command_line& args, const config::vigil_config& cfg) {
    std::string path = "/api/v1/webhooks/retry";
    if (auto destination = args.value("destination")) {
        path += "?destination=" + *destination; // names are plain words (checked in the config)
    }
    auto answer = call_vigild(args, cfg, "vigil webhooks retry", "POST", path, "", true,
                              std::chrono::seconds(60));
    if (!answer) {
        return answer.error();
    }
    if (answer->status != 200) {
        std::cerr << "vigil webhooks retry: HTTP " << answer->status << ": " << answer->body;
        return 1;
    }
    std::cout << answer->body;
    return 0;
}

int rules_reload(const daemon::command_line& args, const config::vigil_config& cfg) {
    auto answer = call_vigild(args, cfg, "vigil rules reload", "POST", "/api/v1/rules/reload", "",
                              true, std::chrono::seconds(600));
    if (!answer) {
        return answer.error();
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(answer->body).get(doc) != simdjson::SUCCESS) {
        std::cerr << "vigil rules reload: unexpected answer (HTTP " << answer->status
                  << "): " << answer->body;
        return 1;
    }
    std::uint64_t version = 0;
    std::uint64_t loaded = 0;
    if (doc["version"].get(version) != simdjson::SUCCESS ||
        doc["loaded"].get(loaded) != simdjson::SUCCESS) {
        std::cerr << "vigil rules reload: unexpected answer (HTTP " << answer->status
                  << "): " << answer->body;
        return 1;
    }
    simdjson::dom::array errors;
    if (doc["errors"].get(errors) == simdjson::SUCCESS) {
        for (auto e : errors) {
            std::string_view text;
            if (e.get(text) == simdjson::SUCCESS) {
                std::cout << text << "\n";
            }
        }
    }
    if (answer->status == 200) {
        std::cout << "reloaded: rule set version " << version << ", " << loaded << " rules\n";
        return 0;
    }
    std::cout << "reload rejected: the running rule set (version " << version
              << ") stays; fix the errors above\n";
    return 2;
}

// vigil alerts VERB ID: one lifecycle step, taken by the running vigild.
int alert_step(const daemon::command_line& args, std::string_view status, const std::string& id) {
    std::string source;
    auto cfg = daemon::load_configuration(args, source);
    if (!cfg) {
        return 2;
    }
    const auto parsed = core::ulid::parse(id);
    if (!parsed) {
        std::cerr << "vigil alerts: '" << id << "' is not an alert id\n";
        return 2;
    }
    const char* user = std::getenv("USER");
    std::string body;
    core::json_writer w(body);
    w.begin_object()
        .field("status", status)
        .field("note", args.value("note").value_or(""))
        .field("actor", args.value("actor").value_or(user != nullptr ? user : "cli"))
        .end_object();
    auto answer = call_vigild(args, *cfg, "vigil alerts", "POST",
                              "/api/v1/alerts/" + parsed->to_string() + "/status", body, true,
                              std::chrono::seconds(30));
    if (!answer) {
        return answer.error();
    }
    if (answer->status != 200) {
        std::cerr << "vigil alerts: HTTP " << answer->status << ": " << answer->body;
        return 1;
    }
    auto part =
        alert::read_incident_part(answer->body.substr(0, answer->body.find_last_not_of('\n') + 1));
    if (!part || part->history.empty()) {
        std::cout << answer->body;
        return 0;
    }
    const auto& step = part->history.back();
    std::cout << parsed->to_string() << ": " << step.from << " -> " << step.to << " by "
              << step.actor << " at " << core::format_rfc3339(step.at_ns) << "; grade "
              << alert::to_string(part->grade) << ", notify " << alert::to_string(part->notify)
              << " (by " << core::format_rfc3339(part->notify_by_ns) << "), contain "
              << alert::to_string(part->contain) << " (by "
              << core::format_rfc3339(part->contain_by_ns) << ")\n";
    return 0;
}

int alerts(const daemon::command_line& args) {
    std::string source;
    auto cfg = daemon::load_configuration(args, source);
    if (!cfg) {
        return 2;
    }
    std::vector<std::pair<std::string, std::string>> parameters;
    for (auto name : alert::alert_query_parameters()) {
        if (auto value = args.value(std::string(name))) {
            parameters.emplace_back(name, *value);
        }
    }
    auto query = alert::read_alert_query(parameters, core::system_clock::instance().now_ms());
    if (!query) {
        std::cerr << "vigil alerts: --" << query.error() << "\n";
        return 2;
    }
    auto store = alert::alert_store::open(cfg->data_dir, alert::alert_store::mode::read_only);
    if (!store) {
        std::cerr << "vigil alerts: " << store.error() << "\n";
        return 1;
    }
    if (!args.positional().empty()) {
        // vigil alerts ID: that alert, with its evidence.
        const auto& id = args.positional().front();
        const auto parsed = core::ulid::parse(id);
        if (!parsed) {
            std::cerr << "vigil alerts: '" << id << "' is not an alert id\n";
            return 2;
        }
        auto found = (*store)->find(parsed->to_string());
        if (!found) {
            std::cerr << "vigil alerts: " << found.error() << "\n";
            return 1;
        }
        if (!*found) {
            std::cerr << "vigil alerts: no alert " << id << "\n";
            return 1;
        }
        std::cout << **found << "\n";
        return 0;
    }
    auto page = (*store)->list(*query);
    if (!page) {
        std::cerr << "vigil alerts: " << page.error() << "\n";
        return 1;
    }
    if (args.flag("json")) {
        for (const auto& json : page->alerts) {
            std::cout << json << "\n";
        }
    } else {
        daemon::print_alert_table(std::cout, page->alerts);
    }
    if (page->next_cursor) {
        // Scripts page with it: the same command with --cursor continues with older alerts.
        std::cerr << "next cursor: " << *page->next_cursor << "\n";
    }
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
        daemon::command_line args({"config", "schemas-dir", "url", "cacert"},
                                  {"require-fixtures", "all"});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil rules: " << *error << "\n";
            return 2;
        }
        const auto& pos = args.positional();
        std::string source;
        auto cfg = daemon::load_configuration(args, source);
        if (!cfg) {
            return 2;
        }
        if (pos.size() == 1 && pos[0] == "reload") {
            return rules_reload(args, *cfg);
        }
        if (!pos.empty() && pos[0] == "coverage" && pos.size() <= 2) {
            daemon::coverage_command_options options;
            // A rules directory named: read it; otherwise ask the running daemon.
            options.rules_dir = pos.size() == 2 ? std::filesystem::path(pos[1]) : cfg->rules_dir;
            options.schemas_dir = cfg->schemas_dir;
            options.all = args.flag("all");
            if (pos.size() == 1) {
                options.url = daemon_url(args, *cfg);
                options.call = api_options(args, *cfg, false, std::chrono::seconds(30));
            }
            return daemon::run_coverage_command(options);
        }
        if (pos.size() != 2 || (pos[0] != "check" && pos[0] != "test")) {
            std::cerr
                << "usage: vigil rules check DIR | vigil rules test DIR | vigil rules reload | "
                   "vigil rules coverage [DIR]\n";
            return 2;
        }
        return pos[0] == "check"
                   ? rules_check(pos[1], cfg->schemas_dir)
                   : rules_test(pos[1], cfg->schemas_dir, args.flag("require-fixtures"));
    }
    if (command == "parse") {
        daemon::command_line args(
            {"format", "mapping", "year", "timezone", "schemas-dir", "config", "rules"},
            {"explain"});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil parse: " << *error << "\n";
            return 2;
        }
        if (args.positional().size() > 1) {
            std::cerr << "usage: vigil parse [--format F] [--mapping NAME] [--explain] [FILE]\n";
            return 2;
        }
        std::string source;
        auto cfg = daemon::load_configuration(args, source);
        if (!cfg) {
            return 2;
        }
        daemon::parse_command_options options;
        options.format = args.value("format").value_or("auto");
        options.mapping = args.value("mapping").value_or("");
        options.timezone = args.value("timezone").value_or("");
        options.schemas_dir = cfg->schemas_dir;
        options.explain = args.flag("explain");
        options.rules_dir = args.value("rules").value_or(cfg->rules_dir.string());
        if (auto year = args.value("year")) {
            try {
                options.rfc3164_year = std::stoll(*year);
            } catch (const std::exception&) {
                std::cerr << "vigil parse: --year needs a number\n";
                return 2;
            }
        }
        if (!args.positional().empty()) {
            options.file = args.positional().front();
        }
        return daemon::run_parse_command(options);
    }
    if (command == "webhooks") {
        daemon::command_line args({"destination", "url", "cacert", "data-dir", "config"}, {});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil webhooks: " << *error << "\n";
            return 2;
        }
        const auto& pos = args.positional();
        if (pos.size() != 1 || (pos[0] != "dead" && pos[0] != "retry")) {
            std::cerr << "usage: vigil webhooks dead | vigil webhooks retry [--destination NAME]\n";
            return 2;
        }
        std::string source;
        auto cfg = daemon::load_configuration(args, source);
        if (!cfg) {
            return 2;
        }
        return pos[0] == "dead" ? webhooks_dead(*cfg) : webhooks_retry(args, *cfg);
    }
    if (command == "replay") {
        daemon::command_line args({"format", "rules", "schemas-dir", "config"}, {"json"});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil replay: " << *error << "\n";
            return 2;
        }
        if (args.positional().empty()) {
            std::cerr << "usage: vigil replay FILE... [--format F] [--rules DIR] [--json]\n";
            return 2;
        }
        std::string source;
        auto cfg = daemon::load_configuration(args, source);
        if (!cfg) {
            return 2;
        }
        daemon::replay_command_options options;
        for (const auto& file : args.positional()) {
            options.files.emplace_back(file);
        }
        options.format = args.value("format").value_or("auto");
        options.rules_dir = args.value("rules").value_or(cfg->rules_dir.string());
        options.schemas_dir = cfg->schemas_dir;
        options.json = args.flag("json");
        return daemon::run_replay_command(options, *cfg);
    }
    if (command == "report") {
        std::set<std::string> with_value = {"data-dir", "config"};
        for (auto name : report::report_parameters()) {
            with_value.emplace(name);
        }
        daemon::command_line args(with_value, {});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil report: " << *error << "\n";
            return 2;
        }
        if (!args.positional().empty()) {
            std::cerr << "vigil report: unexpected argument '" << args.positional()[0] << "'\n";
            return 2;
        }
        return daemon::run_report_command(args);
    }
    if (command == "alerts") {
        std::set<std::string> with_value = {"data-dir", "config"};
        for (auto name : alert::alert_query_parameters()) {
            with_value.emplace(name);
        }
        const auto step = argc > 2 ? incident::status_for_verb(argv[2]) : std::nullopt;
        if (step) {
            with_value = {"config", "note", "actor", "url", "cacert"};
        }
        daemon::command_line args(with_value, {"json"});
        if (auto error = args.parse(argc, argv, 2)) {
            std::cerr << "vigil alerts: " << *error << "\n";
            return 2;
        }
        if (step) {
            if (args.positional().size() != 2) {
                std::cerr << "usage: vigil alerts " << argv[2]
                          << " ID [--note TEXT] [--actor NAME]\n";
                return 2;
            }
            return alert_step(args, *step, args.positional()[1]);
        }
        if (args.positional().size() > 1) {
            std::cerr << "vigil alerts: unexpected argument '" << args.positional()[1] << "'\n";
            return 2;
        }
        return alerts(args);
    }
    std::cerr << "vigil: unknown command '" << command << "'\n" << usage;
    return 2;
}
