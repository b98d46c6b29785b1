#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace vigil::core {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count. Updated with relaxed atomics; data-plane components add
// their per-batch totals rather than touching it per record.
class counter {
public:
    void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down.
class gauge {
public:
    void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
    void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
    [[nodiscard]] std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

// Owns every metric of a process. Components register their series at start-up (from any
// thread) and keep the returned references, which stay valid for the registry's lifetime.
// Registering the same name and labels twice returns the same series.
class metrics_registry {
public:
    enum class kind { counter, gauge };

    struct series_view {
        const metric_labels& labels;
        std::int64_t value;
    };
    struct family_view {
        const std::string& name;
        const std::string& help;
        kind type;
        std::vector<series_view> series;
    };

    counter& make_counter(const std::string& name, const std::string& help,
                          metric_labels labels = {});
    gauge& make_gauge(const std::string& name, const std::string& help, metric_labels labels = {});

    // A family whose series are not known in advance and come and go (one per input): `collect`
    // lists them whenever the registry is visited, from the visiting thread, so it must be
    // thread-safe. Families added this way come after the others; adding a family of the same
    // name again replaces its collector.
    using collector = std::function<void(std::vector<std::pair<metric_labels, std::int64_t>>&)>;
    void add_collector(const std::string& name, const std::string& help, kind type,
                       collector collect);

    // Calls `visit` once per family, in registration order, with a snapshot of its series.
    void visit(const std::function<void(const family_view&)>& visit) const;

    // Value of one series, for tests and health checks; 0 if it does not exist.
    [[nodiscard]] std::int64_t value(const std::string& name,
                                     const metric_labels& labels = {}) const;

private:
    struct series_entry {
        metric_labels labels;
        counter* as_counter = nullptr;
        gauge* as_gauge = nullptr;
    };
    struct family {
        std::string name;
        std::string help;
        kind type;
        std::vector<series_entry> series;
    };
    family& family_for(const std::string& name, const std::string& help, kind type);

    struct collected_family {
        std::string name;
        std::string help;
        kind type;
        collector collect;
    };

    mutable std::mutex mutex_;
    std::deque<family> families_;
    std::vector<collected_family> collected_;
    std::deque<counter> counters_;
    std::deque<gauge> gauges_;
};

} // namespace vigil::core
