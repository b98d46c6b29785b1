// Correlator shard throughput: matches/s per core into an event_count correlation (>= 10 events
// per source.ip in 60 s) with 1,000 and 1,000,000 live keys, beside a naive reference (a
// std::unordered_map of timestamp vectors) measured in the same run; bytes of state per key;
// checkpoint (save) time and size, and restore time.
#include "correlate/correlator_shard.hpp"
#include "correlate/shard_checkpoint.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/sigma_loader.hpp"
#include "support/bench_options.hpp"
#include "support/bench_runner.hpp"

#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

using namespace vigil;

namespace {

constexpr std::int64_t timespan_ns = 60'000'000'000;
constexpr std::size_t threshold = 10;
constexpr std::size_t batch_size = 4096;

const char* rules_yaml = R"(
title: ssh failed password
id: 7f0c2b1a-0000-4000-8000-000000000001
name: failed_password
logsource: {product: linux, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: failure}
  condition: selection
---
title: brute force
id: 7f0c2b1a-0000-4000-8000-000000000002
level: high
correlation:
  type: event_count
  rules: [failed_password]
  group-by: [source.ip]
  timespan: 60s
  condition: {gte: 10}
)";

std::string address(std::size_t i) {
    return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
           std::to_string(i & 255);
}

// Matches spread uniformly over `keys` keys, with event time advancing so that each key sees
// about three events per timespan (few windows reach the threshold, as in real traffic).
struct workload {
    // Shared: a shard keeps the batches whose matches wait for the watermark.
    std::vector<std::shared_ptr<correlate::correlation_batch>> batches;
    std::int64_t span_ns = 0; // event time one pass covers
    std::size_t matches = 0;
};

workload make_workload(const std::shared_ptr<const rules::rule_set>& rules, std::size_t keys,
                       std::size_t matches) {
    workload w;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < keys; ++i) {
        names.push_back(address(i));
    }
    std::mt19937_64 random(42);
    std::uniform_int_distribution<std::size_t> pick(0, keys - 1);
    const std::int64_t step =
        std::max<std::int64_t>(1, timespan_ns / static_cast<std::int64_t>(3 * keys));
    std::int64_t t = 1'800'000'000'000'000'000;
    for (std::size_t i = 0; i < matches; i += batch_size) {
        auto& b = *w.batches.emplace_back(std::make_shared<correlate::correlation_batch>());
        b.rules = rules;
        for (std::size_t j = 0; j < batch_size && i + j < matches; ++j) {
            const std::string& key = names[pick(random)];
            correlate::correlation_match m;
            m.correlation = 0;
            m.slots = 1;
            m.time_ns = t;
            m.key_hash = correlate::key_hash(key);
            m.key = b.add_text(key);
            b.matches.push_back(m);
            t += step;
        }
    }
    w.matches = matches;
    w.span_ns = step * static_cast<std::int64_t>(matches);
    return w;
}

void shift(workload& w) {
    for (auto& b : w.batches) {
        for (auto& m : b->matches) {
            m.time_ns += w.span_ns;
        }
    }
}

// The reference: what a straightforward implementation keeps per key (every timestamp in the
// window, in a vector, in a std::unordered_map keyed by std::string).
class naive_event_count {
public:
    std::size_t apply(const correlate::correlation_batch& b) {
        std::size_t fired = 0;
        for (const auto& m : b.matches) {
            auto& times = keys_[std::string(b.text(m.key))];
            times.push_back(m.time_ns);
            std::size_t drop = 0;
            while (drop < times.size() && times[drop] < m.time_ns - timespan_ns) {
                ++drop;
            }
            times.erase(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(drop));
            if (times.size() >= threshold) {
                times.clear();
                ++fired;
            }
        }
        return fired;
    }

private:
    std::unordered_map<std::string, std::vector<std::int64_t>> keys_;
};

} // namespace

