// Per-input watermarks: states, the combined watermark, idleness, lagging, late reasons.
#include "correlate/input_watermarks.hpp"

#include <catch2/catch.hpp>

using namespace vigil;
using correlate::input_watermarks;
using state = input_watermarks::input_state;

namespace {

constexpr std::int64_t s = 1'000'000'000;
constexpr std::int64_t t0 = 1'800'000'000 * s; // event and processing times near each other

correlate::watermark_limits limits() {
    correlate::watermark_limits l;
    l.allowed_lateness_ns = 30 * s;
    l.idle_timeout_ns = 10 * s;
    l.max_input_lag_ns = 300 * s;
    return l;
}

correlate::input_progress progress(core::input_id input, std::int64_t newest_event,
                                   std::int64_t receipt, std::uint32_t records = 1) {
    correlate::input_progress p;
    p.input = input;
    p.newest_event_ns = newest_event;
    p.newest_receipt_ns = receipt;
    p.records = records;
    p.name = "input " + std::to_string(input);
    return p;
}

} // namespace

TEST_CASE("the watermark is the slowest active input's newest event minus the lateness",
          "[correlate][watermark]") {
    input_watermarks w(limits());
    w.observe(progress(1, t0 + 100 * s, t0));
    w.observe(progress(2, t0 + 40 * s, t0));
    CHECK(w.settle(t0, false) == t0 + 10 * s);
    CHECK(w.find(1)->state == state::active);
    // The slow one catches up: the watermark follows; it never moves back.
    w.observe(progress(2, t0 + 90 * s, t0 + s));
    CHECK(w.settle(t0, false) == t0 + 60 * s);
    w.observe(progress(3, t0 + 5 * s, t0 + s)); // a new input far behind
    CHECK(w.settle(t0, false) == t0 + 60 * s);
    CHECK(w.late(3, t0 + 5 * s) == correlate::late_reason::behind_watermark);
    CHECK_FALSE(w.late(1, t0 + 60 * s).has_value()); // at the watermark is not late
}

TEST_CASE("an input that opened holds the watermark until it sends, goes idle or closes",
          "[correlate][watermark]") {
    input_watermarks w(limits());
    w.opened({2, true, "syslog_tcp 192.0.2.2:4000", t0});
    w.observe(progress(1, t0 + 100 * s, t0));
    CHECK(w.settle(t0, false) == input_watermarks::never); // held where it was (nowhere)
    CHECK(w.find(2)->state == state::waiting);
    CHECK(w.find(2)->name == "syslog_tcp 192.0.2.2:4000");
    w.closed({2, false, {}, t0 + s});
    CHECK(w.settle(t0, false) == t0 + 70 * s);
    CHECK(w.find(2) == nullptr);

    // Idle: nothing for idle_timeout of processing time.
    w.opened({3, true, "kafka logs/0", t0 + s});
    CHECK(w.settle(t0, false) == t0 + 70 * s);
    w.observe(progress(1, t0 + 120 * s, t0 + 12 * s)); // processing time moves on with input 1
    CHECK(w.settle(t0, false) == t0 + 90 * s);
    CHECK(w.find(3)->state == state::idle);
}

TEST_CASE("with no input holding it and nothing on its way, the watermark follows the wall "
          "clock",
          "[correlate][watermark]") {
    input_watermarks w(limits());
    w.observe(progress(1, t0, t0));
    CHECK(w.settle(t0, true) == t0 - 30 * s);
    // Idle, but not caught up (records are still on their way): it stays.
    CHECK(w.settle(t0 + 60 * s, false) == t0 - 30 * s);
    CHECK(w.settle(t0 + 60 * s, true) == t0 + 30 * s); // newest - lateness + 60 s idle
    CHECK(w.find(1)->state == state::idle);
}

TEST_CASE("an input far behind a live leader is lagging and does not hold the others",
          "[correlate][watermark]") {
    input_watermarks w(limits());
    w.observe(progress(1, t0, t0));            // live: its events are as new as its receipt
    w.observe(progress(2, t0 - 7200 * s, t0)); // two hours behind
    CHECK(w.settle(t0, false) == t0 - 30 * s);
    CHECK(w.find(2)->state == state::lagging);
    CHECK(w.leader_ns() == t0);
    CHECK(w.late(2, t0 - 7200 * s) == correlate::late_reason::lagging_input);
    w.count_late(2, correlate::late_reason::lagging_input);
    CHECK(w.find(2)->late[1] == 1);
}

TEST_CASE("inputs of a backlog are read in order, none lagging, however unevenly they arrive",
          "[correlate][watermark]") {
    input_watermarks w(limits());
    // Both far behind the wall clock (old data): the slow one holds the fast one back.
    w.observe(progress(1, t0 - 86'400 * s, t0));
    w.observe(progress(2, t0 - 90'000 * s, t0));
    CHECK(w.settle(t0, false) == t0 - 90'000 * s - 30 * s);
    CHECK(w.find(2)->state == state::active);
}

TEST_CASE("a sender whose clock runs ahead does not make the others lag",
          "[correlate][watermark]") {
    input_watermarks w(limits());
    w.observe(progress(1, t0 + 240 * s, t0)); // 4 minutes ahead of its receipt (within the skew)
    w.observe(progress(2, t0 - 100 * s, t0)); // 100 s behind
    w.settle(t0, false);
    CHECK(w.leader_ns() == t0); // the leader counts no further than its receipt
    CHECK(w.find(2)->state == state::active);
}

TEST_CASE("a restored watermark holds, and moves on with the wall clock from the restart",
          "[correlate][watermark]") {
    input_watermarks w(limits());
    w.restore(t0, t0 - 30 * s, t0 + 100 * s);
    CHECK(w.watermark_ns() == t0 - 30 * s);
    CHECK(w.settle(t0 + 100 * s, true) == t0 - 30 * s);
    CHECK(w.settle(t0 + 160 * s, true) == t0 + 30 * s);
}

TEST_CASE("inputs beyond the limit share one entry", "[correlate][watermark]") {
    auto l = limits();
    l.max_inputs = 2;
    input_watermarks w(l);
    for (core::input_id id = 1; id <= 5; ++id) {
        w.observe(progress(id, t0, t0));
    }
    CHECK(w.size() == 3);
    REQUIRE(w.find(input_watermarks::other_inputs) != nullptr);
    CHECK(w.find(input_watermarks::other_inputs)->records == 3);
    CHECK(w.find(input_watermarks::other_inputs)->name == "other inputs");
}
