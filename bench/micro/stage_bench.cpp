// What does one core of vigil's data path cost per event, stage by stage, and how does
// Hyperscan matching compare with evaluating the same rules one regex at a time (what rsyslog
// does with re_match)?
//
// Workload: 200,000 generated syslog lines (seed 42, ~250 bytes, 5% attack traffic; see
// bench/gen), RFC 3164 and RFC 5424. Rules: the 100 regex rules of the peer benchmark in
// ../shared/peers/patterns-100.txt as Sigma `message|re` rules, the same rules in POSIX ERE
// form as rsyslog runs them (../shared/peers/rsyslog-regex100.conf) as the reference, the
// shipped rule pack, and the 1,000-rule set. All on one thread, timed on its CPU clock.
//
//   vigil_stage_bench [--smoke] [--events N] [--peers DIR] [--rules DIR] [--json FILE]

#include "core/arena.hpp"
#include "core/event.hpp"
#include "gen/syslog_generator.hpp"
#include "ingest/syslog_framer.hpp"
#include "match/matcher.hpp"
#include "parse/syslog_parser.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/sigma_loader.hpp"
#include "support/bench_options.hpp"
#include "support/bench_runner.hpp"
#include "support/text_file.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex.h>
#include <string>
#include <vector>

namespace {

using vigil::bench::read_lines;

using namespace vigil;

// The regex lines of a peer pattern file as Sigma rules on the message.
std::shared_ptr<const rules::rule_set> regex_rules(const std::vector<std::string>& patterns) {
    std::string yaml;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        std::string quoted;
        for (char c : patterns[i]) {
            quoted += c == '\'' ? std::string("''") : std::string(1, c);
        }
        yaml +=
            "title: peer pattern " + std::to_string(i) + "\nid: peer-" + std::to_string(i) +
            "\nlevel: medium\nlogsource: {product: linux}\ndetection:\n  sel:\n    message|re: '" +
            quoted + "'\n  condition: sel\n---\n";
    }
    core::diagnostics diags;
    rules::rule_schema schema = rules::load_rule_schema(VIGIL_SOURCE_DIR "/schemas", diags);
    rules::sigma_loader loader(schema.catalog);
    auto loaded = loader.load_text(yaml, "patterns", diags);
    auto compiled =
        rules::rule_compiler::compile(std::move(loaded.rules), std::move(schema), {}, 1, diags);
    if (diags.has_errors()) {
        std::cerr << diags.to_string();
    }
    return compiled.rules;
}

// The POSIX ERE patterns of rsyslog-regex100.conf (re_match($msg, '...')), unescaped.
std::vector<std::string> rsyslog_patterns(const std::string& conf) {
    std::vector<std::string> out;
    for (const auto& line : read_lines(conf)) {
        const auto start = line.find("re_match($msg, '");
        if (start == std::string::npos) {
            continue;
        }
        const auto end = line.rfind("')");
        std::string raw = line.substr(start + 16, end - start - 16);
        std::string pattern;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '\\' && i + 1 < raw.size()) {
                ++i; // rsyslog string escape
            }
            pattern += raw[i];
        }
        out.push_back(pattern);
    }
    return out;
}

struct collect_frames final : ingest::frame_sink {
    std::size_t frames = 0;
    void on_frame(std::string_view) override { ++frames; }
};

} // namespace

