// The alert stage: alerts/s per core of what the pipeline's alert stage thread does with the
// alerts workers and shards hand it — the rate guard, then one RocksDB WriteBatch per group of
// alerts (group commit) holding each alert, its five index entries and an outbox entry for one
// webhook destination, WAL on. The reference, measured in the same run on the same documents, is
// the floor under any alert store: the same documents written as plain key/value pairs in id
// order, one WriteBatch per group, into a bare RocksDB. A note gives the wall-clock rate (RocksDB's
// background threads included) and the cost of building the alerts on the workers.
#include "alert/alert.hpp"
#include "alert/alert_store.hpp"
#include "alert/rate_guard.hpp"
#include "core/arena.hpp"
#include "core/raw_record.hpp"
#include "incident/grader.hpp"
#include "parse/syslog_parser.hpp"
#include "support/bench_options.hpp"
#include "support/bench_runner.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

using namespace vigil;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t group = 2048; // alerts per WriteBatch

rules::rule_info bench_rule(int n) {
    rules::rule_info rule;
    rule.id = "6c1f0a2b-0000-4000-8000-00000000000" + std::to_string(n % 10);
    rule.title = "SSH login attempt for a user that does not exist";
    rule.level = n % 3 == 0 ? "critical" : "high";
    rule.author = "vigil bench";
    rule.tags = {"attack.credential-access", "attack.t1110"};
    return rule;
}

// `count` alerts as workers make them, from sshd lines of 200 hosts and 5,000 source addresses.
std::vector<alert::alert> make_alerts(std::size_t count) {
    std::vector<alert::alert> out;
    out.reserve(count);
    parse::syslog_parser parser{parse::rfc3164_config{}};
    core::arena scratch;
    core::event e;
    core::raw_record record;
    record.source = core::source_kind::syslog_tcp;
    record.peer.known = true;
    record.peer.bytes[0] = 10;
    record.peer.port = 514;
    const std::int64_t base_ns = 1'800'000'000'000'000'000;
    for (std::size_t i = 0; i < count; ++i) {
        std::string line = "<38>Dec  6 10:" + std::to_string(10 + i % 50) + ":0" +
                           std::to_string(i % 10) + " web-" + std::to_string(i % 200) + " sshd[" +
                           std::to_string(1000 + i) + "]: Invalid user admin from 203.0." +
                           std::to_string(i % 20) + "." + std::to_string(i % 250) + " port " +
                           std::to_string(40000 + i % 20000);
        record.bytes = line;
        record.recv_ns = base_ns + static_cast<std::int64_t>(i) * 1000;
        record.peer.bytes[3] = static_cast<std::uint8_t>(i % 200);
        scratch.reset();
        e.clear();
        (void)parser.parse(record, e, scratch);
        e.time_ns = record.recv_ns;
        out.push_back(alert::make_alert(bench_rule(static_cast<int>(i)), 1, e,
                                        core::field_catalog::builtin(), record.recv_ns));
    }
    return out;
}

// New ids for the next pass (a live stage writes new alerts): ids carry the time of their
// event, so a live stream's later alerts have later ids; each pass is a minute of event time
// after the one before. The document's "id" changes with it ({"id":"<26 characters>", ...).
void relabel(std::vector<alert::alert>& alerts, std::uint64_t pass) {
    constexpr std::uint64_t pass_ms = 60'000;
    for (auto& a : alerts) {
        const std::uint64_t ms = a.id.time_ms() % pass_ms + pass * pass_ms;
        for (int i = 0; i < 6; ++i) {
            a.id.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
        }
        const std::string text = a.id.to_string();
        a.json.replace(7, text.size(), text);
    }
}

struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("vigil-alert-bench-" + std::to_string(::getpid()));
    temp_dir() {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
};

} // namespace

