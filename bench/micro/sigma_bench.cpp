// How many events per second does one core match against the public SigmaHQ rules, and what do
// those rule sets cost to compile and to hold?
//
// Workload: 100,000 Sysmon process creation events (seed 7; about 430 bytes of field values
// each): benign activity of a Windows fleet plus 2% replays of the real attack events in
// SigmaHQ's regression data (../shared/data), host, user and ids varied; and 200,000 syslog
// lines (seed 42, bench/gen). Rule sets: 10, 100 and 1,000 Windows process_creation rules of
// SigmaHQ (a seeded sample of the loadable ones: every one applies to every event), 1,000 rules
// of any log source, and every loadable rule of the SigmaHQ tree. The reference, measured in
// the same run on the same events, rule sets, parser and log source classes, is naive_sigma:
// each applicable rule evaluated one value at a time, as Sigma engines without an index do.
// Both must fire the same number of rules on every event they both see; the benchmark exits
// non-zero if not (with --smoke, as a ctest, on 1,000 events).
//
//   vigil_sigma_bench [--smoke] [--events N] [--sigma DIR] [--json FILE]

#include "core/arena.hpp"
#include "core/event.hpp"
#include "gen/syslog_generator.hpp"
#include "gen/windows_generator.hpp"
#include "match/matcher.hpp"
#include "parse/record_parser.hpp"
#include "parse/syslog_parser.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/sigma_loader.hpp"
#include "support/bench_options.hpp"
#include "support/bench_runner.hpp"
#include "support/naive_sigma.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

using namespace vigil;

long peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// Events with their fields resolved against one rule set's catalog, so that a pass only fills
// events (as a parser would) and matches.
struct resolved_events {
    std::vector<std::vector<std::pair<core::field_id, std::string_view>>> events;
};

resolved_events resolve(const std::vector<bench::windows_event>& events,
                        const core::field_catalog& catalog) {
    resolved_events out;
    for (const auto& e : events) {
        auto& fields = out.events.emplace_back();
        for (const auto& [name, value] : e.fields) {
            if (auto id = catalog.find(name)) {
                fields.emplace_back(*id, value);
            }
        }
    }
    return out;
}

struct compiled_set {
    std::shared_ptr<const rules::rule_set> rules;
    double compile_ms = 0;
};

compiled_set compile(const std::vector<rules::sigma_rule>& rules,
                     const rules::rule_schema& schema) {
    core::diagnostics diags;
    const auto started = std::chrono::steady_clock::now();
    auto result = rules::rule_compiler::compile(rules, schema, {}, 1, diags);
    compiled_set out;
    out.compile_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    out.rules = result.rules;
    return out;
}

} // namespace

