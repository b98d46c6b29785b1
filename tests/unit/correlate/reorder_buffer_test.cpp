// The reorder buffer and the timer wheel: the order matches and timers leave in.
#include "correlate/reorder_buffer.hpp"
#include "correlate/timer_wheel.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

using namespace vigil;

namespace {

std::shared_ptr<correlate::correlation_batch> batch_of(const std::vector<std::int64_t>& times,
                                                       std::uint64_t salt) {
    auto b = std::make_shared<correlate::correlation_batch>();
    for (std::int64_t t : times) {
        correlate::correlation_match m;
        m.time_ns = t;
        m.record_hash = salt * 1000 + static_cast<std::uint64_t>(t % 1000);
        m.key = b->add_text("k" + std::to_string(t));
        b->matches.push_back(m);
    }
    return b;
}

std::vector<std::int64_t> released(correlate::reorder_buffer& buffer, std::int64_t watermark) {
    std::vector<std::int64_t> out;
    buffer.release(watermark, [&](const correlate::reorder_buffer::stretch& s) {
        for (std::uint32_t k = 0; k < s.size(); ++k) {
            out.push_back(s[k].time_ns);
        }
    });
    return out;
}

} // namespace

TEST_CASE("matches leave the reorder buffer in time order, only before the watermark",
          "[correlate][reorder]") {
    constexpr std::int64_t s = 1'000'000'000;
    correlate::reorder_buffer buffer;
    // Two inputs' batches interleaved, each in order, spanning several seconds.
    auto a = batch_of({1 * s, 3 * s + 5, 6 * s}, 1);
    auto b = batch_of({2 * s, 3 * s + 1, 4 * s, 7 * s}, 2);
    buffer.add(a, {}, true);  // in order: used as they are
    buffer.add(b, {}, false); // in order too, but sorted here: the same result
    CHECK(buffer.size() == 7);
    CHECK(released(buffer, 3 * s + 5) == std::vector<std::int64_t>{1 * s, 2 * s, 3 * s + 1});
    CHECK(released(buffer, 3 * s + 5).empty()); // strictly before
    CHECK(released(buffer, 7 * s) == std::vector<std::int64_t>{3 * s + 5, 4 * s, 6 * s});
    CHECK(buffer.size() == 1);
    CHECK(buffer.held_batches() == 1); // only the batch with a waiting match is kept
}

TEST_CASE("equal times leave in an order that depends on content, not on arrival",
          "[correlate][reorder]") {
    std::vector<std::uint64_t> reference;
    for (int round = 0; round < 5; ++round) {
        auto b = std::make_shared<correlate::correlation_batch>();
        std::vector<std::uint64_t> hashes{9, 3, 7, 1, 5, 8};
        std::shuffle(hashes.begin(), hashes.end(), std::mt19937(static_cast<unsigned>(round)));
        for (auto h : hashes) {
            correlate::correlation_match m;
            m.time_ns = 42;
            m.record_hash = h;
            b->matches.push_back(m);
        }
        correlate::reorder_buffer buffer;
        buffer.add(b, {}, false);
        std::vector<std::uint64_t> order;
        buffer.release(43, [&](const correlate::reorder_buffer::stretch& s) {
            for (std::uint32_t k = 0; k < s.size(); ++k) {
                order.push_back(s[k].record_hash);
            }
        });
        if (round == 0) {
            reference = order;
            CHECK(std::is_sorted(order.begin(), order.end()));
        }
        CHECK(order == reference);
    }
}

TEST_CASE("a batch out of order is sorted, skipped matches never leave, runs interleave",
          "[correlate][reorder]") {
    constexpr std::int64_t s = 1'000'000'000;
    correlate::reorder_buffer buffer;
    auto a = batch_of({5 * s, 1 * s, 9 * s, 3 * s}, 1); // index 2 (9 s) is late: skipped
    const std::vector<std::uint32_t> skip{2};
    buffer.add(a, skip, false);
    auto b = batch_of({2 * s, 4 * s, 6 * s}, 2);
    buffer.add(b, {}, true);
    auto c = batch_of({4 * s}, 3); // the same time as one of b's: the key's hash decides
    buffer.add(c, {}, true);
    CHECK(buffer.size() == 7);
    CHECK(buffer.held_batches() == 3);
    CHECK(released(buffer, 4 * s + 1) ==
          std::vector<std::int64_t>{1 * s, 2 * s, 3 * s, 4 * s, 4 * s});
    CHECK(buffer.held_batches() == 2); // c left with its only match
    CHECK(released(buffer, 100 * s) == std::vector<std::int64_t>{5 * s, 6 * s});
    CHECK(buffer.empty());
    CHECK(buffer.held_batches() == 0);
}

TEST_CASE("a batch in order with late matches skipped keeps its order without sorting",
          "[correlate][reorder]") {
    constexpr std::int64_t s = 1'000'000'000;
    correlate::reorder_buffer buffer;
    auto a = batch_of({1 * s, 2 * s, 3 * s, 4 * s}, 1);
    const std::vector<std::uint32_t> skip{0, 2};
    buffer.add(a, skip, true);
    buffer.add(batch_of({3 * s + 1}, 2), {}, true);
    CHECK(buffer.size() == 3);
    CHECK(released(buffer, 10 * s) == std::vector<std::int64_t>{2 * s, 3 * s + 1, 4 * s});
    CHECK(buffer.empty());
}

