#include "coverage_command.hpp"

#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "pipeline/coverage_report.hpp"
#include "rules/rule_compiler.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <simdjson.h>
#include <vector>

namespace vigil::daemon {
namespace {

struct row {
    std::string name;
    std::string logsource;
    std::uint64_t rules = 0;
    std::optional<std::uint64_t> last_hour;
    std::optional<std::uint64_t> total;
};

std::string joined(simdjson::dom::element cls) {
    std::string out;
    for (const char* key : {"product", "category", "service"}) {
        simdjson::dom::array values;
        if (cls[key].get(values) != simdjson::SUCCESS || values.size() == 0) {
            continue;
        }
        std::string list;
        for (simdjson::dom::element v : values) {
            std::string_view s;
            if (v.get(s) == simdjson::SUCCESS) {
                list += (list.empty() ? "" : "|") + std::string(s);
            }
        }
        out += (out.empty() ? "" : " ") + std::string(key) + ":" + list;
    }
    return out;
}

struct report {
    std::vector<row> rows;
    std::uint64_t for_every_class = 0;
};

std::optional<report> read_report(const std::string& json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array classes;
    if (parser.parse(json).get(doc) != simdjson::SUCCESS ||
        doc["classes"].get(classes) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    report out;
    if (doc["rules_for_every_class"].get(out.for_every_class) != simdjson::SUCCESS) {
        out.for_every_class = 0;
    }
    std::vector<row>& rows = out.rows;
    for (simdjson::dom::element c : classes) {
        row r;
        std::string_view name;
        if (c["class"].get(name) != simdjson::SUCCESS) {
            continue;
        }
        r.name = name;
        r.logsource = joined(c);
        if (c["rules"].get(r.rules) != simdjson::SUCCESS) {
            r.rules = 0;
        }
        std::uint64_t n = 0;
        if (c["events_last_hour"].get(n) == simdjson::SUCCESS) {
            r.last_hour = n;
        }
        if (c["events_total"].get(n) == simdjson::SUCCESS) {
            r.total = n;
        }
        rows.push_back(std::move(r));
    }
    return out;
}

void print(report rep, bool all, bool with_traffic) {
    std::vector<row>& rows = rep.rows;
    // Sources with traffic first (busiest first), then by name.
    std::sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
        const std::uint64_t x = a.last_hour.value_or(0), y = b.last_hour.value_or(0);
        return x != y ? x > y : a.name < b.name;
    });
    std::printf("%-34s %-52s %6s %12s %12s\n", "CLASS", "LOG SOURCE", "RULES", "EVENTS/1H",
                "EVENTS");
    std::vector<std::string> unwatched;
    for (const auto& r : rows) {
        const bool busy = r.total.value_or(0) > 0;
        if (!all && r.rules == 0 && !busy) {
            continue;
        }
        auto count = [](const std::optional<std::uint64_t>& v) {
            return v ? std::to_string(*v) : std::string("-");
        };
        std::printf("%-34s %-52s %6llu %12s %12s%s\n", r.name.c_str(), r.logsource.c_str(),
                    static_cast<unsigned long long>(r.rules), count(r.last_hour).c_str(),
                    count(r.total).c_str(), busy && r.rules == 0 ? "  NO RULES" : "");
        if (busy && r.rules == 0) {
            unwatched.push_back(r.name);
        }
    }
    std::printf("\n%llu rule(s) name no log source and meet every class (vendor verdicts)\n",
                static_cast<unsigned long long>(rep.for_every_class));
    if (!with_traffic) {
        std::printf("(no running vigild: rule counts only; give --url or run vigild for events)\n");
    } else if (unwatched.empty()) {
        std::printf("every class that received events has rules\n");
    } else {
        std::printf("%zu class(es) received events that no rule can meet:", unwatched.size());
        for (const auto& n : unwatched) {
            std::printf(" %s", n.c_str());
        }
        std::printf("\n");
    }
}

} // namespace

int run_coverage_command(const coverage_command_options& options) {
    std::string json;
    bool with_traffic = false;
    if (options.url) {
        auto answer = net::http_call("GET", *options.url + "/api/v1/coverage", "", options.call);
        if (!answer || answer->status != 200) {
            std::cerr << "vigil rules coverage: "
                      << (answer ? "HTTP " + std::to_string(answer->status) : answer.error())
                      << "\n";
            return 1;
        }
        json = answer->body;
        with_traffic = true;
    } else {
        core::diagnostics diags;
        auto compiled =
            rules::rule_compiler::load_directory(options.rules_dir, options.schemas_dir, 1, diags);
        if (!compiled.rules) {
            std::cerr << "vigil rules coverage: the rules in " << options.rules_dir.string()
                      << " do not load:\n"
                      << diags.to_string();
            return 2;
        }
        json = pipeline::coverage_json(*compiled.rules, nullptr,
                                       core::system_clock::instance().now_ns());
    }
    auto rep = read_report(json);
    if (!rep) {
        std::cerr << "vigil rules coverage: unexpected answer\n";
        return 1;
    }
    print(std::move(*rep), options.all, with_traffic);
    return 0;
}

} // namespace vigil::daemon