int main(int argc, char** argv) {
    bench::bench_options defaults;
    defaults.events = 2'000'000;
    defaults.json = "correlator_bench.json";
    defaults.paths = {{"--schemas", VIGIL_SOURCE_DIR "/schemas"}};
    const bench::bench_options opt = bench::parse_bench_options(argc, argv, defaults, 20'000);

    core::diagnostics diags;
    auto schema = rules::load_rule_schema(opt.path("--schemas"), diags);
    rules::sigma_loader loader(schema.catalog);
    auto loaded = loader.load_text(rules_yaml, "bench.yml", diags);
    auto compiled = rules::rule_compiler::compile(std::move(loaded.rules), std::move(schema), {}, 1,
                                                  diags, std::move(loaded.correlations));
    if (diags.has_errors()) {
        std::cerr << diags.to_string();
        return 1;
    }
    const auto rules = compiled.rules;
    const core::system_clock& clock = core::system_clock::instance();
    correlate::correlator_limits limits;
    limits.time.allowed_lateness_ns = 5'000'000'000;

    bench::bench_runner runner("vigil correlator shard, one core", opt.command, opt.smoke);
    std::vector<alert::alert> alerts;
    for (std::size_t keys :
         {std::size_t{1000}, opt.smoke ? std::size_t{10'000} : std::size_t{1'000'000}}) {
        const std::string label = std::to_string(keys) + " keys";
        workload w = make_workload(rules, keys, opt.events);
        // Both must find the same bursts: one pass each from empty state.
        std::size_t naive_fired = 0;
        std::size_t shard_fired = 0;
        {
            naive_event_count check_naive;
            correlate::correlator_shard check_shard(limits, clock);
            check_shard.use(rules);
            for (const auto& b : w.batches) {
                naive_fired += check_naive.apply(*b);
                check_shard.process(b, alerts);
            }
            check_shard.finish(0, alerts); // what still waits for the watermark
            shard_fired = alerts.size();
            alerts.clear();
            shift(w);
        }
        if (naive_fired != shard_fired) {
            std::cerr << label << ": the shard raised " << shard_fired << " alerts, the reference "
                      << naive_fired << "\n";
            return 1;
        }
        naive_event_count naive;
        runner.measure("naive unordered_map, " + label, w.matches, [&] {
            for (const auto& b : w.batches) {
                naive.apply(*b);
            }
            shift(w);
        });
        correlate::correlator_shard shard(limits, clock);
        shard.use(rules);
        runner.measure(
            "event_count shard, " + label, w.matches,
            [&] {
                for (const auto& b : w.batches) {
                    shard.process(b, alerts);
                }
                // The last matches wait for the watermark; apply them before the next pass moves
                // the workload's times on.
                shard.finish(0, alerts);
                alerts.clear();
                shift(w);
            },
            "naive unordered_map, " + label);

        std::size_t state_bytes = 0;
        for (const auto& s : shard.stats()) {
            state_bytes += s.bytes;
        }
        const auto started = std::chrono::steady_clock::now();
        const auto checkpoint = shard.checkpoint();
        const std::string& blob = checkpoint.state;
        const double save_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count();
        correlate::correlator_shard restored(limits, clock);
        std::vector<correlate::correlator_shard*> targets{&restored};
        const auto restore_started = std::chrono::steady_clock::now();
        auto result = correlate::restore_shards(
            std::vector<alert::stored_checkpoint>{{checkpoint.state, checkpoint.segments}}, targets,
            rules);
        const double restore_ms = std::chrono::duration<double, std::milli>(
                                      std::chrono::steady_clock::now() - restore_started)
                                      .count();
        const std::size_t live = shard.key_count();
        runner.note(label + ": " + std::to_string(live) + " live keys, " +
                    std::to_string(live == 0 ? 0 : state_bytes / live) +
                    " bytes of state per key (" + std::to_string(state_bytes / 1024 / 1024) +
                    " MiB); " + std::to_string(shard_fired) +
                    " alerts in one pass from empty state, as many as the reference; checkpoint " +
                    std::to_string(blob.size() / 1024) + " KiB (" +
                    std::to_string(live == 0 ? 0 : blob.size() / live) +
                    " bytes per key) saved in " + std::to_string(static_cast<int>(save_ms)) +
                    " ms, restored (" + std::to_string(result ? result->restored : 0) +
                    " keys) in " + std::to_string(static_cast<int>(restore_ms)) + " ms");
    }
    runner.print_markdown(std::cout);
    runner.write_json(opt.json);
    return 0;
}