TEST_CASE("timers come due strictly before the time moved to, earliest first, within a second",
          "[correlate][timer]") {
    correlate::timer_wheel wheel;
    constexpr std::int64_t base = 1'800'000'000'000'000'000;
    wheel.schedule(base + 700'000'000, {1, 0, 0, 0});
    wheel.schedule(base + 200'000'000, {2, 0, 0, 0});
    wheel.schedule(base + 5'000'000'000, {3, 0, 0, 0});
    wheel.schedule(base + 5'000ll * 1'000'000'000, {4, 0, 0, 0}); // more than a turn ahead
    std::vector<std::uint32_t> due;
    auto on = [&](const correlate::timer_wheel::item& it) { due.push_back(it.table); };
    auto ahead = [](const correlate::timer_wheel::item&) {};
    wheel.advance(base + 200'000'000, on, ahead); // due exactly now: not yet
    CHECK(due.empty());
    wheel.advance(base + 200'000'001, on, ahead);
    CHECK(due == std::vector<std::uint32_t>{2});
    wheel.advance(base + 4'000'000'000, on, ahead);
    CHECK(due == std::vector<std::uint32_t>{2, 1});
    wheel.advance(base + 4'200ll * 1'000'000'000, on, ahead); // past a whole turn
    CHECK(due == std::vector<std::uint32_t>{2, 1, 3});
    CHECK(wheel.size() == 1);
    wheel.advance(base + 5'001ll * 1'000'000'000, on, ahead);
    CHECK(due == std::vector<std::uint32_t>{2, 1, 3, 4});
}

TEST_CASE("timers scheduled while others come due, and jumps of more than a turn, keep due order",
          "[correlate][timer]") {
    correlate::timer_wheel wheel;
    constexpr std::int64_t second = 1'000'000'000;
    constexpr std::int64_t base = 1'800'000'000'000'000'000;
    wheel.schedule(base + 100, {1, 0, 0, 0});
    wheel.schedule(base + 900, {2, 0, 0, 0});
    std::vector<std::uint32_t> due;
    auto ahead = [](const correlate::timer_wheel::item&) {};
    // Item 1 schedules item 3 for a time in the reached second, between 1 and 2: it comes up in
    // the same call, before 2.
    wheel.advance(
        base + second,
        [&](const correlate::timer_wheel::item& it) {
            due.push_back(it.table);
            if (it.table == 1) {
                wheel.schedule(base + 500, {3, 0, 0, 0});
            }
        },
        ahead);
    CHECK(due == std::vector<std::uint32_t>{1, 3, 2});
    // Items in many buckets, then a jump of two turns: all leave earliest first.
    due.clear();
    const std::int64_t start = base + 2 * second;
    for (std::uint32_t i = 0; i < 20; ++i) {
        // Descending due times over seconds spread across the wheel.
        wheel.schedule(start + static_cast<std::int64_t>(20 - i) * 300 * second + i,
                       {100 + i, 0, 0, 0});
    }
    auto on = [&](const correlate::timer_wheel::item& it) { due.push_back(it.table); };
    wheel.advance(start + 2ll * correlate::timer_wheel::bucket_count * second, on, ahead);
    REQUIRE(due.size() == 20);
    for (std::uint32_t i = 0; i < 20; ++i) {
        CHECK(due[i] == 119 - i);
    }
    CHECK(wheel.size() == 0);
}

TEST_CASE("checkpoints write each run once and retire it when its last match has left",
          "[correlate][reorder]") {
    constexpr std::int64_t s = 1'000'000'000;
    correlate::reorder_buffer buffer;
    buffer.add(batch_of({1 * s, 2 * s, 3 * s}, 1), {}, true);
    buffer.add(batch_of({5 * s}, 2), {}, true);
    auto written = [&] {
        std::vector<std::pair<std::uint64_t, std::vector<std::int64_t>>> runs;
        buffer.persist_new([&](std::uint64_t serial, const auto& run) {
            std::vector<std::int64_t> times;
            for (std::uint32_t k = 0; k < run.size(); ++k) {
                times.push_back(run[k].time_ns);
            }
            runs.emplace_back(serial, times);
        });
        std::sort(runs.begin(), runs.end());
        return runs;
    };
    auto progress = [&] {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> left;
        buffer.for_each_persisted(
            [&](std::uint64_t serial, std::uint32_t n) { left.emplace_back(serial, n); });
        std::sort(left.begin(), left.end());
        return left;
    };
    const auto first = written();
    REQUIRE(first.size() == 2);
    CHECK(first[0].second == std::vector<std::int64_t>{1 * s, 2 * s, 3 * s});
    CHECK(first[1].second == std::vector<std::int64_t>{5 * s});
    CHECK(written().empty()); // nothing new
    CHECK(released(buffer, 2 * s + 1) == std::vector<std::int64_t>{1 * s, 2 * s});
    CHECK(progress() == std::vector<std::pair<std::uint64_t, std::uint32_t>>{{first[0].first, 2},
                                                                             {first[1].first, 0}});
    CHECK(buffer.take_retired().empty());
    buffer.add(batch_of({4 * s}, 3), {}, true);
    CHECK(released(buffer, 3 * s + 1) == std::vector<std::int64_t>{3 * s});
    CHECK(buffer.take_retired() == std::vector<std::uint64_t>{first[0].first});
    const auto second = written(); // only the new run
    REQUIRE(second.size() == 1);
    CHECK(second[0].second == std::vector<std::int64_t>{4 * s});
    CHECK(second[0].first != first[0].first);
    buffer.forget_persisted(); // a full checkpoint writes every waiting run again
    CHECK(written().size() == 2);
    CHECK(released(buffer, 100 * s) == std::vector<std::int64_t>{4 * s, 5 * s});
    CHECK(buffer.take_retired().size() == 2);
}