int main(int argc, char** argv) {
    bench::bench_options defaults;
    defaults.events = 200'000;
    defaults.json = "alert_stage_bench.json";
    const bench::bench_options opt = bench::parse_bench_options(argc, argv, defaults, 4096);
    const std::size_t count = (opt.events + group - 1) / group * group;

    temp_dir dir;
    bench::bench_runner runner("vigil alert stage, one core", opt.command, opt.smoke);
    std::uint64_t pass = 0;

    // Building the alerts (workers, in parallel in the daemon): not part of the stage.
    std::vector<alert::alert> alerts;
    const auto build_started = std::chrono::steady_clock::now();
    alerts = make_alerts(count);
    const double build_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - build_started).count();

    // The documents the stage stores carry their incident part (grade, SLA, status, history),
    // which the alert stage appends: the reference writes those.
    const incident::grader grader{incident::incident_policy{}};
    const std::vector<alert::alert> made = alerts; // as the workers hand them over
    grader.grade(alerts, nullptr);

    // The reference: the same documents, plain key/value, one WriteBatch per group.
    {
        rocksdb::Options options;
        options.create_if_missing = true;
        rocksdb::DB* raw = nullptr;
        if (auto s = rocksdb::DB::Open(options, (dir.path / "bare").string(), &raw); !s.ok()) {
            std::cerr << s.ToString() << "\n";
            return 1;
        }
        std::unique_ptr<rocksdb::DB> db(raw);
        std::vector<std::size_t> order(group);
        runner.measure_with_setup(
            "bare RocksDB WriteBatch (documents only)", count, [&] { relabel(alerts, ++pass); },
            [&] {
                for (std::size_t at = 0; at < alerts.size(); at += group) {
                    // In id order, as the stage writes them (the memtable appends instead of
                    // searching).
                    std::iota(order.begin(), order.end(), at);
                    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
                        return alerts[x].id.bytes < alerts[y].id.bytes;
                    });
                    rocksdb::WriteBatch batch;
                    for (const std::size_t i : order) {
                        batch.Put(alerts[i].id.to_string(), alerts[i].json);
                    }
                    if (!db->Write(rocksdb::WriteOptions(), &batch).ok()) {
                        std::abort();
                    }
                }
            });
    }

    auto store = alert::alert_store::open(dir.path / "vigil", alert::alert_store::mode::read_write);
    if (!store) {
        std::cerr << store.error() << "\n";
        return 1;
    }
    // One webhook destination that takes high and critical alerts (all of them here).
    (*store)->deliveries()->set_routes(
        {{"soc", [](const alert::alert& a) { return a.terms.level != "low"; }}}, [] {});
    alert::rate_guard guard(0); // off: every alert is stored
    std::vector<std::vector<alert::alert>> groups;
    for (std::size_t at = 0; at < made.size(); at += group) {
        groups.emplace_back(made.begin() + static_cast<std::ptrdiff_t>(at),
                            made.begin() + static_cast<std::ptrdiff_t>(at + group));
    }
    std::size_t stored = 0;
    double wall_seconds = 0;
    runner.measure_with_setup(
        "vigil alert stage (rate guard, grade and SLA, alerts + indexes + deadlines + outbox)",
        count,
        [&] {
            ++pass;
            for (std::size_t n = 0; n < groups.size(); ++n) {
                auto& g = groups[n];
                for (std::size_t i = 0; i < g.size(); ++i) {
                    g[i].json.assign(made[n * group + i].json); // fresh: without incident part
                }
                relabel(g, pass);
            }
        },
        [&] {
            const auto started = std::chrono::steady_clock::now();
            for (auto& g : groups) {
                guard.apply(g, 0);
                grader.grade(g, nullptr);
                if (!(*store)->write(g)) {
                    std::abort();
                }
                stored += g.size();
            }
            wall_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        },
        "bare RocksDB WriteBatch (documents only)");
    // A query that walks an index reads that family's live memtable sorted (a copy): its cost
    // with the memtables as full as the run left them.
    alert::alert_query by_host;
    by_host.host = "web-7";
    const auto query_started = std::chrono::steady_clock::now();
    constexpr int queries = 20;
    std::size_t listed = 0;
    for (int q = 0; q < queries; ++q) {
        auto page = (*store)->list(by_host);
        if (!page) {
            std::cerr << page.error() << "\n";
            return 1;
        }
        listed += page->alerts.size();
    }
    const double query_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - query_started)
            .count() /
        queries;
    const double bytes = static_cast<double>(alerts.front().json.size());
    runner.note("alerts of about " + std::to_string(static_cast<int>(bytes)) + " bytes, " +
                std::to_string(group) +
                " per WriteBatch (the stage takes what every ring holds "
                "at once, so under load its batches are this large or larger)");
    runner.note("wall clock, RocksDB's background flushes and compactions included: " +
                std::to_string(static_cast<long long>(static_cast<double>(stored) / wall_seconds)) +
                " alerts/s");
    runner.note("a page of " + std::to_string(listed / queries) +
                " alerts of one host (--host, walking the host index) while writing: " +
                std::to_string(query_ms).substr(0, 5) + " ms");
    runner.note("building the alerts (make_alert on the workers, not the stage): " +
                std::to_string(static_cast<long long>(static_cast<double>(count) / build_seconds)) +
                " alerts/s on one core");
    runner.print_markdown(std::cout);
    runner.write_json(opt.json);
    return 0;
}
