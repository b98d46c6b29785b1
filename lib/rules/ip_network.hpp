#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::rules {

// An IPv4 or IPv6 address or network (address/prefix). IPv4 is kept as its IPv4-mapped IPv6
// form, so one structure serves both families.
struct ip_network {
    std::array<std::uint8_t, 16> bytes{}; // network address, host bits cleared
    std::uint8_t prefix = 128;            // in IPv6 bits (an IPv4 /24 is /120)
    bool v4 = false;

    // "10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "::1". Nothing if it is not one.
    [[nodiscard]] static std::optional<ip_network> parse(std::string_view text);
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const ip_network&, const ip_network&) = default;
    friend auto operator<=>(const ip_network&, const ip_network&) = default;
};

// An address parsed from an event value (IPv4 as mapped IPv6), or nothing.
[[nodiscard]] std::optional<std::array<std::uint8_t, 16>> parse_ip_address(std::string_view text);

// `address` with all but the first `prefix` bits cleared.
[[nodiscard]] std::array<std::uint8_t, 16> mask_address(const std::array<std::uint8_t, 16>& address,
                                                        std::uint8_t prefix);

} // namespace vigil::rules

namespace vigil::rules {

// Networks, each with a value (an index), searched by address: the most specific network that
// holds it wins. One map per prefix length, longest first, so a lookup costs one map search
// per distinct prefix length.
class network_lookup {
public:
    // Keeps the first value given for the same network.
    void add(const ip_network& network, std::size_t value);
    [[nodiscard]] std::optional<std::size_t>
    find(const std::array<std::uint8_t, 16>& address) const;
    // An address as text ("192.0.2.1", "2001:db8::1"); nothing for anything else.
    [[nodiscard]] std::optional<std::size_t> find(std::string_view address) const;
    [[nodiscard]] bool empty() const { return by_prefix_.empty(); }

private:
    std::map<std::uint8_t, std::map<std::array<std::uint8_t, 16>, std::size_t>, std::greater<>>
        by_prefix_;
};

} // namespace vigil::rules
