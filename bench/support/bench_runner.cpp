#include "support/bench_runner.hpp"

#include "core/json_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <ostream>

namespace vigil::bench {
namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string format(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

} // namespace

bench_runner::bench_runner(std::string title, std::string command, bool smoke, double min_seconds)
    : title_(std::move(title)), command_(std::move(command)), smoke_(smoke),
      min_seconds_(min_seconds) {}

void bench_runner::measure(const std::string& name, std::size_t events,
                           const std::function<void()>& pass,
                           const std::optional<std::string>& reference, std::size_t bytes) {
    measure_cases(name, events, nullptr, pass, reference, bytes);
}

void bench_runner::measure_with_setup(const std::string& name, std::size_t events,
                                      const std::function<void()>& setup,
                                      const std::function<void()>& pass,
                                      const std::optional<std::string>& reference) {
    measure_cases(name, events, setup, pass, reference, 0);
}

void bench_runner::measure_cases(const std::string& name, std::size_t events,
                                 const std::function<void()>& setup,
                                 const std::function<void()>& pass,
                                 const std::optional<std::string>& reference, std::size_t bytes) {
    std::vector<double> rates;
    const int repetitions = smoke_ ? 1 : 3;
    for (int r = 0; r < repetitions; ++r) {
        std::size_t passes = 0;
        double elapsed = 0;
        do {
            if (setup) {
                setup();
            }
            const double start = thread_cpu_seconds();
            pass();
            elapsed += thread_cpu_seconds() - start;
            ++passes;
        } while (!smoke_ && elapsed < min_seconds_);
        rates.push_back(static_cast<double>(events * passes) / std::max(elapsed, 1e-9));
    }
    std::sort(rates.begin(), rates.end());
    results_.push_back({name, rates[rates.size() / 2], reference,
                        events > 0 ? static_cast<double>(bytes) / static_cast<double>(events) : 0});
    std::fprintf(stderr, "  %-58s %14.0f events/s\n", name.c_str(),
                 results_.back().events_per_second);
}

const bench_runner::result* bench_runner::find(const std::string& name) const {
    for (const auto& r : results_) {
        if (r.name == name) {
            return &r;
        }
    }
    return nullptr;
}

void bench_runner::print_markdown(std::ostream& out) const {
    out << "### " << title_ << (smoke_ ? " (smoke run: numbers are not meaningful)" : "") << "\n\n";
    out << "Command: `" << command_ << "`\n\n";
    const bool with_bytes = std::any_of(results_.begin(), results_.end(),
                                        [](const result& r) { return r.bytes_per_event > 0; });
    out << "| case | events/s per core | ns/event |" << (with_bytes ? " MB/s per core |" : "")
        << " vs reference |\n";
    out << "| --- | ---: | ---: |" << (with_bytes ? " ---: |" : "") << " --- |\n";
    for (const auto& r : results_) {
        std::string ratio = "-";
        if (r.reference) {
            if (const result* ref = find(*r.reference)) {
                ratio = format(r.events_per_second / ref->events_per_second, 1) + "x" + " " +
                        *r.reference;
            }
        }
        out << "| " << r.name << " | " << format(r.events_per_second, 0) << " | "
            << format(1e9 / r.events_per_second, 0) << " | ";
        if (with_bytes) {
            out << (r.bytes_per_event > 0 ? format(r.events_per_second * r.bytes_per_event / 1e6, 0)
                                          : std::string("-"))
                << " | ";
        }
        out << ratio << " |\n";
    }
    for (const auto& n : notes_) {
        out << "\n" << n << "\n";
    }
}

void bench_runner::write_json(const std::string& path) const {
    std::string text;
    core::json_writer w(text);
    w.begin_object().field("title", title_).field("command", command_).field("smoke", smoke_);
    w.key("results").begin_array();
    for (const auto& r : results_) {
        w.begin_object().field("case", r.name).field("events_per_second", r.events_per_second);
        w.field("ns_per_event", 1e9 / r.events_per_second);
        if (r.bytes_per_event > 0) {
            w.field("megabytes_per_second", r.events_per_second * r.bytes_per_event / 1e6);
        }
        if (r.reference) {
            if (const result* ref = find(*r.reference)) {
                w.field("reference", *r.reference);
                w.field("ratio", r.events_per_second / ref->events_per_second);
            }
        }
        w.end_object();
    }
    w.end_array();
    w.key("notes").begin_array();
    for (const auto& n : notes_) {
        w.value(n);
    }
    w.end_array().end_object();
    std::ofstream(path) << text << "\n";
}

} // namespace vigil::bench
