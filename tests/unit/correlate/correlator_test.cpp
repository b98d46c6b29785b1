// Correlation rules end to end in one thread: Sigma YAML compiled against the shipped schemas,
// sshd / FortiGate lines parsed and matched by the worker step, correlated by a shard
// (replay::replay_session, one record per batch, processing time under the test's control).
#include "core/civil_time.hpp"
#include "correlate/shard_checkpoint.hpp"
#include "replay/replay_session.hpp"
#include "support/checkpoint_helpers.hpp"
#include "support/rule_helpers.hpp"
#include "support/text_files.hpp"

#include <catch2/catch.hpp>
#include <deque>
#include <initializer_list>
#include <map>
#include <random>
#include <simdjson.h>
#include <string>
#include <vector>

namespace vigil {
namespace {

using Catch::Matchers::Contains;

// Processing time: after the events of the tests (2026-11-21), which are otherwise too far in the
// future to be believed (time.max_future_skew).
constexpr std::int64_t start_ns = 1'795'400'000'000'000'000;

// Base detection rules the correlations below refer to.
const std::string base_rules = R"(
title: ssh failed password
id: 0c6d8f35-0000-4000-8000-000000000001
name: ssh_failed
logsource: {product: linux, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: failure}
  condition: selection
level: low
---
title: ssh accepted
id: 0c6d8f35-0000-4000-8000-000000000002
name: ssh_accepted
logsource: {product: linux, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: success}
  condition: selection
level: low
---
title: firewall traffic
id: 0c6d8f35-0000-4000-8000-000000000003
name: fw_traffic
logsource: {category: firewall}
detection:
  selection: {event.dataset: fortinet_fortigate.log}
  condition: selection
level: low
)";

std::string correlation(const std::string& id, const std::string& body,
                        const std::string& extra = "") {
    return "---\ntitle: correlation " + id + "\nid: " + id + "\nlevel: high\n" + extra +
           "correlation:\n" + body;
}

// What the store keeps of one shard after `all` (alert_store::write_checkpoint).
alert::stored_checkpoint stored_after(std::initializer_list<const alert::shard_checkpoint*> all) {
    test::kept_checkpoint kept;
    for (const auto* c : all) {
        kept.store(*c);
    }
    return kept.stored();
}
std::vector<alert::stored_checkpoint> stored_of(const alert::shard_checkpoint& c) {
    return {stored_after({&c})};
}

class scenario {
public:
    explicit scenario(const std::string& yaml, correlate::correlator_limits limits = lateness(60))
        : clock_(start_ns) {
        auto compiled = test::compile_yaml(base_rules + yaml);
        INFO(compiled.diags.to_string());
        REQUIRE_FALSE(compiled.diags.has_errors());
        rules_ = compiled.result.rules;
        replay::replay_options options;
        options.limits = limits;
        options.batch_records = 1;
        session_ = std::make_unique<replay::replay_session>(rules_, clock_, options);
        session_->begin_input("test");
    }

    static correlate::correlator_limits lateness(int seconds) {
        correlate::correlator_limits l;
        l.time.allowed_lateness_ns = std::int64_t{seconds} * 1'000'000'000;
        return l;
    }

    // hh:mm:ss on 2026-11-21 (UTC).
    static std::string at(const std::string& hms) { return "2026-11-21T" + hms + "Z"; }
    static std::int64_t ns(const std::string& hms) {
        const std::int64_t seconds =
            core::days_from_civil(2026, 11, 21) * 86400 + std::stoll(hms.substr(0, 2)) * 3600 +
            std::stoll(hms.substr(3, 2)) * 60 + std::stoll(hms.substr(6, 2));
        return seconds * 1'000'000'000;
    }

    void ssh_failed(const std::string& hms, const std::string& ip,
                    const std::string& user = "root") {
        feed("<38>1 " + at(hms) + " bastion sshd 2001 - - Failed password for " + user + " from " +
             ip + " port 40001 ssh2");
    }
    void ssh_accepted(const std::string& hms, const std::string& ip, const std::string& user,
                      const std::string& host = "bastion") {
        feed("<38>1 " + at(hms) + " " + host + " sshd 2002 - - Accepted password for " + user +
             " from " + ip + " port 40002 ssh2");
    }
    void firewall(const std::string& hms, const std::string& src, const std::string& dst, int port,
                  long bytes = 100) {
        feed("<189>date=2026-11-21 time=" + hms +
             " devname=\"FG100D\" devid=\"FG100D3G16000001\" logid=\"0000000013\" type=\"traffic\" "
             "subtype=\"forward\" srcip=" +
             src + " srcport=51234 dstip=" + dst + " dstport=" + std::to_string(port) +
             " proto=6 action=\"deny\" sentbyte=" + std::to_string(bytes) + " rcvdbyte=0");
    }
    void feed(const std::string& line) { session_->feed(line); }
    void advance(const std::string& hms) { session_->advance_to(ns(hms)); }
    // What the engine has decided once event time reaches the newest event fed: every match
    // fed is applied (a later record before it would be late).
    void settle() {
        if (session_->newest_ns() != correlate::input_watermarks::never) {
            session_->advance_to(session_->newest_ns() + 1);
        }
    }
    void wall(std::int64_t seconds) {
        session_->processing_clock().advance(seconds * 1'000'000'000);
    }

    // The alerts of one rule so far (settled first), parsed.
    std::vector<simdjson::dom::element> alerts(const std::string& rule_id) {
        settle();
        std::vector<simdjson::dom::element> out;
        for (const auto& a : session_->alerts()) {
            if (a.terms.rule_id == rule_id) {
                out.push_back(parser_.emplace_back().parse(a.json).value());
            }
        }
        return out;
    }
    std::size_t count(const std::string& rule_id) { return alerts(rule_id).size(); }
    replay::replay_session& session() { return *session_; }
    const std::shared_ptr<const rules::rule_set>& rules() const { return rules_; }
    core::manual_clock& clock() { return clock_; }

private:
    core::manual_clock clock_;
    std::shared_ptr<const rules::rule_set> rules_;
    std::unique_ptr<replay::replay_session> session_;
    std::deque<simdjson::dom::parser> parser_;
};

std::string text(simdjson::dom::element e, const char* pointer) {
    return std::string(e.at_pointer(pointer).get_string().value());
}
std::int64_t integer(simdjson::dom::element e, const char* pointer) {
    return e.at_pointer(pointer).get_int64().value();
}

const std::string brute_force = correlation("b0000000-0000-4000-8000-000000000001", R"(
  type: event_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 60s
  condition: {gte: 3}
)");
const std::string brute_force_id = "b0000000-0000-4000-8000-000000000001";
// The body of a brute-force correlation whose keys stay quiet for 10 minutes once they fired.
const std::string quiet_brute_force = R"(
  type: event_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 60s
  condition: {gte: 3}
  suppress: 10m
)";

} // namespace

