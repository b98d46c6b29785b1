#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace vigil::bench {

// The command line of a benchmark: --smoke, --events N, --json FILE, and the path options the
// benchmark declares (--peers DIR, --sigma DIR, ...), each with its default.
struct bench_options {
    std::string command; // as given, for the report
    bool smoke = false;
    std::size_t events = 0;
    std::string json;
    std::map<std::string, std::string> paths; // "--sigma" -> DIR

    [[nodiscard]] const std::string& path(const std::string& name) const { return paths.at(name); }
};

// Reads argv over `defaults`; prints a usage line and exits 2 on an unknown or incomplete option.
// With --smoke, events are capped at `smoke_events`.
[[nodiscard]] bench_options parse_bench_options(int argc, char** argv, bench_options defaults,
                                                std::size_t smoke_events);

} // namespace vigil::bench
