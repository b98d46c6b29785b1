// Reports: how long a monthly report of a busy tenant takes, and what walking the report facts of
// the tenant index saves against the obvious way. A store is filled with a month of one tenant's
// alerts (about 1 KB each: several rules, 300 hosts, 2,000 source addresses, a malware name on
// one in four, a tenth of them acknowledged and closed) plus a second tenant's; the case builds
// the monthly report (`report::build_report`, its period and the one before). The reference,
// measured in the same run on the same store: reading every alert document of the month and
// taking the same facts from it (`alert::read_alert_facts`), without even counting them.
#include "alert/alert_facts.hpp"
#include "alert/alert_store.hpp"
#include "alert/incident_part.hpp"
#include "core/civil_time.hpp"
#include "core/ulid.hpp"
#include "report/report.hpp"
#include "support/bench_options.hpp"
#include "support/bench_runner.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <unistd.h>

using namespace vigil;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t day_ms = report::report_period::day_ms;
constexpr std::size_t group = 2048; // alerts per write, as the alert stage groups them

struct temp_dir {
    fs::path path =
        fs::temp_directory_path() / ("vigil-report-bench-" + std::to_string(::getpid()));
    temp_dir() {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
};

// Alert n of `count`, spread evenly over [since_ms, since_ms + span_ms).
alert::alert bench_alert(std::size_t n, std::size_t count, std::int64_t since_ms,
                         std::int64_t span_ms, const std::string& tenant) {
    const std::int64_t at_ms =
        since_ms + static_cast<std::int64_t>(static_cast<double>(span_ms) * static_cast<double>(n) /
                                             static_cast<double>(count));
    alert::alert a;
    a.id = core::ulid::derived(at_ms, n, n * 0x9e3779b97f4a7c15ULL);
    a.created_ns = at_ms * 1'000'000;
    const auto g = static_cast<std::uint8_t>(1 + n % 7 % 4);
    a.grade = static_cast<alert::grade>(g);
    a.notify_by_ns = a.created_ns + 1'800'000'000'000;
    a.contain_by_ns = a.created_ns + 3'600'000'000'000;
    const std::string host = "pc-" + std::to_string(n % 300);
    const std::string source = "10." + std::to_string(n % 8) + "." + std::to_string(n % 250) + "." +
                               std::to_string(n % 2000 % 200);
    std::string fields = R"("host.name":")" + host + R"(","source.ip":")" + source + "\"";
    if (n % 4 == 0) {
        fields += R"(,"malware.name":"Trojan.Win32.Family)" + std::to_string(n % 37) + "\"";
    }
    fields += R"(,"message":")" + std::string(600, 'x') + "\"";
    a.json = R"({"id":")" + a.id.to_string() + R"(","tenant":")" + tenant +
             R"(","rule":{"id":"rule-)" + std::to_string(n % 40) +
             R"(","title":"Bench rule","level":"high","tags":[)" +
             (n % 50 == 0 ? R"("report.outbreak")" : "") + R"(]},"created_at":")" +
             core::format_rfc3339(a.created_ns) + R"(","host":")" + host +
             R"(","evidence":[{"log.source.address":"192.0.2.7:514","fields":{)" + fields + "}}]}";
    alert::incident_part part;
    part.grade = a.grade;
    part.notify_by_ns = a.notify_by_ns;
    part.contain_by_ns = a.contain_by_ns;
    alert::append_incident_part(a.json, part);
    alert::index_alert(a);
    a.grade = part.grade;
    return a;
}

