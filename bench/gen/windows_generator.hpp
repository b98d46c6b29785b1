#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace vigil::bench {

// One Windows event as (Sigma field name, value) pairs: what the windows mapping makes of a
// Sysmon record (EventID, Channel, Computer, Image, CommandLine, ...).
struct windows_event {
    std::vector<std::pair<std::string, std::string>> fields;

    // The event as EVTX-shaped JSON ({"Event":{"System":{...},"EventData":{...}}}).
    [[nodiscard]] std::string to_json() const;
    [[nodiscard]] std::size_t value_bytes() const;
};

// Seeded generator of Sysmon process creation events (event 1): mostly benign activity of a
// Windows fleet (services, browsers, Office, shells, updaters) with randomised users, hosts,
// ids, hashes and arguments, and `attack_share` of replays of real attack events (the shared
// SigmaHQ regression events) with their host, user and ids varied.
class windows_generator {
public:
    windows_generator(std::uint64_t seed, std::vector<windows_event> attacks,
                      double attack_share = 0.02);

    [[nodiscard]] windows_event next();

    // The Sysmon event 1 records of SigmaHQ regression JSON files under `dir` (recursively).
    [[nodiscard]] static std::vector<windows_event> load_attacks(const std::string& dir);

private:
    std::string hex(std::size_t digits);
    std::string guid();

    std::mt19937_64 random_;
    std::vector<windows_event> attacks_;
    double attack_share_;
};

} // namespace vigil::bench
