// Parser throughput on real third-party samples (../shared/data), replayed: events/s and MB/s per
// core for each format through the record parser (parser + vendor mapping), with every field
// and with the projection of a rule set, beside simdjson's own DOM parse of the same JSON bytes
// as the reference ceiling.
#include "core/arena.hpp"
#include "core/event.hpp"
#include "gen/syslog_generator.hpp"
#include "parse/record_parser.hpp"
#include "parse/syslog_parser.hpp"
#include "rules/rule_compiler.hpp"
#include "support/bench_options.hpp"
#include "support/bench_runner.hpp"
#include "support/text_file.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <simdjson.h>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

using namespace vigil;

namespace {

using vigil::bench::read_lines;

// `samples` repeated in order up to `count` records.
std::vector<std::string> replay(const std::vector<std::string>& samples, std::size_t count) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count && !samples.empty(); ++i) {
        out.push_back(samples[i % samples.size()]);
    }
    return out;
}

std::size_t total_bytes(const std::vector<std::string>& records) {
    std::size_t n = 0;
    for (const auto& r : records) {
        n += r.size();
    }
    return n;
}

// SigmaHQ's Windows regression events, one compact JSON document each.
std::vector<std::string> windows_events(const std::string& sigma_dir) {
    std::vector<std::string> docs;
    simdjson::dom::parser parser;
    std::error_code ec;
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(sigma_dir + "/regression_data", ec)) {
        if (e.path().extension() != ".json") {
            continue;
        }
        simdjson::dom::element doc;
        if (parser.load(e.path().string()).get(doc) == simdjson::SUCCESS) {
            docs.push_back(simdjson::minify(doc));
        }
    }
    return docs;
}

// The sample records of the log-source fixtures (tests/data/logsources): one per family shape.
std::vector<std::string> logsource_samples(const std::string& dir) {
    std::vector<std::string> out;
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.path().extension() == ".yaml") {
            files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        for (const auto& sample : YAML::LoadFile(file.string())["samples"]) {
            if (sample["line"]) {
                out.push_back(sample["line"].as<std::string>());
            }
        }
    }
    return out;
}

// What recognising the log source costs of a parse (issue: at most 10%), on the mixed sample
// records of every family: the record parser as workers run it (format, envelopes, mapping
// detection) plus classification, against the same records parsed with their mapping given
// (nothing to detect) and not classified. The difference per event is recognition.
void recognition_cases(bench::bench_runner& runner, const bench::bench_options& opt,
                       const rules::rule_set& rules, core::arena& scratch, core::event& event,
                       std::size_t& errors) {
    const auto samples =
        logsource_samples(std::string(VIGIL_SOURCE_DIR) + "/tests/data/logsources");
    if (samples.empty()) {
        runner.note("log-source samples: none found, recognition not measured.");
        return;
    }
    const auto records = replay(samples, opt.events);
    const parse::field_projection& projection = rules.projection();
    auto raw = [](const std::string& r) {
        return core::raw_record{r, core::source_kind::syslog_tcp, 1'795'000'000'000'000'000, {}};
    };
    // Each record's mapping, found once; a parser per mapping that is told it.
    parse::record_parser detecting{parse::record_parser_config{}};
    std::map<std::string, parse::record_parser> told;
    std::vector<parse::record_parser*> parser_of;
    for (const auto& r : records) {
        scratch.reset();
        (void)detecting.parse(raw(r), rules.mappings(), rules.catalog(), projection, event,
                              scratch);
        const std::string mapping(event.mapping);
        parse::record_parser_config config;
        config.mapping = mapping;
        parser_of.push_back(&told.try_emplace(mapping, config).first->second);
    }
    std::size_t classified = 0;
    // Passes over records [from, to): parsed with their mapping given, or recognised.
    auto pass_given = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            scratch.reset();
            errors += parser_of[i]->parse(raw(records[i]), rules.mappings(), rules.catalog(),
                                          projection, event, scratch) != parse::parse_error::none;
        }
    };
    auto pass_recognised = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            scratch.reset();
            errors += detecting.parse(raw(records[i]), rules.mappings(), rules.catalog(),
                                      projection, event, scratch) != parse::parse_error::none;
            classified += rules.logsources().classify(event).has_value();
        }
    };
    const std::string given = "log-source mix: mapping given, not classified";
    runner.measure(given, records.size(), [&] { pass_given(0, records.size()); });
    const std::string recognised = "log-source mix: envelopes, mapping detection, classification";
    runner.measure(
        recognised, records.size(), [&] { pass_recognised(0, records.size()); }, given);
    // The share, from the two passes interleaved in chunks of 256 records, in alternating order
    // (ABBA: neither pass always finds the records in cache), so that this VM's drifting speed
    // falls on both alike: per round, the difference of the CPU time summed over the chunks;
    // the median over rounds.
    auto cpu_ns = [] {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
    };
    constexpr std::size_t chunk = 256;
    std::vector<double> extra, whole;
    for (int round = 0; round < (opt.smoke ? 1 : 15); ++round) {
        double given_ns = 0;
        double recognised_ns = 0;
        for (std::size_t from = 0, n = 0; from < records.size(); from += chunk, ++n) {
            const std::size_t to = std::min(records.size(), from + chunk);
            for (int half = 0; half < 2; ++half) {
                const bool given_now = (half == 0) == (n % 2 == 0);
                const double t0 = cpu_ns();
                if (given_now) {
                    pass_given(from, to);
                    given_ns += cpu_ns() - t0;
                } else {
                    pass_recognised(from, to);
                    recognised_ns += cpu_ns() - t0;
                }
            }
        }
        const auto count = static_cast<double>(records.size());
        extra.push_back((recognised_ns - given_ns) / count);
        whole.push_back(recognised_ns / count);
    }
    std::sort(extra.begin(), extra.end());
    std::sort(whole.begin(), whole.end());
    const double extra_ns = extra[extra.size() / 2];
    const double whole_ns = whole[whole.size() / 2];
    runner.note(
        "Recognition (envelopes, mapping detection, classification) on " +
        std::to_string(samples.size()) + " log-source samples of " + std::to_string(told.size()) +
        " mappings, median of " + std::to_string(extra.size()) +
        " interleaved rounds: " + std::to_string(static_cast<long>(extra_ns)) + " ns of " +
        std::to_string(static_cast<long>(whole_ns)) + " ns per event, " +
        std::to_string(static_cast<int>(100.0 * extra_ns / whole_ns + 0.5)) + "% of the parse.");
    if (classified == 0) {
        runner.note("log-source mix: no record was classified (check the samples).");
    }
}

} // namespace