int main(int argc, char** argv) {
    bench::bench_options defaults;
    defaults.events = 200'000;
    defaults.json = "stage_bench.json";
    defaults.paths = {{"--peers", VIGIL_SHARED_DIR "/peers"},
                      {"--rules", VIGIL_SOURCE_DIR "/rules"}};
    const bench::bench_options opt = bench::parse_bench_options(argc, argv, defaults, 2000);

    bench::syslog_generator gen(42);
    std::vector<std::string> rfc3164;
    std::vector<std::string> rfc5424;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < opt.events; ++i) {
        rfc3164.push_back(gen.next_rfc3164());
        rfc5424.push_back(gen.next_rfc5424());
        bytes += rfc3164.back().size();
    }
    std::string newline_stream;
    std::string octet_stream;
    for (const auto& line : rfc3164) {
        newline_stream += line + "\n";
        octet_stream += std::to_string(line.size()) + " " + line;
    }

    bench::bench_runner runner("vigil data path, one core", opt.command, opt.smoke);
    runner.note("Workload: " + std::to_string(opt.events) + " generated lines, " +
                std::to_string(bytes / opt.events) + " bytes on average (seed 42).");

    auto frame = [&](const std::string& stream) {
        ingest::syslog_framer framer(64 * 1024);
        collect_frames sink;
        for (std::size_t at = 0; at < stream.size(); at += 64 * 1024) {
            framer.feed(std::string_view(stream).substr(at, 64 * 1024), sink);
        }
        framer.finish(sink);
        if (sink.frames != opt.events) {
            std::cerr << "framing lost records\n";
            std::exit(1);
        }
    };
    runner.measure("frame: newline-terminated, 64 KiB reads", opt.events,
                   [&] { frame(newline_stream); });
    runner.measure("frame: octet counting, 64 KiB reads", opt.events, [&] { frame(octet_stream); });

    parse::syslog_parser parser{parse::rfc3164_config{}};
    core::arena scratch;
    core::event e;
    auto parse_all = [&](const std::vector<std::string>& lines, auto&& then) {
        for (const auto& line : lines) {
            core::raw_record record{
                line, core::source_kind::syslog_tcp, 1'795'250'000'000'000'000, {}};
            scratch.reset();
            (void)parser.parse(record, e, scratch);
            then();
        }
    };
    runner.measure("parse: RFC 3164", opt.events, [&] { parse_all(rfc3164, [] {}); });
    runner.measure("parse: RFC 5424", opt.events, [&] { parse_all(rfc5424, [] {}); });

    // A pass that parses and matches every line; `hits` counts rule hits of the last pass.
    auto match_with = [&](const std::shared_ptr<const rules::rule_set>& set, std::size_t& hits) {
        return [&, m = std::make_shared<match::matcher>(set)] {
            hits = 0;
            parse_all(rfc3164, [&] { hits += m->match(e).size(); });
        };
    };

    core::diagnostics diags;
    auto shipped = rules::rule_compiler::load_directory(opt.path("--rules"),
                                                        VIGIL_SOURCE_DIR "/schemas", 1, diags);
    std::size_t shipped_hits = 0;
    runner.measure("parse + match: shipped rule pack (" + std::to_string(shipped.loaded) +
                       " rules)",
                   opt.events, match_with(shipped.rules, shipped_hits));
    runner.note("Shipped rule pack hits over the workload: " + std::to_string(shipped_hits) + ".");

    const auto patterns100 = read_lines(opt.path("--peers") + "/patterns-100.txt");
    const auto ere100 = rsyslog_patterns(opt.path("--peers") + "/rsyslog-regex100.conf");
    if (patterns100.empty() || ere100.empty()) {
        runner.note("Peer rule files not found under " + opt.path("--peers") +
                    ": rule-set cases skipped.");
    } else {
        // The reference: every rule's regex evaluated in turn, as rsyslog's re_match does.
        std::vector<regex_t> compiled(ere100.size());
        for (std::size_t i = 0; i < ere100.size(); ++i) {
            if (regcomp(&compiled[i], ere100[i].c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
                std::cerr << "regcomp failed: " << ere100[i] << "\n";
                return 1;
            }
        }
        std::size_t ere_hits = 0;
        std::string message;
        const std::string reference =
            "reference: parse + 100 POSIX ERE rules (regexec, like rsyslog)";
        runner.measure(reference, opt.events, [&] {
            ere_hits = 0;
            parse_all(rfc3164, [&] {
                message.assign(e.get(core::fields::message).value_or(""));
                for (auto& re : compiled) {
                    if (regexec(&re, message.c_str(), 0, nullptr, 0) == 0) {
                        ++ere_hits;
                    }
                }
            });
        });
        for (auto& re : compiled) {
            regfree(&re);
        }
        std::size_t hs_hits = 0;
        runner.measure("parse + match: 100 regex rules (Hyperscan)", opt.events,
                       match_with(regex_rules(patterns100), hs_hits), reference);
        if (!opt.smoke) {
            const auto patterns1000 = read_lines(opt.path("--peers") + "/patterns-1000.txt");
            std::size_t hits1000 = 0;
            runner.measure("parse + match: 1,000 regex rules (Hyperscan)", opt.events,
                           match_with(regex_rules(patterns1000), hits1000), reference);
        }
        runner.note("Rule hits over the workload (both rule sets should find about the same): "
                    "100 rules on Hyperscan " +
                    std::to_string(hs_hits) +
                    ", the same rules as "
                    "POSIX ERE " +
                    std::to_string(ere_hits) + ".");
    }

    runner.print_markdown(std::cout);
    runner.write_json(opt.json);
    std::cerr << "results written to " << opt.json << "\n";
    return 0;
}
