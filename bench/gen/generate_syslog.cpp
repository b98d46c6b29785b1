// Writes N generated syslog lines (bench/gen/syslog_generator, seeded) to stdout, one per line:
//   vigil_generate_syslog N [rfc3164|rfc5424] [SEED]
#include "gen/syslog_generator.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: vigil_generate_syslog N [rfc3164|rfc5424] [SEED]\n");
        return 2;
    }
    const long long n = std::atoll(argv[1]);
    const bool rfc5424 = argc > 2 && std::string(argv[2]) == "rfc5424";
    const auto seed = static_cast<std::uint64_t>(argc > 3 ? std::atoll(argv[3]) : 42);
    vigil::bench::syslog_generator gen(seed);
    std::string out;
    out.reserve(1 << 20);
    for (long long i = 0; i < n; ++i) {
        out += rfc5424 ? gen.next_rfc5424() : gen.next_rfc3164();
        out += '\n';
        if (out.size() > (1 << 20) - 4096) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
