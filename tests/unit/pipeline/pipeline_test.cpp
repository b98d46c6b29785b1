#include "core/metrics.hpp"
#include "pipeline/pipeline.hpp"
#include "support/checkpoint_helpers.hpp"
#include "support/rule_helpers.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <tuple>
#include <vector>

using namespace vigil;
using namespace std::chrono_literals;

namespace {

// An alert writer that keeps what it is given, or fails every write.
class test_writer final : public alert::alert_writer {
public:
    explicit test_writer(bool fail) : fail_(fail) {}
    std::expected<void, std::string> write(std::span<const alert::alert> alerts) override {
        ++writes;
        if (fail_) {
            return std::unexpected("disk full (test)");
        }
        std::lock_guard lock(mutex_);
        for (const auto& a : alerts) {
            rule_ids.push_back(a.terms.rule_id);
            documents[a.id.to_string()] = a.json; // an update replaces the alert
        }
        return {};
    }
    // Keeps what alert_store keeps: per shard the last state and the segments it refers to.
    std::expected<void, std::string> write_checkpoint(unsigned shard,
                                                      const alert::shard_checkpoint& c) override {
        std::lock_guard lock(mutex_);
        ++checkpoint_writes;
        stored_[shard].store(c);
        return {};
    }
    // What a restart would read (alert_store::read_checkpoints).
    std::vector<alert::stored_checkpoint> stored() {
        std::lock_guard lock(mutex_);
        std::vector<alert::stored_checkpoint> out;
        for (const auto& [shard, kept] : stored_) {
            out.push_back(kept.stored());
        }
        return out;
    }
    std::expected<void, std::string> write_dead_letter(std::string_view json,
                                                       std::size_t) override {
        std::lock_guard lock(mutex_);
        dead_letters.emplace_back(json);
        return {};
    }
    std::expected<void, std::string> flush() override { return {}; }

