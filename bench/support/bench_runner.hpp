#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace vigil::bench {

// Measures benchmark cases on the calling thread's CPU clock (so results are per core even on
// a busy machine) and reports them as events/s, ns/event and ratios against a reference case
// measured in the same run. Each case runs repeated passes for at least `min_seconds`, three
// times; the median is reported. --smoke mode runs one pass of each, to keep them working in CI.
class bench_runner {
public:
    bench_runner(std::string title, std::string command, bool smoke, double min_seconds = 0.5);

    // `pass` processes `events` events once. `reference` names an earlier case to compare with.
    // `bytes`, when given, is the input size of one pass: the report adds MB/s.
    void measure(const std::string& name, std::size_t events, const std::function<void()>& pass,
                 const std::optional<std::string>& reference = std::nullopt, std::size_t bytes = 0);
    // As measure, with `setup` run before each pass off the clock: it makes the input a pass
    // consumes (fresh copies of what the pass changes), which is not the work measured.
    void measure_with_setup(const std::string& name, std::size_t events,
                            const std::function<void()>& setup, const std::function<void()>& pass,
                            const std::optional<std::string>& reference = std::nullopt);
    void note(const std::string& text) { notes_.push_back(text); }

    void print_markdown(std::ostream& out) const;
    void write_json(const std::string& path) const;

    struct result {
        std::string name;
        double events_per_second;
        std::optional<std::string> reference;
        double bytes_per_event = 0;
    };
    // A case measured so far, by name (for notes that combine cases).
    [[nodiscard]] const result* find(const std::string& name) const;

private:
    void measure_cases(const std::string& name, std::size_t events,
                       const std::function<void()>& setup, const std::function<void()>& pass,
                       const std::optional<std::string>& reference, std::size_t bytes);

    std::string title_;
    std::string command_;
    bool smoke_;
    double min_seconds_;
    std::vector<result> results_;
    std::vector<std::string> notes_;
};

} // namespace vigil::bench
