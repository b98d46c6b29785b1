#include "parse/source_zone_rules.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

namespace vigil::parse {
namespace {

// An address as 16 bytes, IPv4 in its IPv4-mapped IPv6 form, so one comparison serves both.
std::array<std::uint8_t, 16> mapped_v4(const std::uint8_t* v4) {
    std::array<std::uint8_t, 16> out{};
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, v4, 4);
    return out;
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::string source_zone_rules::add_network(std::string_view text,
                                           std::shared_ptr<const core::time_zone> zone) {
    const std::string error = "'" + std::string(text) +
                              "' is not an address or a network such as 10.0.0.0/8 or "
                              "2001:db8::/32";
    const std::size_t slash = text.find('/');
    const std::string address(text.substr(0, slash));
    rule r;
    unsigned max_prefix = 128;
    std::uint8_t v4[4];
    if (inet_pton(AF_INET, address.c_str(), v4) == 1) {
        r.network = mapped_v4(v4);
        max_prefix = 32;
    } else if (inet_pton(AF_INET6, address.c_str(), r.network.data()) != 1) {
        return error;
    }
    unsigned prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
            prefix > max_prefix) {
            return error;
        }
    }
    r.prefix = prefix + (max_prefix == 32 ? 96 : 0);
    // Host bits are cleared so that "10.1.2.3/8" means 10.0.0.0/8, as routers read it.
    for (unsigned bit = r.prefix; bit < 128; ++bit) {
        r.network[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    }
    r.zone = std::move(zone);
    rules_.push_back(std::move(r));
    return {};
}

std::string source_zone_rules::add_host(std::string_view glob,
                                        std::shared_ptr<const core::time_zone> zone) {
    if (glob.empty()) {
        return "a host pattern must not be empty";
    }
    rule r;
    for (char c : glob) {
        r.glob += lower(c);
    }
    r.zone = std::move(zone);
    rules_.push_back(std::move(r));
    tests_hosts_ = true;
    return {};
}

bool source_zone_rules::in_network(const rule& r, const std::array<std::uint8_t, 16>& a) {
    const unsigned whole = r.prefix / 8;
    if (std::memcmp(a.data(), r.network.data(), whole) != 0) {
        return false;
    }
    const unsigned rest = r.prefix % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xffu << (8 - rest));
    return (a[whole] & mask) == r.network[whole];
}

const core::time_zone* source_zone_rules::find(const core::peer_address& peer,
                                               std::string_view host) const {
    std::array<std::uint8_t, 16> address{};
    if (peer.known) {
        address = peer.is_v6 ? peer.bytes : mapped_v4(peer.bytes.data());
    }
    for (const rule& r : rules_) {
        if (r.glob.empty() ? peer.known && in_network(r, address)
                           : !host.empty() && host_glob_matches(r.glob, host)) {
            return r.zone.get();
        }
    }
    return nullptr;
}

bool host_glob_matches(std::string_view glob, std::string_view text) {
    // Iterative matching with one backtrack point (the last '*'): linear in practice, and no
    // recursion on hostile host names.
    std::size_t g = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (t < text.size()) {
        if (g < glob.size() && (glob[g] == '?' || glob[g] == lower(text[t]))) {
            ++g;
            ++t;
        } else if (g < glob.size() && glob[g] == '*') {
            star = g++;
            resume = t;
        } else if (star != std::string_view::npos) {
            g = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (g < glob.size() && glob[g] == '*') {
        ++g;
    }
    return g == glob.size();
}

} // namespace vigil::parse