int main(int argc, char** argv) {
    bench::bench_options defaults;
    defaults.events = 200'000;
    defaults.json = "parse_bench.json";
    defaults.paths = {{"--data", VIGIL_SHARED_DIR "/data"},
                      {"--schemas", VIGIL_SOURCE_DIR "/schemas"},
                      {"--rules", VIGIL_SOURCE_DIR "/rules"}};
    const bench::bench_options opt = bench::parse_bench_options(argc, argv, defaults, 2000);
    const std::string data = opt.path("--data");

    core::diagnostics diags;
    auto shipped =
        rules::rule_compiler::load_directory(opt.path("--rules"), opt.path("--schemas"), 1, diags);
    std::shared_ptr<const rules::rule_set> sigmahq;
    if (!opt.smoke && std::filesystem::is_directory(data + "/sigmahq-sigma/rules")) {
        core::diagnostics sigma_diags;
        sigmahq = rules::rule_compiler::load_directory(data + "/sigmahq-sigma/rules",
                                                       opt.path("--schemas"), 2, sigma_diags)
                      .rules;
    }
    const rules::rule_set& rules = *shipped.rules;
    const parse::field_projection everything;

    bench::bench_runner runner("vigil parsers, one core", opt.command, opt.smoke);
    core::arena scratch;
    core::event event;
    parse::record_parser parser{parse::record_parser_config{}};
    std::size_t errors = 0;

    // Parses every record once with `set`'s schema and `projection`.
    auto parse_all = [&](const std::vector<std::string>& records, const rules::rule_set& set,
                         const parse::field_projection& projection) {
        return [&records, &set, &projection, &parser, &scratch, &event, &errors] {
            for (const auto& r : records) {
                const core::raw_record record{
                    r, core::source_kind::syslog_tcp, 1'795'000'000'000'000'000, {}};
                scratch.reset();
                errors += parser.parse(record, set.mappings(), set.catalog(), projection, event,
                                       scratch) != parse::parse_error::none
                              ? 1U
                              : 0U;
            }
        };
    };
    auto text_case = [&](const std::string& name, const std::vector<std::string>& samples) {
        if (samples.empty()) {
            runner.note(name + ": no samples found, skipped.");
            return;
        }
        const auto records = replay(samples, opt.events);
        const std::size_t bytes = total_bytes(records);
        runner.measure(name + ", all fields", records.size(), parse_all(records, rules, everything),
                       std::nullopt, bytes);
        runner.measure(name + ", projected", records.size(),
                       parse_all(records, rules, rules.projection()), name + ", all fields", bytes);
    };

    // Generated syslog: the record parser (payload detection, vendor mapping detection) beside
    // the bare syslog header parser, its floor.
    {
        bench::syslog_generator gen(42);
        std::vector<std::string> generated;
        for (std::size_t i = 0; i < opt.events; ++i) {
            generated.push_back(gen.next_rfc3164());
        }
        const std::size_t bytes = total_bytes(generated);
        parse::syslog_parser header_only{parse::rfc3164_config{}};
        const std::string floor = "reference: RFC 3164 header parser alone, generated lines";
        runner.measure(
            floor, generated.size(),
            [&] {
                for (const auto& r : generated) {
                    const core::raw_record record{
                        r, core::source_kind::syslog_tcp, 1'795'000'000'000'000'000, {}};
                    scratch.reset();
                    (void)header_only.parse(record, event, scratch);
                }
            },
            std::nullopt, bytes);
        runner.measure("syslog RFC 3164: generated lines, record parser, projected",
                       generated.size(), parse_all(generated, rules, rules.projection()), floor,
                       bytes);
    }
    text_case("syslog RFC 3164: OpenSSH (loghub), linux_auth mapping",
              read_lines(data + "/loghub/OpenSSH/OpenSSH_2k.log"));
    std::vector<std::string> cef;
    {
        simdjson::dom::parser p;
        for (const auto& line : read_lines(data + "/cef-parser-testcases/cases.jsonl")) {
            std::string_view input;
            if (p.parse(line)["input"].get(input) == simdjson::SUCCESS) {
                cef.emplace_back(input);
            }
        }
    }
    text_case("CEF: upstream test cases", cef);
    const auto fortigate =
        read_lines(std::string(VIGIL_SOURCE_DIR) + "/tests/data/parse/fortigate.log");
    text_case("kv: FortiGate (tests/data)", fortigate);

    // The parsers alone, into vendor fields (no detection, no mapping): what each format costs.
    parse::vendor_fields fields;
    auto parser_case = [&](const std::string& name, const std::vector<std::string>& bodies,
                           const std::function<void(std::string_view)>& parse_one) {
        if (bodies.empty()) {
            return;
        }
        const auto records = replay(bodies, opt.events);
        runner.measure(
            name, records.size(),
            [&] {
                for (const auto& r : records) {
                    fields.clear();
                    scratch.reset();
                    parse_one(r);
                }
            },
            std::nullopt, total_bytes(records));
    };
    std::vector<std::string> cef_bodies;
    for (const auto& c : cef) {
        cef_bodies.push_back(c.substr(c.find("CEF:")));
    }
    parse::cef_parser cef_only;
    parser_case("parser alone: CEF body, upstream test cases", cef_bodies,
                [&](std::string_view t) { (void)cef_only.parse(t, fields, scratch); });
    std::vector<std::string> kv_bodies;
    for (const auto& line : fortigate) {
        kv_bodies.push_back(line.substr(std::min(line.find('>') + 1, line.size())));
    }
    parse::kv_parser kv_only;
    parser_case("parser alone: key=value, FortiGate messages", kv_bodies,
                [&](std::string_view t) { (void)kv_only.parse(t, fields, scratch); });
    text_case("syslog + dissect: Cisco ASA (Elastic samples)",
              read_lines(data + "/elastic-integrations-samples/cisco_asa/test-sample.log"));

    // JSON: simdjson's DOM parse of the same bytes is the ceiling.
    auto json_case = [&](const std::string& name, const std::vector<std::string>& samples,
                         const rules::rule_set& set, const std::string& projection_name) {
        if (samples.empty()) {
            runner.note(name + ": no samples found, skipped.");
            return;
        }
        const auto records = replay(samples, opt.events);
        const std::size_t bytes = total_bytes(records);
        std::vector<simdjson::padded_string> padded;
        for (const auto& r : records) {
            padded.emplace_back(r);
        }
        simdjson::dom::parser dom;
        const std::string reference = "reference: simdjson DOM parse, " + name;
        std::size_t dom_errors = 0;
        runner.measure(
            reference, records.size(),
            [&] {
                for (const auto& p : padded) {
                    dom_errors += dom.parse(p).error() != simdjson::SUCCESS ? 1U : 0U;
                }
            },
            std::nullopt, bytes);
        parse::json_parser flatten_only;
        runner.measure(
            "parser alone: JSON flatten, " + name, records.size(),
            [&] {
                for (const auto& r : records) {
                    scratch.reset();
                    (void)flatten_only.flatten(r, fields, scratch);
                }
            },
            reference, bytes);
        runner.measure("JSON " + name + ", all fields", records.size(),
                       parse_all(records, set, everything), reference, bytes);
        runner.measure("JSON " + name + ", projected (" + projection_name + ")", records.size(),
                       parse_all(records, set, set.projection()), reference, bytes);
        if (dom_errors > 0) {
            runner.note(name + ": simdjson rejected " + std::to_string(dom_errors) + " records.");
        }
    };
    std::vector<std::string> suricata =
        read_lines(data + "/suricata-sample-data/first-org-conf-2015/alerts-only.eve.jsonl");
    for (const auto& l :
         read_lines(data + "/suricata-sample-data/wrccdc-2018/alerts-only.eve.jsonl")) {
        suricata.push_back(l);
    }
    json_case("Suricata EVE", suricata, rules, "shipped rules");
    json_case("Zeek RDP", read_lines(data + "/zeek-sample-data/zeek-json/rdp.json"), rules,
              "shipped rules");
    const auto windows = windows_events(data + "/sigmahq-sigma");
    json_case("Windows/Sysmon (SigmaHQ regression)", windows, sigmahq ? *sigmahq : rules,
              sigmahq ? "SigmaHQ rules" : "shipped rules");

    recognition_cases(runner, opt, rules, scratch, event, errors);

    runner.note("Records are replayed from the samples up to " + std::to_string(opt.events) +
                " per case; " + std::to_string(errors) + " parse errors over all passes.");
    runner.print_markdown(std::cout);
    runner.write_json(opt.json);
    std::cerr << "results written to " << opt.json << "\n";
    return 0;
}
