// The worker step: event time (the future-skew rule), input progress, routing, alert ids.
#include "pipeline/worker_step.hpp"
#include "support/rule_helpers.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

using namespace vigil;

namespace {

constexpr std::int64_t second = 1'000'000'000;
// 2026-11-21T10:00:00Z, when the records of these tests arrive.
constexpr std::int64_t now_ns = 1'795'255'200 * second;

std::shared_ptr<const rules::rule_set> rules_with_correlation() {
    auto c = test::compile_yaml(R"(
title: ssh failed
id: 3c1d0c6a-0000-4000-8000-000000000001
name: ssh_failed
level: medium
logsource: {product: linux, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: failure}
  condition: selection
---
title: brute force
id: 3c1d0c6a-0000-4000-8000-000000000002
level: high
generate: true
correlation:
  type: event_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 2m
  condition: {gte: 5}
---
title: per user
id: 3c1d0c6a-0000-4000-8000-000000000003
level: high
correlation:
  type: value_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 2m
  condition: {field: user.name, gte: 5}
)");
    INFO(c.diags.to_string());
    REQUIRE_FALSE(c.diags.has_errors());
    return c.result.rules;
}

std::string failure(const std::string& time, const std::string& ip) {
    return "<38>1 " + time + " bastion sshd 1 - - Failed password for root from " + ip +
           " port 4000 ssh2";
}

} // namespace

TEST_CASE("an event time too far ahead of its receipt becomes the receipt time, the claim kept",
          "[pipeline][time]") {
    core::manual_clock clock(now_ns);
    pipeline::worker_step step({}, clock);
    const auto rules = rules_with_correlation();
    core::raw_batch batch;
    core::peer_address peer;
    peer.known = true;
    peer.bytes = {192, 0, 2, 7};
    peer.port = 40312;
    batch.add(failure("2026-11-21T10:04:59Z", "203.0.113.7"), core::source_kind::syslog_tcp, now_ns,
              peer, 11); // 4:59 ahead: believed
    batch.add(failure("2099-01-01T00:00:00Z", "203.0.113.7"), core::source_kind::syslog_tcp, now_ns,
              peer, 11); // far ahead
    batch.add(failure("2026-11-21T09:00:00Z", "198.51.100.9"), core::source_kind::syslog_udp,
              now_ns - second, peer, 12); // another input
    batch.sequence = 4;
    pipeline::step_result out;
    step.run(batch, rules, out);
    CHECK(step.take_future_skewed() == 1);

    // The base rule raises alerts of its own (generate): their event times.
    REQUIRE(out.alerts.size() == 3);
    simdjson::dom::parser parser;
    auto skewed = parser.parse(out.alerts[1].json).value();
    CHECK(std::string_view(skewed["event_time"].get_string().value()) == "2026-11-21T10:00:00Z");
    CHECK(std::string_view(
              skewed.at_pointer("/evidence/0/fields/event.original_time").get_string().value()) ==
          "2099-01-01T00:00:00Z");

    // Progress per input, for every shard alike.
    REQUIRE(out.correlations.size() == 1);
    const auto& progress = *out.correlations[0]->progress;
    CHECK(progress.sequence == 4);
    REQUIRE(progress.inputs.size() == 2);
    CHECK(progress.inputs[0].input == 11);
    CHECK(progress.inputs[0].name == "syslog_tcp 192.0.2.7:40312");
    CHECK(progress.inputs[0].records == 2);
    CHECK(progress.inputs[0].future_skewed == 1);
    CHECK(progress.inputs[0].newest_event_ns == now_ns + 299 * second);
    CHECK(progress.inputs[1].name == "syslog_udp 192.0.2.7:40312");
    CHECK(progress.inputs[1].newest_event_ns == now_ns - 3600 * second);
    CHECK(progress.inputs[1].newest_receipt_ns == now_ns - second);

    // Each event feeds two correlations: two matches, of which exactly one counts the event.
    const auto& matches = out.correlations[0]->matches;
    REQUIRE(matches.size() == 6);
    for (std::size_t i = 0; i < matches.size(); i += 2) {
        CHECK(matches[i].counts);
        CHECK_FALSE(matches[i + 1].counts);
        CHECK(matches[i].record_hash == matches[i + 1].record_hash);
        CHECK(matches[i].input == (i < 4 ? 11u : 12u));
    }
    CHECK(matches[2].time_ns == now_ns); // the skewed one, at its receipt
}

TEST_CASE("alert ids derive from the event: the same record again gives the same id",
          "[pipeline][time]") {
    core::manual_clock clock(now_ns);
    const auto rules = rules_with_correlation();
    std::vector<std::string> ids;
    for (int run = 0; run < 2; ++run) {
        pipeline::worker_step step({}, clock);
        core::raw_batch batch;
        batch.add(failure("2026-11-21T09:59:00Z", "203.0.113.7"), core::source_kind::syslog_tcp,
                  now_ns + run * second, {}, 1 + static_cast<core::input_id>(run));
        batch.add(failure("2026-11-21T09:59:01Z", "203.0.113.7"), core::source_kind::syslog_tcp,
                  now_ns, {}, 1);
        pipeline::step_result out;
        step.run(batch, rules, out);
        REQUIRE(out.alerts.size() == 2);
        CHECK(out.alerts[0].id != out.alerts[1].id);
        CHECK(out.alerts[0].id.time_ms() == (now_ns - 60 * second) / 1'000'000);
        ids.push_back(out.alerts[0].id.to_string());
        clock.advance(7 * second); // created later, received elsewhere: the id stays
    }
    CHECK(ids[0] == ids[1]);
}