TEST_CASE("event_count fires once a key has N events within the timespan", "[correlate]") {
    scenario s(brute_force);
    s.ssh_failed("10:00:00", "203.0.113.7");
    s.ssh_failed("10:00:20", "203.0.113.7");
    s.ssh_failed("10:00:30", "198.51.100.9"); // another key
    CHECK(s.count(brute_force_id) == 0);
    s.ssh_failed("10:00:50", "203.0.113.7");
    auto alerts = s.alerts(brute_force_id);
    REQUIRE(alerts.size() == 1);
    CHECK(text(alerts[0], "/key/source.ip") == "203.0.113.7");
    CHECK(integer(alerts[0], "/count") == 3);
    CHECK(text(alerts[0], "/first_seen") == "2026-11-21T10:00:00Z");
    CHECK(text(alerts[0], "/last_seen") == "2026-11-21T10:00:50Z");
    CHECK(text(alerts[0], "/correlation/type") == "event_count");
    CHECK(text(alerts[0], "/rule/level") == "high");
    CHECK(text(alerts[0], "/evidence/0/fields/source.ip") == "203.0.113.7");
    // The base rule is referenced without `generate`: no alerts of its own.
    CHECK(s.count("0c6d8f35-0000-4000-8000-000000000001") == 0);
}

TEST_CASE("event_count windows slide: spread-out events do not fire, a burst across an hour does",
          "[correlate]") {
    scenario s(brute_force);
    s.ssh_failed("10:00:00", "203.0.113.7");
    s.ssh_failed("10:00:50", "203.0.113.7");
    s.ssh_failed("10:01:40", "203.0.113.7"); // 100 s after the first
    CHECK(s.count(brute_force_id) == 0);
    s.ssh_failed("10:59:40", "198.51.100.9");
    s.ssh_failed("10:59:55", "198.51.100.9");
    s.ssh_failed("11:00:10", "198.51.100.9"); // straddles the hour: still one window
    CHECK(s.count(brute_force_id) == 1);
}

TEST_CASE("events are applied in time order once the watermark passes them, whatever order "
          "they came in, older ones are late",
          "[correlate]") {
    // The same three failures in two arrival orders (each within the lateness): one alert, the
    // same window.
    for (const auto& order : {std::vector<std::string>{"10:00:40", "10:00:00", "10:00:20"},
                              std::vector<std::string>{"10:00:00", "10:00:20", "10:00:40"}}) {
        scenario s(brute_force, scenario::lateness(60));
        for (const auto& t : order) {
            s.ssh_failed(t, "203.0.113.7");
        }
        // Nothing is decided before the watermark (newest minus 60 s) passes the events.
        CHECK(s.session().shard().buffered() == 3);
        auto alerts = s.alerts(brute_force_id);
        REQUIRE(alerts.size() == 1);
        CHECK(text(alerts[0], "/first_seen") == "2026-11-21T10:00:00Z");
        CHECK(text(alerts[0], "/last_seen") == "2026-11-21T10:00:40Z");
        CHECK(integer(alerts[0], "/count") == 3);
        CHECK(s.session().shard().counters().late == 0);
    }
    scenario s(brute_force, scenario::lateness(60));
    s.ssh_failed("10:05:00", "192.0.2.1");
    s.ssh_failed("10:03:00", "192.0.2.1"); // 2 minutes behind the newest event: late
    CHECK(s.session().shard().counters().late == 1);
    CHECK(s.session().shard().counters().late_by_reason[0] == 1); // behind_watermark
}

TEST_CASE("late matches are dead letters when so configured", "[correlate]") {
    auto limits = scenario::lateness(60);
    limits.late_events = correlate::late_policy::dead_letter;
    scenario s(brute_force, limits);
    s.ssh_failed("10:05:00", "192.0.2.1");
    s.ssh_failed("10:03:00", "192.0.2.1");
    auto letters = s.session().shard().take_dead_letters();
    REQUIRE(letters.size() == 1);
    CHECK_THAT(letters[0], Contains("\"reason\":\"late: behind_watermark\""));
    CHECK_THAT(letters[0], Contains("\"event_time\":\"2026-11-21T10:03:00Z\""));
    CHECK_THAT(letters[0], Contains("\"watermark\":\"2026-11-21T10:04:00Z\""));
    CHECK_THAT(letters[0], Contains("192.0.2.1"));
    s.settle();
    CHECK(s.session().shard().key_count() == 1); // only the 10:05:00 one was applied
}

TEST_CASE("conditions with upper bounds are decided when the key's window closes", "[correlate]") {
    const std::string id = "b0000000-0000-4000-8000-000000000002";
    scenario s(correlation(id, R"(
  type: event_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 60s
  condition: {gt: 1, lte: 3}
)"));
    for (auto t : {"10:00:00", "10:00:10", "10:00:20"}) {
        s.ssh_failed(t, "203.0.113.7"); // 3: inside the range
    }
    for (auto t : {"10:00:00", "10:00:10", "10:00:20", "10:00:30"}) {
        s.ssh_failed(t, "198.51.100.9"); // 4: above it
    }
    s.ssh_failed("10:00:00", "192.0.2.1"); // 1: below it
    CHECK(s.count(id) == 0);               // nothing is decided before the windows close
    s.advance("10:01:01");
    auto alerts = s.alerts(id);
    REQUIRE(alerts.size() == 1);
    CHECK(text(alerts[0], "/key/source.ip") == "203.0.113.7");
    CHECK(integer(alerts[0], "/count") == 3);
    CHECK(text(alerts[0], "/correlation/condition") == "gt 1 and lte 3");
}

TEST_CASE("eq, neq and lt conditions", "[correlate]") {
    const std::string eq = "b0000000-0000-4000-8000-000000000003";
    const std::string neq = "b0000000-0000-4000-8000-000000000004";
    const std::string lt = "b0000000-0000-4000-8000-000000000005";
    const std::string body = R"(
  type: event_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 60s
)";
    scenario s(correlation(eq, body + "  condition: {eq: 2}\n") +
               correlation(neq, body + "  condition: {neq: 2}\n") +
               correlation(lt, body + "  condition: {lt: 2}\n"));
    s.ssh_failed("10:00:00", "203.0.113.7");
    s.ssh_failed("10:00:10", "203.0.113.7");
    s.ssh_failed("10:00:00", "198.51.100.9");
    s.advance("10:02:00");
    REQUIRE(s.count(eq) == 1);
    CHECK(text(s.alerts(eq)[0], "/key/source.ip") == "203.0.113.7");
    REQUIRE(s.count(neq) == 1);
    CHECK(text(s.alerts(neq)[0], "/key/source.ip") == "198.51.100.9");
    REQUIRE(s.count(lt) == 1);
    CHECK(text(s.alerts(lt)[0], "/key/source.ip") == "198.51.100.9");
}

