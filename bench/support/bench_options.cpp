#include "support/bench_options.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace vigil::bench {
namespace {

[[noreturn]] void usage(const char* program, const bench_options& defaults) {
    std::cerr << "usage: " << program << " [--smoke] [--events N]";
    for (const auto& [name, value] : defaults.paths) {
        std::cerr << " [" << name << " DIR]";
    }
    std::cerr << " [--json FILE]\n";
    std::exit(2);
}

} // namespace

bench_options parse_bench_options(int argc, char** argv, bench_options defaults,
                                  std::size_t smoke_events) {
    bench_options out = std::move(defaults);
    for (int i = 0; i < argc; ++i) {
        out.command += (i ? " " : "") + std::string(argv[i]);
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << arg << " needs a value\n";
                usage(argv[0], out);
            }
            return argv[++i];
        };
        if (arg == "--smoke") {
            out.smoke = true;
        } else if (arg == "--events") {
            const std::string n = value();
            char* end = nullptr;
            out.events = std::strtoul(n.c_str(), &end, 10);
            if (n.empty() || *end != '\0' || out.events == 0) {
                std::cerr << "--events needs a positive number\n";
                usage(argv[0], out);
            }
        } else if (arg == "--json") {
            out.json = value();
        } else if (out.paths.contains(arg)) {
            out.paths[arg] = value();
        } else {
            usage(argv[0], out);
        }
    }
    if (out.smoke) {
        out.events = std::min(out.events, smoke_events);
    }
    return out;
}

} // namespace vigil::bench