// Writes `count` alerts of `tenant` over the span, a group at a time.
void fill(alert::alert_store& store, std::size_t count, std::int64_t since_ms, std::int64_t span_ms,
          const std::string& tenant, std::size_t serial_base) {
    std::vector<alert::alert> batch;
    for (std::size_t n = 0; n < count; ++n) {
        batch.push_back(
            bench_alert(serial_base + n, serial_base + count, since_ms, span_ms, tenant));
        if (batch.size() == group || n + 1 == count) {
            if (!store.write(batch)) {
                std::abort();
            }
            batch.clear();
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    bench::bench_options defaults;
    defaults.events = 200'000;
    defaults.json = "report_bench.json";
    const bench::bench_options opt = bench::parse_bench_options(argc, argv, defaults, 4096);
    temp_dir dir;
    bench::bench_runner runner("vigil monthly report, one core", opt.command, opt.smoke);

    auto opened = alert::alert_store::open(dir.path, alert::alert_store::mode::read_write);
    if (!opened) {
        std::cerr << opened.error() << "\n";
        return 1;
    }
    alert::alert_store& store = **opened;
    auto period = report::make_period(report::report_period::kind::month, "2026-11-30", 0);
    const std::int64_t span = period->until_ms - period->since_ms;
    const auto fill_started = std::chrono::steady_clock::now();
    // The busy tenant's month, the month before (half as busy), another tenant's month.
    fill(store, opt.events, period->since_ms, span, "busy", 0);
    fill(store, opt.events / 2, period->previous().since_ms, span, "busy", opt.events);
    fill(store, opt.events / 4, period->since_ms, span, "other", 2 * opt.events);
    // A tenth acknowledged and closed, as analysts would have.
    std::size_t stepped = 0;
    const auto step = [&](alert::incident_part& p) -> std::expected<void, std::string> {
        p.notify = alert::sla_outcome::met;
        p.notified_ns = p.notify_by_ns - 600'000'000'000;
        p.contain = alert::sla_outcome::met;
        p.contained_ns = p.contain_by_ns - 600'000'000'000;
        p.history.push_back({p.status, "closed", p.contained_ns, "bench", ""});
        p.status = "closed";
        return {};
    };
    for (std::size_t n = 0; n < opt.events; n += 10) {
        const alert::alert a = bench_alert(n, opt.events, period->since_ms, span, "busy");
        if (auto changed = store.change_incident(a.id.to_string(), step); changed && *changed) {
            ++stepped;
        }
    }
    if (!store.flush()) {
        return 1;
    }
    const double fill_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_started).count();

    const std::int64_t now_ms = period->until_ms + day_ms;
    std::uint64_t incidents = 0;
    runner.measure("walking every alert document of the month (read_alert_facts)", opt.events, [&] {
        incidents = 0;
        alert::alert_query month;
        month.since_ms = period->since_ms;
        month.until_ms = period->until_ms;
        month.tenant = "busy";
        month.limit = 10'000;
        for (;;) {
            auto page = store.list(month);
            if (!page) {
                std::abort();
            }
            for (const auto& document : page->alerts) {
                incidents += alert::read_alert_facts(document).has_value() ? 1U : 0U;
            }
            if (!page->next_cursor) {
                break;
            }
            month.cursor = page->next_cursor;
        }
    });
    report::report built;
    runner.measure(
        "vigil report --period month (tenant index facts, this month and the one before)",
        opt.events,
        [&] {
            auto r = report::build_report(store, std::string("busy"), *period, now_ms);
            if (!r) {
                std::abort();
            }
            built = std::move(*r);
        },
        "walking every alert document of the month (read_alert_facts)");
    runner.note(std::to_string(opt.events) + " alerts of the busy tenant in " + period->label() +
                ", " + std::to_string(opt.events / 2) + " the month before, " +
                std::to_string(opt.events / 4) + " of another tenant; " + std::to_string(stepped) +
                " closed; store filled in " + std::to_string(fill_seconds).substr(0, 5) + " s");
    runner.note("the report counted " + std::to_string(built.totals.incidents) +
                " incidents (previous month " + std::to_string(built.previous.incidents) +
                ", closed " + std::to_string(built.totals.closed) + "); the reference read " +
                std::to_string(incidents) + " documents");
    runner.print_markdown(std::cout);
    runner.write_json(opt.json);
    return built.totals.incidents == opt.events ? 0 : 1;
}