TEST_CASE("value_count counts distinct values per key (password spray)", "[correlate]") {
    const std::string id = "b0000000-0000-4000-8000-000000000006";
    scenario s(correlation(id, R"(
  type: value_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 5m
  condition: {field: user.name, gte: 3}
)"));
    s.ssh_failed("10:00:00", "203.0.113.7", "alice");
    s.ssh_failed("10:00:10", "203.0.113.7", "alice");
    s.ssh_failed("10:00:20", "203.0.113.7", "bob");
    s.ssh_failed("10:00:30", "198.51.100.9", "carol");
    CHECK(s.count(id) == 0);
    s.ssh_failed("10:01:00", "203.0.113.7", "carol");
    auto alerts = s.alerts(id);
    REQUIRE(alerts.size() == 1);
    CHECK(integer(alerts[0], "/count") == 3);
    auto values = alerts[0].at_pointer("/correlation/values").get_array().value();
    CHECK(values.size() == 3);
}

TEST_CASE("temporal and temporal_ordered, and chaining a correlation into another", "[correlate]") {
    const std::string any_order = "b0000000-0000-4000-8000-000000000007";
    const std::string then_success = "b0000000-0000-4000-8000-000000000008";
    scenario s(brute_force + R"(name: ssh_brute_force
)" + correlation(any_order, R"(
  type: temporal
  rules: [ssh_failed, ssh_accepted]
  group-by: [source.ip]
  timespan: 5m
)") + correlation(then_success, R"(
  type: temporal_ordered
  rules: [ssh_brute_force, ssh_accepted]
  group-by: [source.ip]
  timespan: 10m
)"));
    // A success before the brute force is not "brute force then success".
    s.ssh_accepted("10:00:00", "203.0.113.7", "alice");
    for (auto t : {"10:00:10", "10:00:20", "10:00:30"}) {
        s.ssh_failed(t, "203.0.113.7");
    }
    CHECK(s.count(then_success) == 0);
    CHECK(s.count(any_order) == 1); // both rules within 5 minutes, in any order
    // The brute force (chained, so no alert of its own) followed by a success fires.
    CHECK(s.count(brute_force_id) == 0);
    s.ssh_accepted("10:03:00", "203.0.113.7", "alice");
    auto alerts = s.alerts(then_success);
    REQUIRE(alerts.size() == 1);
    CHECK(text(alerts[0], "/key/source.ip") == "203.0.113.7");
    CHECK(text(alerts[0], "/first_seen") == "2026-11-21T10:00:30Z");
    CHECK(text(alerts[0], "/evidence/0/fields/user.name") == "alice");
}

TEST_CASE("aliases join differently named fields of different rules", "[correlate]") {
    const std::string id = "b0000000-0000-4000-8000-000000000009";
    scenario s(correlation(id, R"(
  type: temporal
  rules: [ssh_failed, fw_traffic]
  group-by: [attacker]
  timespan: 5m
  aliases:
    attacker:
      ssh_failed: source.ip
      fw_traffic: destination.ip
)"));
    s.ssh_failed("10:00:00", "203.0.113.7");
    s.firewall("10:01:00", "10.1.1.10", "198.51.100.9", 443); // another address
    CHECK(s.count(id) == 0);
    s.firewall("10:02:00", "10.1.1.10", "203.0.113.7", 443);
    auto alerts = s.alerts(id);
    REQUIRE(alerts.size() == 1);
    CHECK(text(alerts[0], "/key/attacker") == "203.0.113.7");
}

TEST_CASE("value_sum, value_avg and value_percentile", "[correlate]") {
    const std::string sum = "b0000000-0000-4000-8000-00000000000a";
    const std::string avg = "b0000000-0000-4000-8000-00000000000b";
    const std::string rare = "b0000000-0000-4000-8000-00000000000c";
    scenario s(correlation(sum, R"(
  type: value_sum
  rules: [fw_traffic]
  group-by: [source.ip]
  timespan: 10m
  condition: {field: source.bytes, gt: 1000}
)") + correlation(avg, R"(
  type: value_avg
  rules: [fw_traffic]
  group-by: [source.ip]
  timespan: 10m
  condition: {field: source.bytes, gte: 400}
)") + correlation(rare, R"(
  type: value_percentile
  rules: [fw_traffic]
  group-by: [source.ip]
  timespan: 10m
  condition: {field: destination.port, lte: 10}
)"));
    for (int i = 0; i < 10; ++i) {
        s.firewall("10:00:0" + std::to_string(i), "10.1.1.10", "203.0.113.5", 443, 120);
    }
    s.firewall("10:00:30", "10.1.1.10", "203.0.113.5", 4444, 20);
    CHECK(s.count(sum) == 1); // 10 x 120 + 20 > 1000, decided as soon as it holds
    CHECK(s.count(avg) == 0);
    s.firewall("10:00:00", "10.9.9.9", "203.0.113.5", 443, 500);
    s.firewall("10:00:05", "10.9.9.9", "203.0.113.5", 443, 700);
    s.advance("10:11:00");
    auto averages = s.alerts(avg);
    REQUIRE(averages.size() == 1);
    CHECK(text(averages[0], "/key/source.ip") == "10.9.9.9");
    CHECK(averages[0].at_pointer("/correlation/value").get_double().value() == Approx(600));
    // Port 4444 is 1 of 11 connections of 10.1.1.10 (9 %): rare. 10.9.9.9 has one port only.
    auto rares = s.alerts(rare);
    REQUIRE(rares.size() == 1);
    CHECK(text(rares[0], "/key/source.ip") == "10.1.1.10");
    CHECK(text(rares[0], "/correlation/values/0") == "4444");
}

TEST_CASE("absence: a key that goes silent, and A not followed by B", "[correlate]") {
    const std::string silent = "b0000000-0000-4000-8000-00000000000d";
    const std::string unanswered = "b0000000-0000-4000-8000-00000000000e";
    scenario s(correlation(silent, R"(
  type: absence
  rules: [ssh_accepted]
  group-by: [host.name]
  timespan: 30m
)") + correlation(unanswered, R"(
  type: absence
  rules: [ssh_failed, ssh_accepted]
  group-by: [source.ip]
  timespan: 10m
)"),
               scenario::lateness(5));
    s.ssh_accepted("10:00:00", "192.0.2.1", "alice", "web01");
    s.ssh_accepted("10:00:00", "192.0.2.1", "alice", "db01");
    s.ssh_failed("10:01:00", "203.0.113.7");
    s.ssh_failed("10:02:00", "198.51.100.9");
    s.ssh_accepted("10:05:00", "198.51.100.9", "bob", "web01"); // answers 198.51.100.9's failure
    s.ssh_accepted("10:20:00", "192.0.2.1", "alice", "db01");   // db01 still talks
    s.advance("10:36:00");
    auto silences = s.alerts(silent);
    REQUIRE(silences.size() == 1);
    CHECK(text(silences[0], "/key/host.name") == "web01");
    CHECK(text(silences[0], "/host") == "web01");
    CHECK(text(silences[0], "/last_seen") == "2026-11-21T10:05:00Z");
    auto open = s.alerts(unanswered);
    REQUIRE(open.size() == 1);
    CHECK(text(open[0], "/key/source.ip") == "203.0.113.7");
}

TEST_CASE("absence timers move with the wall clock when no events arrive", "[correlate]") {
    const std::string silent = "b0000000-0000-4000-8000-00000000000d";
    scenario s(correlation(silent, R"(
  type: absence
  rules: [ssh_accepted]
  group-by: [host.name]
  timespan: 2m
)"),
               scenario::lateness(5));
    s.ssh_accepted("10:00:00", "192.0.2.1", "alice", "web01");
    std::vector<alert::alert> out;
    s.wall(60);
    s.session().shard().tick(true, out);
    CHECK(out.empty());
    s.wall(70); // 130 s without events: event time is taken to have moved as far
    s.session().shard().tick(true, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].terms.rule_id == silent);
}

TEST_CASE("suppress: a quiet key updates its open alert instead of raising new ones",
          "[correlate]") {
    const std::string id = "b0000000-0000-4000-8000-00000000000f";
    scenario s(correlation(id, quiet_brute_force));
    for (int i = 0; i < 9; ++i) {
        const int second = i * 5;
        s.ssh_failed("10:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second),
                     "203.0.113.7");
    }
    s.session().finish();
    auto alerts = s.alerts(id);
    REQUIRE(alerts.size() == 2); // the alert, then one update of it
    CHECK(text(alerts[0], "/id") == text(alerts[1], "/id"));
    CHECK(integer(alerts[0], "/count") == 3);
    CHECK(integer(alerts[1], "/count") == 9);
    CHECK(text(alerts[1], "/last_seen") == "2026-11-21T10:00:40Z");
    CHECK(alerts[1].at_pointer("/evidence").get_array().value().size() == 5);
    // After the quiet period a new burst is a new alert.
    for (auto t : {"10:11:00", "10:11:01", "10:11:02"}) {
        s.ssh_failed(t, "203.0.113.7");
    }
    auto later = s.alerts(id);
    REQUIRE(later.size() == 3);
    CHECK(text(later[2], "/id") != text(alerts[0], "/id"));
}

TEST_CASE("key limits evict the oldest key first and count it", "[correlate]") {
    auto limits = scenario::lateness(60);
    limits.max_keys_per_rule = 2;
    scenario s(brute_force, limits);
    s.ssh_failed("10:00:00", "192.0.2.1");
    s.ssh_failed("10:00:01", "192.0.2.2");
    s.ssh_failed("10:00:02", "192.0.2.1"); // 192.0.2.1 is now the most recent
    s.ssh_failed("10:00:03", "192.0.2.3"); // evicts 192.0.2.2
    s.settle();
    CHECK(s.session().shard().counters().evicted_rule_limit == 1);
    CHECK(s.session().shard().key_count() == 2);
    s.ssh_failed("10:00:04", "192.0.2.1");
    REQUIRE(s.count(brute_force_id) == 1); // 192.0.2.1 kept its two earlier events
    s.ssh_failed("10:00:05", "192.0.2.2");
    s.ssh_failed("10:00:06", "192.0.2.2");
    CHECK(s.count(brute_force_id) == 1); // 192.0.2.2 starts over
}

TEST_CASE("the value limit keeps a threshold above it reachable and sums exact", "[correlate]") {
    const std::string distinct = "b0000000-0000-4000-8000-000000000010";
    const std::string sum = "b0000000-0000-4000-8000-000000000011";
    auto limits = scenario::lateness(60);
    limits.max_values_per_key = 4;
    scenario s(correlation(distinct, R"(
  type: value_count
  rules: [fw_traffic]
  group-by: [source.ip]
  timespan: 10m
  condition: {field: destination.port, gte: 6}
)") + correlation(sum, R"(
  type: value_sum
  rules: [fw_traffic]
  group-by: [source.ip]
  timespan: 10m
  condition: {field: source.bytes, gte: 1000}
)"),
               limits);
    // Ten observations of 100 bytes each: the key holds at most max(4, 2 x threshold) of
    // them; the sum merges the oldest instead of losing them.
    for (int i = 0; i < 10; ++i) {
        s.firewall("10:00:0" + std::to_string(i), "10.1.1.10", "203.0.113.5", 1000 + i, 100);
    }
    REQUIRE(s.count(distinct) == 1);
    CHECK(integer(s.alerts(distinct)[0], "/count") == 6);
    REQUIRE(s.count(sum) == 1);
    CHECK(s.alerts(sum)[0].at_pointer("/correlation/value").get_double().value() == Approx(1000));
    CHECK(integer(s.alerts(sum)[0], "/count") == 10);
    CHECK(s.session().shard().counters().evicted_values > 0);
}

TEST_CASE("the global key limit evicts the key whose newest event is oldest, across rules",
          "[correlate]") {
    const std::string spray = "b0000000-0000-4000-8000-000000000012";
    auto limits = scenario::lateness(60);
    limits.max_keys = 2;
    scenario s(brute_force + correlation(spray, R"(
  type: value_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 60s
  condition: {field: user.name, gte: 3}
)"),
               limits);
    s.ssh_failed("10:00:00", "192.0.2.1"); // one key in each of the two correlations
    s.settle();
    CHECK(s.session().shard().key_count() == 2);
    s.ssh_failed("10:00:05", "192.0.2.2"); // two more keys: the two of 192.0.2.1 go
    s.settle();
    CHECK(s.session().shard().key_count() == 2);
    CHECK(s.session().shard().counters().evicted_global_limit == 2);
}

TEST_CASE("expired keys leave the shard", "[correlate]") {
    scenario s(brute_force);
    s.ssh_failed("10:00:00", "192.0.2.1");
    s.ssh_failed("10:00:00", "192.0.2.2");
    s.settle();
    CHECK(s.session().shard().key_count() == 2);
    s.ssh_failed("10:10:00", "192.0.2.3");
    s.settle();
    CHECK(s.session().shard().key_count() == 1);
    CHECK(s.session().shard().counters().expired == 2);
}

TEST_CASE("a checkpoint restores half-built windows, onto any number of shards", "[correlate]") {
    scenario first(brute_force);
    first.ssh_failed("10:00:00", "203.0.113.7");
    first.ssh_failed("10:00:10", "203.0.113.7");
    first.settle();
    const auto saved = first.session().shard().checkpoint();
    const std::string& blob = saved.state;

    scenario second(brute_force);
    correlate::correlator_shard other(scenario::lateness(60), second.clock());
    std::vector<correlate::correlator_shard*> shards{&second.session().shard(), &other};
    auto restored = correlate::restore_shards(stored_of(saved), shards, second.rules());
    REQUIRE(restored.has_value());
    CHECK(restored->restored == 1);
    const std::size_t owner =
        correlate::route_hash("203.0.113.7", std::vector<std::uint8_t>{0}) % 2;
    if (owner == 0) {
        second.ssh_failed("10:00:20", "203.0.113.7");
        CHECK(second.count(brute_force_id) == 1);
    } else {
        CHECK(other.key_count() == 1);
    }
    // Damage is reported, not restored.
    auto damaged = correlate::restore_shards(
        std::vector<alert::stored_checkpoint>{{blob.substr(0, blob.size() - 3), {}}}, shards,
        second.rules());
    REQUIRE_FALSE(damaged.has_value());
    CHECK_THAT(damaged.error(), Contains("truncated"));
    CHECK_THAT(damaged.error(), Contains("checkpoint"));
}

TEST_CASE("a checkpoint keeps the matches that wait for the watermark", "[correlate]") {
    scenario first(brute_force, scenario::lateness(60));
    first.ssh_failed("10:00:00", "203.0.113.7");
    first.ssh_failed("10:00:10", "203.0.113.7");
    REQUIRE(first.session().shard().buffered() == 2); // not applied yet
    const auto saved = first.session().shard().checkpoint();
    CHECK(saved.full);
    CHECK(saved.segments.size() == 2); // one per batch they came in

    scenario second(brute_force, scenario::lateness(60));
    std::vector<correlate::correlator_shard*> shards{&second.session().shard()};
    auto restored = correlate::restore_shards(stored_of(saved), shards, second.rules());
    REQUIRE(restored.has_value());
    CHECK(restored->waiting == 2);
    CHECK(second.session().shard().buffered() == 2);
    second.ssh_failed("10:00:20", "203.0.113.7");
    auto alerts = second.alerts(brute_force_id);
    REQUIRE(alerts.size() == 1);
    CHECK(text(alerts[0], "/first_seen") == "2026-11-21T10:00:00Z");
}

TEST_CASE("damaged checkpoints are refused with a reason, never half read", "[correlate]") {
    const std::string spray = "b0000000-0000-4000-8000-000000000013";
    scenario first(brute_force + correlation(spray, R"(
  type: value_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 60s
  condition: {field: user.name, gte: 3}
  suppress: 5m
)"));
    first.ssh_failed("10:00:00", "203.0.113.7", "alice");
    first.ssh_failed("10:00:10", "203.0.113.7", "bob");
    first.ssh_failed("10:00:20", "203.0.113.7", "carol"); // fires: an open alert is saved too
    first.ssh_failed("10:00:30", "198.51.100.9", "dave");
    first.settle();
    first.ssh_failed("10:00:40", "198.51.100.9", "erin"); // waits for the watermark
    const auto saved = first.session().shard().checkpoint();
    const std::string& blob = saved.state;
    REQUIRE(blob.size() > 100);
    REQUIRE(saved.segments.size() == 1);
    const std::string& segment = saved.segments[0].second;

    std::size_t refused = 0;
    auto restore = [&](const std::string& state, const std::string& waiting) {
        correlate::correlator_shard target(scenario::lateness(60), first.clock());
        std::vector<correlate::correlator_shard*> shards{&target};
        auto r = correlate::restore_shards(
            std::vector<alert::stored_checkpoint>{{state, {{saved.segments[0].first, waiting}}}},
            shards, first.rules());
        if (!r) {
            ++refused;
            CHECK_FALSE(r.error().empty());
            CHECK(target.key_count() == 0); // nothing half restored
        }
    };
    for (std::size_t n = 0; n < segment.size(); ++n) {
        restore(blob, segment.substr(0, n)); // every truncation of the waiting segment
    }
    CHECK(refused == segment.size());
    refused = 0;
    auto attempt = [&](const std::string& damaged) {
        correlate::correlator_shard target(scenario::lateness(60), first.clock());
        std::vector<correlate::correlator_shard*> shards{&target};
        auto r = correlate::restore_shards(
            std::vector<alert::stored_checkpoint>{{damaged, saved.segments}}, shards,
            first.rules());
        if (!r) {
            ++refused;
            CHECK_FALSE(r.error().empty());
            CHECK(target.key_count() == 0); // nothing half restored
        }
    };
    for (std::size_t n = 0; n < blob.size(); ++n) {
        attempt(blob.substr(0, n)); // every truncation
    }
    CHECK(refused == blob.size());
    std::mt19937 random(7);
    std::size_t flips = 0;
    refused = 0;
    for (int i = 0; i < 300; ++i) {
        std::string damaged = blob;
        auto& byte = damaged[random() % damaged.size()];
        const auto flipped = static_cast<char>(random());
        if (flipped == byte) {
            continue;
        }
        byte = flipped;
        ++flips;
        attempt(damaged);
    }
    CHECK(refused == flips);
    attempt(blob);
    CHECK(refused == flips); // the intact one restores
}

TEST_CASE("each waiting batch is written once, and dropped once its matches have left",
          "[correlate]") {
    scenario first(brute_force, scenario::lateness(60));
    auto& shard = first.session().shard();
    first.ssh_failed("10:00:00", "203.0.113.7");
    const auto c1 = shard.checkpoint();
    CHECK(c1.full); // the first of a run of the shard replaces whatever was stored
    REQUIRE(c1.segments.size() == 1);
    first.ssh_failed("10:00:10", "203.0.113.7");
    const auto c2 = shard.checkpoint();
    CHECK_FALSE(c2.full);
    CHECK(c2.segments.size() == 1); // only the new batch
    CHECK(c2.retired.empty());
    const auto c3 = shard.checkpoint();
    CHECK(c3.segments.empty()); // nothing new: the state alone
    // 10:01:05 moves the watermark past 10:00:05: the first match leaves the buffer.
    first.ssh_failed("10:01:05", "198.51.100.9");
    REQUIRE(shard.buffered() == 2);
    const auto c4 = shard.checkpoint();
    CHECK(c4.retired == std::vector<std::uint64_t>{c1.segments[0].first});
    CHECK(c4.segments.size() == 1);
    const auto stored = stored_after({&c1, &c2, &c3, &c4});
    CHECK(stored.segments.size() == 2);

    // A restart from what the store holds continues where the shard was.
    scenario second(brute_force, scenario::lateness(60));
    std::vector<correlate::correlator_shard*> shards{&second.session().shard()};
    auto restored = correlate::restore_shards(std::vector<alert::stored_checkpoint>{stored}, shards,
                                              second.rules());
    REQUIRE(restored.has_value());
    CHECK(restored->waiting == 2);
    CHECK(restored->restored == 1); // the key the first match opened
    second.ssh_failed("10:00:20", "203.0.113.7");
    auto alerts = second.alerts(brute_force_id);
    REQUIRE(alerts.size() == 1);
    CHECK(text(alerts[0], "/first_seen") == "2026-11-21T10:00:00Z");

    // A segment the state names but the store lost is damage, not a silent loss.
    auto lost = stored;
    lost.segments.erase(lost.segments.begin());
    scenario third(brute_force, scenario::lateness(60));
    std::vector<correlate::correlator_shard*> third_shards{&third.session().shard()};
    auto refused = correlate::restore_shards(std::vector<alert::stored_checkpoint>{lost},
                                             third_shards, third.rules());
    REQUIRE_FALSE(refused.has_value());
    CHECK_THAT(refused.error(), Contains("not stored"));
}

TEST_CASE("a checkpoint leaves out evidence an open alert can no longer take, and a restart "
          "gives the same alert",
          "[correlate]") {
    const std::string quiet_id = "b0000000-0000-4000-8000-000000000021";
    const std::string quiet = correlation(quiet_id, quiet_brute_force);
    auto limits = scenario::lateness(60);
    limits.evidence_per_alert = 1; // full once it fires
    auto feed_first = [](scenario& s) {
        s.ssh_failed("10:00:00", "203.0.113.7", "alice");
        s.ssh_failed("10:00:10", "203.0.113.7", "bob");
        s.ssh_failed("10:00:20", "203.0.113.7", "carol"); // fires with its evidence
        // Filed before the alert exists; quiet once it does.
        s.ssh_failed("10:00:25", "203.0.113.7", "dave");
        s.ssh_failed("10:00:30", "203.0.113.7", "erin");
    };
    auto feed_rest = [](scenario& s) {
        s.ssh_failed("10:01:22", "198.51.100.9"); // the watermark passes carol, not dave
    };
    auto final_alert = [&](scenario& s) {
        s.session().finish();
        std::vector<std::string> out;
        for (const auto& a : s.session().final_alerts()) {
            if (a.terms.rule_id == quiet_id) {
                out.push_back(a.json);
            }
        }
        REQUIRE(out.size() == 1);
        return out[0];
    };
    scenario whole(quiet, limits);
    feed_first(whole);
    feed_rest(whole);
    const std::string expected = final_alert(whole);
    CHECK(expected.find("\"count\":5") != std::string::npos);
    CHECK(expected.find("carol") != std::string::npos);

    scenario first(quiet, limits);
    feed_first(first);
    feed_rest(first);
    REQUIRE(first.session().shard().buffered() == 3); // dave, erin and 198.51.100.9 wait
    const auto saved = first.session().shard().checkpoint();
    std::string segments;
    for (const auto& [serial, blob] : saved.segments) {
        segments += blob;
    }
    CHECK(segments.find("dave") == std::string::npos); // left out: it could not be used
    CHECK(segments.find("198.51.100.9") != std::string::npos);

    scenario second(quiet, limits);
    std::vector<correlate::correlator_shard*> shards{&second.session().shard()};
    auto restored = correlate::restore_shards(stored_of(saved), shards, second.rules());
    REQUIRE(restored.has_value());
    CHECK(restored->waiting == 3);
    CHECK(final_alert(second) == expected);
}

TEST_CASE("matches an open alert can only count are applied on arrival, in any order the same",
          "[correlate]") {
    const std::string quiet_id = "b0000000-0000-4000-8000-000000000022";
    auto limits = scenario::lateness(60);
    limits.evidence_per_alert = 1; // full once it fires (with the event that completes it)
    // Three failures fire the alert; then 40 more within its quiet time, which arrive in time
    // order in one run and shuffled (within the allowed lateness) in the other.
    std::vector<std::string> later;
    for (int i = 0; i < 40; ++i) {
        later.push_back("10:01:" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    }
    auto run = [&](const std::vector<std::string>& order) {
        scenario s(correlation(quiet_id, quiet_brute_force), limits);
        s.ssh_failed("10:00:00", "203.0.113.7", "alice");
        s.ssh_failed("10:00:10", "203.0.113.7", "bob");
        s.ssh_failed("10:00:20", "203.0.113.7", "carol");
        s.ssh_failed("10:01:25", "198.51.100.9"); // the watermark passes the three: it fires
        std::size_t most_waiting = 0;
        for (const auto& at : order) {
            s.ssh_failed(at, "203.0.113.7", "u" + at.substr(6));
            most_waiting = std::max(most_waiting, s.session().shard().buffered());
        }
        s.session().finish();
        std::vector<std::string> out;
        for (const auto& a : s.session().final_alerts()) {
            if (a.terms.rule_id == quiet_id) {
                out.push_back(a.json);
            }
        }
        return std::pair{out, most_waiting};
    };
    const auto [in_order, waited] = run(later);
    auto shuffled = later;
    std::mt19937 random(11);
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    const auto [out_of_order, waited_shuffled] = run(shuffled);
    REQUIRE(in_order.size() == 1);
    CHECK(in_order[0].find("\"count\":43") != std::string::npos);
    CHECK(in_order[0].find("\"last_seen\":\"2026-11-21T10:01:39Z\"") != std::string::npos);
    CHECK(out_of_order == in_order);
    // Its evidence is the event that completed it; the 40 (routed without evidence once the
    // shard published the key as quiet) add none.
    CHECK(in_order[0].find("carol") != std::string::npos);
    CHECK(in_order[0].find("u10") == std::string::npos);
    // The 40 never waited for the watermark (the one other key's match did).
    CHECK(waited <= 2);
    CHECK(waited_shuffled <= 2);
}

TEST_CASE("a suppression's matches after the evidence its next alert has waiting go without "
          "theirs, the alert is the same in any order",
          "[correlate]") {
    const std::string id = "b0000000-0000-4000-8000-000000000031";
    const std::string rule =
        "---\ntitle: every failed login, one alert per source and hour\nid: " + id + R"(
name: failed_suppressed
logsource: {product: linux, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: failure}
  condition: selection
level: medium
suppress: {by: [source.ip], for: 1h}
)";
    auto limits = scenario::lateness(60);
    limits.evidence_per_alert = 3;
    const std::string key = "203.0.113.7";
    const core::prehashed_string hashed{key, correlate::key_hash(key)};
    // Whether the worker step, as the shard last told it, routes a match at `hms` with its event.
    auto needs_evidence = [&](scenario& s, const std::string& hms) {
        const auto& all = s.rules()->correlations().correlations();
        const auto c = static_cast<std::uint32_t>(
            std::find_if(all.begin(), all.end(), [](const auto& x) { return x.suppression; }) -
            all.begin());
        REQUIRE(c < all.size());
        const auto published = s.session().published();
        return !published ||
               published->needs_evidence(s.rules().get(), c, hashed, scenario::ns(hms));
    };
    auto run = [&](const std::vector<std::string>& order, bool look) {
        scenario s(rule, limits);
        for (const auto& at : order) {
            s.ssh_failed(at, key, "u" + at.substr(3, 2) + at.substr(6, 2));
            if (look && at == "10:00:05") {
                CHECK(needs_evidence(s, "10:00:30")); // two of three wait: nothing published
            }
        }
        if (look) {
            // 10:00:00, :05, :10 wait with evidence; nothing has been applied yet, so the alert
            // they open starts no earlier than where event time was settled and is quiet for
            // an hour from there at least.
            CHECK(needs_evidence(s, "10:00:10"));
            CHECK_FALSE(needs_evidence(s, "10:00:11"));
            CHECK_FALSE(needs_evidence(s, "10:30:00"));
            CHECK(needs_evidence(s, "09:59:30")); // earlier: it would be evidence
            CHECK(needs_evidence(s, "11:30:00")); // perhaps the next alert's
        }
        s.session().finish();
        std::vector<std::string> out;
        for (const auto& a : s.session().final_alerts()) {
            if (a.terms.rule_id == id) {
                out.push_back(a.json);
            }
        }
        return out;
    };
    const std::vector<std::string> in_order{"10:00:00", "10:00:05", "10:00:10", "10:00:20",
                                            "10:00:30", "10:00:40", "10:00:50"};
    const auto alerts = run(in_order, true);
    REQUIRE(alerts.size() == 1);
    CHECK_THAT(alerts[0], Contains("\"count\":7"));
    CHECK_THAT(alerts[0], Contains("u0000") && Contains("u0005") && Contains("u0010"));
    CHECK_FALSE(alerts[0].find("u0020") != std::string::npos);
    // An earlier match that comes after the others were routed without evidence is still
    // evidence (it is before the three); any order within the allowed lateness, the same alert.
    std::vector<std::string> later = in_order;
    later.push_back("10:00:02");
    const auto with_earlier = run(later, false);
    REQUIRE(with_earlier.size() == 1);
    CHECK_THAT(with_earlier[0], Contains("u0000") && Contains("u0002") && Contains("u0005"));
    CHECK_FALSE(with_earlier[0].find("u0010") != std::string::npos);
    std::mt19937 random(5);
    for (int i = 0; i < 5; ++i) {
        auto shuffled = later;
        std::shuffle(shuffled.begin(), shuffled.end(), random);
        CHECK(run(shuffled, false) == with_earlier);
    }
}

TEST_CASE("a reload keeps the state of unchanged correlations only", "[correlate]") {
    scenario s(brute_force);
    s.ssh_failed("10:00:00", "203.0.113.7");
    s.ssh_failed("10:00:10", "203.0.113.7");
    s.settle();
    auto same = test::compile_yaml(base_rules + brute_force + "  # a comment changes nothing\n");
    REQUIRE_FALSE(same.diags.has_errors());
    s.session().shard().use(same.result.rules);
    CHECK(s.session().shard().key_count() == 1);
    std::string changed_body = brute_force;
    changed_body.replace(changed_body.find("60s"), 3, "90s");
    auto changed = test::compile_yaml(base_rules + changed_body);
    REQUIRE_FALSE(changed.diags.has_errors());
    s.session().shard().use(changed.result.rules);
    CHECK(s.session().shard().key_count() == 0);
    CHECK(s.session().shard().counters().dropped_on_reload == 1);
}

TEST_CASE("version_behind: a member behind the key's newest version, once it had time to roll "
          "out, the same alert whatever the arrival order",
          "[correlate]") {
    // Stand-ins: the "version" is the user name of an accepted login, the member the source
    // address, the key the host.
    const std::string behind = "b0000000-0000-4000-8000-000000000020";
    const std::string rule = correlation(behind, R"(
  type: version_behind
  rules: [ssh_accepted]
  group-by: [host.name]
  timespan: 1h
  condition:
    field: [user.name, source.ip]
  suppress: 2h
)");
    struct report {
        const char* at;
        const char* version;
        const char* member;
        const char* host;
    };
    const std::vector<report> reports = {
        {"10:00:00", "v1.9", "192.0.2.1", "web01"},
        {"10:00:10", "v1.10", "192.0.2.2", "web01"},  // the newest from here on (10 > 9)
        {"10:00:20", "v1.9", "192.0.2.3", "web01"},   // behind, but the hour has not passed
        {"10:00:30", "v1.2", "192.0.2.9", "db01"},    // another key: its own newest
        {"11:00:10", "v1.10", "192.0.2.1", "web01"},  // up to date
        {"11:00:20", "V1.010", "192.0.2.2", "web01"}, // the same version
        {"11:00:30", "v1.9", "192.0.2.3", "web01"},   // behind an hour after: fires
        {"11:00:40", "v1.8", "192.0.2.4", "web01"},   // behind too: the open alert lists it
        {"11:00:50", "v1.9", "192.0.2.3", "web01"},   // listed once
    };
    auto run = [&](const std::vector<std::size_t>& order) {
        scenario s(rule, scenario::lateness(60));
        for (std::size_t i : order) {
            const auto& r = reports[i];
            s.ssh_accepted(r.at, r.member, r.version, r.host);
        }
        s.advance("12:00:00");
        s.session().finish();
        std::vector<std::string> out;
        for (const auto& a : s.session().alerts()) {
            if (a.terms.rule_id == behind) {
                out.push_back(a.json.substr(a.json.find("\"correlation\"")));
            }
        }
        return out;
    };
    const auto in_order = run({0, 1, 2, 3, 4, 5, 6, 7, 8});
    REQUIRE_FALSE(in_order.empty());
    simdjson::dom::parser parser;
    const auto last = parser.parse("{" + in_order.back()).value();
    CHECK(text(last, "/correlation/type") == "version_behind");
    auto values = last["correlation"]["values"].get_array().value();
    REQUIRE(values.size() == 2);
    CHECK(std::string(values.at(0).get_string().value()) == "192.0.2.3: v1.9 (newest v1.10)");
    CHECK(std::string(values.at(1).get_string().value()) == "192.0.2.4: v1.8 (newest v1.10)");
    CHECK(integer(last, "/count") == 3);
    CHECK(text(last, "/first_seen") == "2026-11-21T11:00:30Z");
    // Reports arriving shuffled within the allowed lateness give the same alerts.
    CHECK(run({1, 0, 3, 2, 5, 4, 7, 8, 6}) == in_order);
    CHECK(run({3, 2, 1, 0, 8, 7, 6, 5, 4}) == in_order);
}

TEST_CASE("version_behind: a key keeps its newest version while members report within two "
          "timespans, whatever else moves event time",
          "[correlate]") {
    const std::string behind = "b0000000-0000-4000-8000-000000000021";
    scenario s(correlation(behind, R"(
  type: version_behind
  rules: [ssh_accepted]
  group-by: [host.name]
  timespan: 1h
  condition:
    field: [user.name, source.ip]
  suppress: 2h
)"),
               scenario::lateness(5));
    s.ssh_accepted("10:00:00", "192.0.2.1", "v2", "db01");
    s.ssh_accepted("10:00:00", "192.0.2.1", "v2", "app01");
    s.ssh_accepted("11:05:00", "192.0.2.9", "v1", "web01"); // other keys move event time on
    s.advance("11:10:00");
    s.ssh_accepted("11:30:00", "192.0.2.2", "v1", "db01"); // 1.5 timespans later: still known
    s.advance("12:00:30");
    s.ssh_accepted("12:01:00", "192.0.2.2", "v1",
                   "app01"); // after two silent timespans: a new start
    s.advance("12:30:00");
    const auto alerts = s.alerts(behind);
    REQUIRE(alerts.size() == 1);
    CHECK(text(alerts[0], "/key/host.name") == "db01");
    CHECK(std::string(alerts[0]["correlation"]["values"].at(0).get_string().value()) ==
          "192.0.2.2: v1 (newest v2)");
}

TEST_CASE("correlation rule errors name file, line, rule and reason, all at once", "[correlate]") {
    auto compiled =
        test::compile_yaml(base_rules + correlation("c0000000-0000-4000-8000-000000000001", R"(
  type: event_count
  rules: [no_such_rule]
  group-by: [source.ip]
  timespan: 10 minutes
  condition: {gte: many}
)") + correlation("c0000000-0000-4000-8000-000000000002", R"(
  type: value_count
  rules: [ssh_failed]
  group-by: [source.ip]
  timespan: 5m
  condition: {gte: 3}
)") + correlation("c0000000-0000-4000-8000-000000000003", R"(
  type: temporal
  rules: [ssh_failed, c0000000-0000-4000-8000-000000000004]
  group-by: [source.ip]
  timespan: 5m
)") + correlation("c0000000-0000-4000-8000-000000000004", R"(
  type: temporal
  rules: [ssh_accepted, c0000000-0000-4000-8000-000000000003]
  group-by: [source.ip]
  timespan: 5m
)") + correlation("c0000000-0000-4000-8000-000000000005", R"(
  type: version_behind
  rules: [ssh_accepted]
  group-by: [host.name]
  timespan: 1d
  condition: {field: user.name, gte: 2}
)"),
                           "bad.yml");
    const std::string all = compiled.diags.to_string();
    INFO(all);
    CHECK_THAT(all, Contains("bad.yml:") && Contains("c0000000-0000-4000-8000-000000000001"));
    CHECK_THAT(all, Contains("'timespan': '10 minutes' is not a positive duration"));
    CHECK_THAT(all, Contains("condition 'gte' needs a number, not 'many'"));
    CHECK_THAT(all, Contains("value_count needs 'condition.field'"));
    CHECK_THAT(all, Contains("cycle"));
    CHECK_THAT(all, Contains("version_behind takes only 'condition.field'"));
    CHECK_THAT(all, Contains("version_behind needs 'condition.field: [VERSION, MEMBER, ...]'"));
    CHECK_THAT(all, Contains("version_behind needs 'suppress'"));
    // The base rules still load.
    CHECK(compiled.result.rules->rules().size() == 3);
}

TEST_CASE("the correlation specification's examples load", "[correlate][shared-data]") {
    const std::string dir = std::string(VIGIL_SHARED_DATA_DIR) +
                            "/sigma-specification/examples-extracted-from-correlation-spec/";
    auto compiled = test::compile_yaml(
        test::read_file(dir + "16_failed_logins_followed_by_successful_login.yml"), "16.yml");
    INFO(compiled.diags.to_string());
    REQUIRE_FALSE(compiled.diags.has_errors());
    const auto& set = *compiled.result.rules;
    REQUIRE(set.correlations().correlations().size() == 2);
    // The outer temporal_ordered alerts; the inner event_count and both base rules do not.
    std::size_t alerting = 0;
    for (const auto& c : set.correlations().correlations()) {
        alerting += c.alerts ? 1 : 0;
    }
    CHECK(alerting == 1);
}

} // namespace vigil
