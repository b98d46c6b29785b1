#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace vigil::bench {

// Seeded generator of realistic syslog lines (~250 bytes on average) from a small Linux web
// and bastion fleet: sshd logins and failures, sudo, cron, nginx access logs with browsers,
// crawlers and scanners, UFW blocks. About `attack_share` of the lines carry attack traffic
// (brute force, SQL injection, path traversal, scanners). The same seed gives the same lines.
class syslog_generator {
public:
    explicit syslog_generator(std::uint64_t seed = 42, double attack_share = 0.05);

    // "<PRI>Mmm dd hh:mm:ss host tag[pid]: message"
    [[nodiscard]] std::string next_rfc3164();
    // "<PRI>1 2026-11-21T10:00:00.123Z host app pid - - message"
    [[nodiscard]] std::string next_rfc5424();

private:
    struct parts {
        int priority;
        std::string host;
        std::string app;
        int pid;
        std::string message;
    };
    parts next_parts();
    std::string ip(bool internal);
    template <typename T, std::size_t N>
    const T& pick(const T (&items)[N]);

    std::mt19937_64 random_;
    double attack_share_;
    std::int64_t clock_ms_;
};

} // namespace vigil::bench