int main(int argc, char** argv) {
    bench::bench_options defaults;
    defaults.events = 100'000;
    defaults.json = "sigma_bench.json";
    defaults.paths = {{"--sigma", VIGIL_SHARED_DIR "/data/sigmahq-sigma"}};
    const bench::bench_options opt = bench::parse_bench_options(argc, argv, defaults, 1000);
    const std::string& sigma = opt.path("--sigma");
    bench::bench_runner runner("Sigma matching, one core", opt.command, opt.smoke);

    // Every loadable rule of the tree, loaded once against one catalog.
    core::diagnostics diags;
    rules::rule_schema schema = rules::load_rule_schema(VIGIL_SOURCE_DIR "/schemas", diags);
    std::vector<std::filesystem::path> roots;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(sigma, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.is_directory() && (name == "rules" || name.starts_with("rules-"))) {
            roots.push_back(entry.path());
        }
    }
    std::sort(roots.begin(), roots.end());
    if (roots.empty()) {
        runner.note("SigmaHQ rules not found under " + sigma + ": nothing to measure.");
        runner.print_markdown(std::cout);
        runner.write_json(opt.json);
        return 0;
    }
    rules::sigma_loader loader(schema.catalog, &schema.logsources);
    auto loaded = loader.load_directories(roots, diags);
    std::vector<rules::sigma_rule> process_creation;
    for (const auto& r : loaded.rules) {
        if (r.source.product == "windows" && r.source.category == "process_creation") {
            process_creation.push_back(r);
        }
    }
    std::shuffle(process_creation.begin(), process_creation.end(), std::mt19937_64(11));

    // Workloads.
    bench::windows_generator windows(
        7, bench::windows_generator::load_attacks(sigma + "/regression_data"));
    std::vector<bench::windows_event> win_events;
    std::vector<std::string> win_json;
    std::size_t win_bytes = 0;
    for (std::size_t i = 0; i < opt.events; ++i) {
        win_events.push_back(windows.next());
        win_json.push_back(win_events.back().to_json());
        win_bytes += win_events.back().value_bytes();
    }
    bench::syslog_generator syslog(42);
    std::vector<std::string> syslog_lines;
    for (std::size_t i = 0; i < 2 * opt.events; ++i) {
        syslog_lines.push_back(syslog.next_rfc3164());
    }
    runner.note("Workload: " + std::to_string(opt.events) + " Sysmon process creation events, " +
                std::to_string(win_bytes / std::max<std::size_t>(1, opt.events)) +
                " bytes of field values on average; " + std::to_string(syslog_lines.size()) +
                " syslog lines. SigmaHQ: " + std::to_string(loaded.rules.size()) +
                " loadable rules (" + std::to_string(process_creation.size()) +
                " Windows process_creation).");

    core::event event;
    auto fill = [&](const std::vector<std::pair<core::field_id, std::string_view>>& fields) {
        event.clear();
        event.parser = "json";
        event.mapping = "windows";
        for (const auto& [id, value] : fields) {
            event.add(id, value);
        }
    };

    // Measures vigil and the reference on one rule set, and checks that both fire the same
    // number of rules on each event they both saw.
    std::vector<std::string> compile_notes;
    std::size_t disagreements = 0;
    auto measure_set = [&](const std::string& label, const std::vector<rules::sigma_rule>& subset,
                           std::size_t naive_limit) {
        const auto set = compile(subset, schema);
        compile_notes.push_back(label + ": " + std::to_string(static_cast<long>(set.compile_ms)) +
                                " ms, " + std::to_string(set.rules->stats().database_bytes / 1024) +
                                " KiB of Hyperscan databases");
        const auto resolved = resolve(win_events, set.rules->catalog());
        match::matcher m(set.rules);
        bench::naive_sigma naive(subset, set.rules);
        const std::string reference = "reference: naive evaluation, " + label;
        const std::size_t naive_events = std::min(resolved.events.size(), naive_limit);
        runner.measure(reference, naive_events, [&] {
            for (std::size_t i = 0; i < naive_events; ++i) {
                fill(resolved.events[i]);
                (void)naive.match(event);
            }
        });
        runner.measure(
            "match: " + label + " (vigil)", resolved.events.size(),
            [&] {
                for (const auto& fields : resolved.events) {
                    fill(fields);
                    (void)m.match(event);
                }
            },
            reference);
        std::size_t hits = 0;
        std::size_t differing = 0;
        for (std::size_t i = 0; i < naive_events; ++i) {
            fill(resolved.events[i]);
            const std::size_t ours = m.match(event).size();
            hits += ours;
            differing += ours != naive.match(event) ? 1U : 0U;
        }
        disagreements += differing;
        runner.note(label + ": " + std::to_string(hits) + " rule hits on the first " +
                    std::to_string(naive_events) +
                    " events; the reference fires a different number of rules on " +
                    std::to_string(differing) + " of them.");
    };

    std::vector<std::size_t> sizes =
        opt.smoke ? std::vector<std::size_t>{10, 100} : std::vector<std::size_t>{10, 100, 1000};
    for (std::size_t n : sizes) {
        n = std::min(n, process_creation.size());
        measure_set(std::to_string(n) + " process_creation rules",
                    {process_creation.begin(), process_creation.begin() + static_cast<long>(n)},
                    n >= 1000 ? 5000 : 20000);
    }
    {
        // A sample of the whole tree: most of its rules are for other log sources, which the
        // class index spares these events.
        std::vector<rules::sigma_rule> any = loaded.rules;
        std::shuffle(any.begin(), any.end(), std::mt19937_64(13));
        any.resize(std::min<std::size_t>(any.size(), opt.smoke ? 100 : 1000));
        measure_set(std::to_string(any.size()) + " rules of any log source", any, 5000);
    }

    {
        const long rss_before = peak_rss_mib();
        const auto all = compile(loaded.rules, schema);
        compile_notes.push_back(
            "all " + std::to_string(loaded.rules.size()) +
            " rules: " + std::to_string(static_cast<long>(all.compile_ms)) + " ms, " +
            std::to_string(all.rules->stats().database_bytes / (1024 * 1024)) +
            " MiB of Hyperscan databases in " + std::to_string(all.rules->stats().databases) +
            " databases; peak RSS " + std::to_string(rss_before) + " -> " +
            std::to_string(peak_rss_mib()) + " MiB");
        const auto resolved = resolve(win_events, all.rules->catalog());
        match::matcher m(all.rules);
        bench::naive_sigma naive(loaded.rules, all.rules);
        const std::string reference = "reference: naive evaluation, all SigmaHQ rules";
        const std::size_t naive_events = std::min<std::size_t>(resolved.events.size(), 3000);
        runner.measure(reference, naive_events, [&] {
            for (std::size_t i = 0; i < naive_events; ++i) {
                fill(resolved.events[i]);
                (void)naive.match(event);
            }
        });
        std::size_t differing = 0;
        for (std::size_t i = 0; i < naive_events; ++i) {
            fill(resolved.events[i]);
            differing += m.match(event).size() != naive.match(event) ? 1U : 0U;
        }
        disagreements += differing;
        runner.note("All rules: the reference fires a different number of rules on " +
                    std::to_string(differing) + " of the first " + std::to_string(naive_events) +
                    " events.");
        std::size_t hits = 0;
        runner.measure(
            "match: all " + std::to_string(loaded.rules.size()) + " SigmaHQ rules (vigil)",
            resolved.events.size(),
            [&] {
                hits = 0;
                for (const auto& fields : resolved.events) {
                    fill(fields);
                    hits += m.match(event).size();
                }
            },
            reference);
        parse::record_parser_config json_records;
        json_records.format = parse::record_format::json;
        parse::record_parser json(json_records);
        const parse::field_projection everything;
        core::arena scratch;
        runner.measure(
            "JSON parse + match: all SigmaHQ rules (vigil)", win_json.size(),
            [&] {
                for (const auto& text : win_json) {
                    core::raw_record record{text, core::source_kind::file, 0, {}};
                    scratch.reset();
                    (void)json.parse(record, all.rules->mappings(), all.rules->catalog(),
                                     everything, event, scratch);
                    hits += m.match(event).size();
                }
            },
            reference);
        parse::syslog_parser syslog_parser{parse::rfc3164_config{}};
        std::size_t syslog_hits = 0;
        runner.measure("syslog parse + match: all SigmaHQ rules (vigil)", syslog_lines.size(), [&] {
            syslog_hits = 0;
            for (const auto& line : syslog_lines) {
                core::raw_record record{
                    line, core::source_kind::syslog_tcp, 1'795'250'000'000'000'000, {}};
                scratch.reset();
                (void)syslog_parser.parse(record, event, scratch);
                syslog_hits += m.match(event).size();
            }
        });
        runner.note("All rules on the Windows events: " + std::to_string(hits) +
                    " rule hits in the last pass; on syslog: " + std::to_string(syslog_hits) + ".");
    }
    std::string compile_text = "Compile (wall clock):";
    for (const auto& n : compile_notes) {
        compile_text += " " + n + ";";
    }
    runner.note(compile_text);
    runner.print_markdown(std::cout);
    runner.write_json(opt.json);
    std::cerr << "results written to " << opt.json << "\n";
    if (disagreements != 0) {
        std::cerr << "vigil and the reference disagree on " << disagreements << " events\n";
        return 1;
    }
    return 0;
}
