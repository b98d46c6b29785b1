#pragma once

#include "core/raw_record.hpp"
#include "core/time_zone.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::parse {

// The per-source time zones of `time.zones`: the zone of a sender's zone-less timestamps, chosen
// by the sender's address (`source: CIDR`, core::raw_record::peer) or by the host name the record
// carries (`host: GLOB`, the syslog HOSTNAME or host.name), first match wins. Zones are resolved
// when the configuration is loaded; matching is a few byte compares or a short glob per rule, as
// it runs per record. Immutable once built; shared by every worker.
class source_zone_rules {
public:
    // Adds a `source` rule. `network`: "10.0.0.0/8", "192.0.2.7", "2001:db8::/32". Returns an
    // error (naming the value) when it is not an address or network.
    [[nodiscard]] std::string add_network(std::string_view network,
                                          std::shared_ptr<const core::time_zone> zone);
    // Adds a `host` rule: `glob` with `*` (any run of characters) and `?` (one character),
    // compared without regard to ASCII case, as host names are. Returns an error when empty.
    [[nodiscard]] std::string add_host(std::string_view glob,
                                       std::shared_ptr<const core::time_zone> zone);

    // The zone of the first rule that `peer` or `host` matches (an unknown peer and an empty host
    // match no rule), or null.
    [[nodiscard]] const core::time_zone* find(const core::peer_address& peer,
                                              std::string_view host) const;
    // True if some rule tests the host name: the zone then depends on the record's contents.
    [[nodiscard]] bool tests_hosts() const { return tests_hosts_; }
    [[nodiscard]] bool empty() const { return rules_.empty(); }
    [[nodiscard]] std::size_t size() const { return rules_.size(); }

private:
    struct rule {
        // source rules: the network in IPv6 form (IPv4 as ::ffff:a.b.c.d) and its prefix bits
        std::array<std::uint8_t, 16> network{};
        unsigned prefix = 0;
        std::string glob; // host rules: lower-case; empty for source rules
        std::shared_ptr<const core::time_zone> zone;
    };
    [[nodiscard]] static bool in_network(const rule& r, const std::array<std::uint8_t, 16>& a);

    std::vector<rule> rules_;
    bool tests_hosts_ = false;
};

// `text` matches `glob` (`*`, `?`; ASCII case ignored). `glob` must be lower-case.
[[nodiscard]] bool host_glob_matches(std::string_view glob, std::string_view text);

} // namespace vigil::parse
