#include "core/metrics.hpp"
#include "pipeline/pipeline.hpp"
#include "support/rule_helpers.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
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
            rule_ids.push_back(a.rule_id);
        }
        return {};
    }
    std::expected<void, std::string> write_checkpoint(unsigned, std::string_view blob) override {
        std::lock_guard lock(mutex_);
        checkpoints.emplace_back(blob);
        return {};
    }
    std::expected<void, std::string> flush() override { return {}; }

    std::atomic<int> writes{0};
    std::vector<std::string> checkpoints;
    std::vector<std::string> rule_ids;

private:
    bool fail_;
    std::mutex mutex_;
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