    std::atomic<int> writes{0};
    std::vector<std::string> dead_letters;
    std::size_t checkpoint_writes = 0;
    std::mutex& mutex() { return mutex_; }
    std::vector<std::string> rule_ids;
    std::map<std::string, std::string> documents; // by alert id

private:
    bool fail_;
    std::mutex mutex_;
    std::map<unsigned, test::kept_checkpoint> stored_;
};

std::shared_ptr<const rules::rule_set> token_rule() {
    auto c = test::compile_yaml(test::rule_yaml("r", "  k: [token]\n  condition: k\n"));
    REQUIRE(c.result.loaded == 1);
    return c.result.rules;
}

std::unique_ptr<core::raw_batch> batch_of(std::size_t n) {
    auto batch = std::make_unique<core::raw_batch>();
    for (std::size_t i = 0; i < n; ++i) {
        batch->add("<13>Nov 21 10:00:00 host app: token " + std::to_string(i),
                   core::source_kind::syslog_tcp, 0, {});
    }
    return batch;
}

// Submits, retrying while the pipeline pushes back, for at most `deadline`.
bool submit(pipeline::pipeline& p, std::unique_ptr<core::raw_batch> batch,
            std::chrono::milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!p.try_submit(batch)) {
        if (std::chrono::steady_clock::now() > end) {
            return false;
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

pipeline::pipeline_config small_config() {
    pipeline::pipeline_config c;
    c.workers = 2;
    c.ring_slots = 2;
    return c;
}

} // namespace

TEST_CASE("pipeline stores one alert per matching record and drains on stop", "[pipeline]") {
    test_writer writer(false);
    core::metrics_registry metrics;
    pipeline::pipeline p(small_config(), token_rule(), writer, {}, metrics,
                         core::system_clock::instance());
    p.start();
    for (int b = 0; b < 50; ++b) {
        REQUIRE(submit(p, batch_of(20), 5000ms));
    }
    p.drain_and_stop();
    CHECK(writer.rule_ids.size() == 1000);
    CHECK(metrics.value("vigil_alerts_stored_total") == 1000);
    CHECK(metrics.value("vigil_events_parsed_total", {{"parser", "rfc3164"}}) == 1000);
    CHECK(metrics.value("vigil_rule_matches_total", {{"rule", "r"}}) == 1000);
    CHECK(metrics.value("vigil_alert_store_writes_total") >= 1);
    std::size_t rings = 0;
    metrics.visit([&](const core::metrics_registry::family_view& f) {
        if (f.name == "vigil_ring_occupancy") {
            rings = f.series.size();
        }
    });
    CHECK(rings == 2 * 2 + 2 * 1); // two workers (input, alerts), one shard (input, output)
}

TEST_CASE("pipeline pushes back when its rings are full", "[pipeline]") {
    test_writer writer(true); // never stores: the alert stage retries and stops consuming
    core::metrics_registry metrics;
    pipeline::pipeline p(small_config(), token_rule(), writer, {}, metrics,
                         core::system_clock::instance());
    p.start();
    bool refused = false;
    for (int b = 0; b < 100 && !refused; ++b) {
        refused = !submit(p, batch_of(1), 200ms);
    }
    CHECK(refused);
    p.request_shutdown();
    p.drain_and_stop();
}

TEST_CASE("shutdown finishes although the alert store keeps failing, and counts the loss",
          "[pipeline]") {
    test_writer writer(true);
    core::metrics_registry metrics;
    auto p = std::make_unique<pipeline::pipeline>(small_config(), token_rule(), writer,
                                                  std::vector<output::alert_output*>{}, metrics,
                                                  core::system_clock::instance());
    p->start();
    // Fill every ring while the store fails.
    int submitted = 0;
    while (submit(*p, batch_of(1), 300ms)) {
        ++submitted;
    }
    REQUIRE(submitted > 0);
    auto stopped = std::async(std::launch::async, [&] {
        p->request_shutdown();
        p->drain_and_stop();
    });
    REQUIRE(stopped.wait_for(30s) == std::future_status::ready);
    CHECK(metrics.value("vigil_dropped_total",
                        {{"reason", "alert_store_failed"}, {"source", "alerts"}}) == submitted);
    CHECK(metrics.value("vigil_alerts_stored_total") == 0);
}

namespace {

// Failed sshd logins from 64 addresses, 5 each (RFC 5424, explicit times), and a correlation
// that needs 5 per address in 10 minutes.
std::shared_ptr<const rules::rule_set> brute_force_rules(const std::string& timespan = "10m",
                                                         const std::string& extra = "") {
    auto c = test::compile_yaml(R"(
title: ssh failed
id: 9e1d0c6a-0000-4000-8000-000000000001
name: ssh_failed
logsource: {product: linux, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: failure}
  condition: selection
---
title: brute force
id: 9e1d0c6a-0000-4000-8000-000000000002
level: high
correlation:
  type: event_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: )" + timespan + R"(
  condition: {gte: 5}
)" + extra);
    REQUIRE_FALSE(c.diags.has_errors());
    return c.result.rules;
}

// 2026-11-21T10:00:00Z and what the tests' processing clock starts at: the events are a
// minute old when they arrive.
constexpr std::int64_t ten_o_clock = 1'795'255'200'000'000'000;
constexpr std::int64_t second = 1'000'000'000;

// One failure from each of 64 addresses at 10:MM:SS (`at` seconds after 10:00:00), received at
// `clock`'s time, all through one input (one TCP connection).
std::unique_ptr<core::raw_batch> failures(int at, const core::clock& clock) {
    auto batch = std::make_unique<core::raw_batch>();
    char time[32];
    std::snprintf(time, sizeof time, "2026-11-21T10:%02d:%02dZ", at / 60, at % 60);
    for (int a = 0; a < 64; ++a) {
        batch->add("<38>1 " + std::string(time) +
                       " bastion sshd 1 - - Failed password for root from 198.51.100." +
                       std::to_string(a) + " port 4000 ssh2",
                   core::source_kind::syslog_tcp, clock.now_ns(), {}, 7);
    }
    return batch;
}

pipeline::pipeline_config sharded_config() {
    auto c = small_config();
    c.correlation.shards = 3;
    return c;
}

// Sharded, with the tenants acme (1) and globex (2), known by the records' tenant numbers.
pipeline::pipeline_config two_tenants_config() {
    auto c = sharded_config();
    std::vector<incident::tenant_definition> tenants(2);
    tenants[0].name = "acme";
    tenants[1].name = "globex";
    c.tenants = std::make_shared<const incident::tenant_map>(tenants);
    return c;
}

// A failed SSH login of `address` at second `at` of 10:00, as tenant number `tenant` sent it.
void add_failure(core::raw_batch& batch, int at, std::string_view address, std::uint16_t tenant,
                 const core::clock& clock) {
    char time[32];
    std::snprintf(time, sizeof time, "2026-11-21T10:00:%02dZ", at);
    batch.add("<38>1 " + std::string(time) + " bastion sshd 1 - - Failed password for root from " +
                  std::string(address) + " port 4000 ssh2",
              core::source_kind::http, clock.now_ns(), {}, 7, tenant);
}

// Waits (with a deadline) until `condition` holds.
template <typename Fn>
bool eventually(Fn condition) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

} // namespace

TEST_CASE("correlation through the pipeline: matches reach the shard that owns their key, one "
          "alert per key, checkpoints after the alerts",
          "[pipeline][correlate]") {
    test_writer writer(false);
    core::metrics_registry metrics;
    core::manual_clock clock(ten_o_clock + 60 * second);
    pipeline::pipeline p(sharded_config(), brute_force_rules(), writer, {}, metrics, clock);
    p.start();
    for (int round = 0; round < 5; ++round) {
        REQUIRE(submit(p, failures(round, clock), 5000ms)); // batches alternate between workers
    }
    // The matches wait for the watermark (the newest event minus the allowed lateness, 30 s).
    // Once the input has been idle long enough, event time follows the wall clock and they are
    // decided.
    CHECK(metrics.value("vigil_correlation_alerts_total", {{"kind", "new"}}) == 0);
    clock.advance(60 * second);
    REQUIRE(eventually([&] {
        return metrics.value("vigil_correlation_alerts_total", {{"kind", "new"}}) == 64;
    }));
    p.drain_and_stop();
    CHECK(writer.rule_ids.size() == 64);
    for (const auto& id : writer.rule_ids) {
        CHECK(id == "9e1d0c6a-0000-4000-8000-000000000002"); // base rule: no alerts of its own
    }
    CHECK(metrics.value("vigil_correlation_matches_total") == 320);
    CHECK(metrics.value("vigil_correlation_alerts_total", {{"kind", "new"}}) == 64);
    CHECK(writer.checkpoint_writes >= 3); // every shard's final checkpoint
}

TEST_CASE("a correlation never mixes tenants: the same source address at two customers is two "
          "keys, and three failures at each are no brute force",
          "[pipeline][correlate][tenant]") {
    test_writer writer(false);
    core::metrics_registry metrics;
    core::manual_clock clock(ten_o_clock + 60 * second);
    auto config = two_tenants_config();
    pipeline::pipeline p(config, brute_force_rules(), writer, {}, metrics, clock);
    p.start();
    // 198.51.100.1 fails 3 times at each tenant (6 in all: a brute force if they were mixed),
    // 198.51.100.2 fails 5 times at acme (a brute force there).
    auto batch = std::make_unique<core::raw_batch>();
    auto fail = [&](int at, const char* address, std::uint16_t tenant) {
        add_failure(*batch, at, address, tenant, clock);
    };
    for (int i = 0; i < 3; ++i) {
        fail(i, "198.51.100.1", 1);
        fail(i, "198.51.100.1", 2);
    }
    for (int i = 0; i < 5; ++i) {
        fail(10 + i, "198.51.100.2", 1);
    }
    REQUIRE(submit(p, std::move(batch), 5000ms));
    clock.advance(60 * second);
    REQUIRE(eventually([&] {
        return metrics.value("vigil_correlation_alerts_total", {{"kind", "new"}}) >= 1;
    }));
    p.drain_and_stop();
    REQUIRE(writer.documents.size() == 1);
    const std::string& doc = writer.documents.begin()->second;
    CHECK(doc.find(R"("tenant":"acme")") != std::string::npos);
    CHECK(doc.find(R"("source.ip":"198.51.100.2")") != std::string::npos);
    CHECK(doc.find(R"("count":5)") != std::string::npos);
    CHECK(doc.find("\x1e") == std::string::npos); // the key shows its values only
}

TEST_CASE("a correlation with across_tenants: true counts every customer's events together",
          "[pipeline][correlate][tenant]") {
    test_writer writer(false);
    core::metrics_registry metrics;
    core::manual_clock clock(ten_o_clock + 60 * second);
    auto config = two_tenants_config();
    pipeline::pipeline p(config, brute_force_rules("10m", "  across_tenants: true\n"), writer, {},
                         metrics, clock);
    p.start();
    auto batch = std::make_unique<core::raw_batch>();
    for (int i = 0; i < 6; ++i) {
        add_failure(*batch, i, "198.51.100.1", static_cast<std::uint16_t>(1 + i % 2), clock);
    }
    REQUIRE(submit(p, std::move(batch), 5000ms));
    clock.advance(60 * second);
    REQUIRE(eventually([&] {
        return metrics.value("vigil_correlation_alerts_total", {{"kind", "new"}}) >= 1;
    }));
    p.drain_and_stop();
    REQUIRE(writer.documents.size() == 1);
    const std::string& doc = writer.documents.begin()->second;
    CHECK(doc.find(R"("tenant")") == std::string::npos); // nobody's alone
    CHECK(doc.find(R"("source.ip":"198.51.100.1")") != std::string::npos);
}

TEST_CASE("correlation state survives a reload that keeps the correlation and a restart from "
          "its checkpoints",
          "[pipeline][correlate]") {
    test_writer writer(false);
    core::metrics_registry metrics;
    core::manual_clock clock(ten_o_clock + 60 * second);
    std::vector<alert::stored_checkpoint> saved;
    {
        pipeline::pipeline p(sharded_config(), brute_force_rules(), writer, {}, metrics, clock);
        p.start();
        for (int round = 0; round < 2; ++round) {
            REQUIRE(submit(p, failures(round, clock), 5000ms));
        }
        // The same definition compiled again (a reload): the windows carry on.
        p.publish(brute_force_rules());
        REQUIRE(submit(p, failures(2, clock), 5000ms));
        // Idle: event time follows the wall clock and the matches are applied.
        clock.advance(60 * second);
        REQUIRE(
            eventually([&] { return metrics.value("vigil_correlation_matches_total") == 192; }));
        p.drain_and_stop();
        CHECK(writer.rule_ids.empty());
        // The last checkpoint of each shard.
        saved = writer.stored();
    }
    pipeline::pipeline restarted(sharded_config(), brute_force_rules(), writer, {}, metrics, clock);
    auto restored = restarted.restore(saved);
    REQUIRE(restored.has_value());
    CHECK(restored->restored == 64);
    restarted.start();
    for (int at : {90, 91}) { // after the restored watermark, within the 10 minutes
        REQUIRE(submit(restarted, failures(at, clock), 5000ms));
    }
    clock.advance(60 * second);
    REQUIRE(eventually([&] {
        std::lock_guard lock(writer.mutex());
        return writer.rule_ids.size() == 64;
    }));
    restarted.drain_and_stop();
    CHECK(metrics.value("vigil_correlation_late_events_total") == 0);

    // A changed definition does not inherit the windows.
    pipeline::pipeline changed(sharded_config(), brute_force_rules("20m"), writer, {}, metrics,
                               clock);
    auto none = changed.restore(saved);
    REQUIRE(none.has_value());
    CHECK(none->restored == 0);
    CHECK(none->dropped == 64);
}

TEST_CASE("durability: batches become durable once processed, stored and checkpointed behind a "
          "barrier",
          "[pipeline][durability]") {
    test_writer writer(false);
    core::metrics_registry metrics;
    core::manual_clock clock(ten_o_clock + 60 * second);
    pipeline::pipeline p(sharded_config(), brute_force_rules(), writer, {}, metrics, clock);
    p.start();
    CHECK(p.next_sequence() == 1);
    for (int round = 0; round < 3; ++round) {
        REQUIRE(submit(p, failures(round, clock), 5000ms));
    }
    const std::uint64_t last = p.next_sequence() - 1;
    CHECK(last == 3);
    CHECK(p.durable_sequence() < last); // nothing asked for yet
    const std::size_t checkpoints_before = [&] {
        std::lock_guard lock(writer.mutex());
        return writer.checkpoint_writes;
    }();
    p.request_durable(last);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (p.durable_sequence() < last && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    REQUIRE(p.durable_sequence() == last);
    {
        // Every shard checkpointed for the barrier, after taking in the 3 x 64 matches (which
        // wait for the watermark: the checkpoint keeps them).
        {
            std::lock_guard lock(writer.mutex());
            REQUIRE(writer.checkpoint_writes >= checkpoints_before + 3);
        }
        const auto saved = writer.stored();
        REQUIRE(saved.size() == 3);
        pipeline::pipeline restored(sharded_config(), brute_force_rules(), writer, {}, metrics,
                                    clock);
        auto r = restored.restore(saved);
        REQUIRE(r.has_value());
        CHECK(r->waiting == 192); // every address's three failures
    }
    p.drain_and_stop();
}

namespace {

// The alerts of a run as "id count first_seen last_seen": what must not depend on the run.
std::set<std::string> alert_facts(const test_writer& writer) {
    std::set<std::string> out;
    const std::regex fields(R"re("count":(\d+).*"first_seen":"([^"]+)","last_seen":"([^"]+)")re");
    for (const auto& [id, json] : writer.documents) {
        std::smatch m;
        REQUIRE(std::regex_search(json, m, fields));
        out.insert(id + " " + m[1].str() + " " + m[2].str() + " " + m[3].str());
    }
    return out;
}

// Three inputs (connections), each a stream of failed logins from 12 addresses in time order;
// the inputs are submitted interleaved in chunks whose sizes come from `seed`, so batch
// boundaries and the order in which the inputs' records meet differ from run to run.
std::set<std::string> run_stream(unsigned workers, unsigned shards, unsigned seed) {
    test_writer writer(false);
    core::metrics_registry metrics;
    core::manual_clock clock(ten_o_clock + 3600 * second);
    auto config = small_config();
    config.workers = workers;
    config.ring_slots = 8;
    config.correlation.shards = shards;
    pipeline::pipeline p(config, brute_force_rules("2m"), writer, {}, metrics, clock);
    p.start();
    // The stream: input i's events are 1.5 s apart, offset by i * 0.5 s; addresses cycle.
    struct line {
        std::int64_t at_ms;
        std::string text;
    };
    std::vector<std::vector<line>> inputs(3);
    for (int i = 0; i < 3; ++i) {
        for (int n = 0; n < 400; ++n) {
            const std::int64_t ms = n * 1500 + i * 500 + (n % 7) * 3;
            const int address = (n * 5 + i) % 12;
            char time[48];
            std::snprintf(time, sizeof time, "2026-11-21T10:%02lld:%02lld.%03lldZ",
                          static_cast<long long>(ms / 60000),
                          static_cast<long long>(ms / 1000 % 60),
                          static_cast<long long>(ms % 1000));
            inputs[static_cast<std::size_t>(i)].push_back(
                {ms, "<38>1 " + std::string(time) +
                         " bastion sshd 1 - - Failed password for root "
                         "from 198.51.100." +
                         std::to_string(address) + " port 4000 ssh2"});
        }
    }
    auto opened = std::make_unique<core::raw_batch>();
    for (core::input_id id = 1; id <= 3; ++id) {
        opened->input_changes.push_back({id, true, "input " + std::to_string(id), clock.now_ns()});
    }
    REQUIRE(submit(p, std::move(opened), 5000ms));
    std::mt19937 random(seed);
    std::vector<std::size_t> next(3, 0);
    for (;;) {
        std::vector<std::size_t> open;
        for (std::size_t i = 0; i < 3; ++i) {
            if (next[i] < inputs[i].size()) {
                open.push_back(i);
            }
        }
        if (open.empty()) {
            break;
        }
        const std::size_t i = open[random() % open.size()];
        auto batch = std::make_unique<core::raw_batch>();
        const std::size_t chunk = 1 + random() % 40;
        for (std::size_t k = 0; k < chunk && next[i] < inputs[i].size(); ++k, ++next[i]) {
            batch->add(inputs[i][next[i]].text, core::source_kind::syslog_tcp, clock.now_ns(), {},
                       i + 1);
        }
        REQUIRE(submit(p, std::move(batch), 5000ms));
    }
    auto closed = std::make_unique<core::raw_batch>();
    for (core::input_id id = 1; id <= 3; ++id) {
        closed->input_changes.push_back({id, false, {}, clock.now_ns()});
    }
    REQUIRE(submit(p, std::move(closed), 5000ms));
    // No input left: once caught up, event time follows the (test's) wall clock.
    clock.advance(3600 * second);
    REQUIRE(eventually([&] { return metrics.value("vigil_correlation_matches_total") == 1200; }));
    p.drain_and_stop();
    CHECK(metrics.value("vigil_correlation_late_events_total") == 0);
    return alert_facts(writer);
}

} // namespace

TEST_CASE("the same stream gives the same alerts, with the same ids, for any worker and shard "
          "count and any interleaving of its inputs",
          "[pipeline][correlate][determinism]") {
    const auto reference = run_stream(1, 1, 1);
    // 400 failures per input over 10 minutes from 12 addresses: each address fails about every
    // 15 s, so every 2-minute window holds 5 and bursts are found again and again.
    CHECK(reference.size() > 10);
    for (const auto& [workers, shards, seed] :
         {std::tuple{2u, 1u, 2u}, std::tuple{2u, 3u, 3u}, std::tuple{4u, 2u, 4u},
          std::tuple{4u, 4u, 5u}, std::tuple{1u, 3u, 6u}}) {
        INFO(workers << " workers, " << shards << " shards, seed " << seed);
        CHECK(run_stream(workers, shards, seed) == reference);
    }
}
