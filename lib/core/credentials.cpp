#include "core/credentials.hpp"

#include "core/ascii.hpp"

#include <cstddef>

namespace vigil::core {

std::optional<std::string_view> credential(std::string_view header, std::string_view scheme) {
    header = ascii::trim_blanks(header);
    if (header.size() <= scheme.size() || header[scheme.size()] != ' ') {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = header[i];
        if ((c | 0x20) != (scheme[i] | 0x20)) {
            return std::nullopt;
        }
    }
    return ascii::trim_blanks(header.substr(scheme.size() + 1));
}

bool constant_time_equal(std::string_view given, std::string_view expected) {
    // Every byte of `expected` is looked at whatever `given` holds.
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
        difference |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
    }
    return difference == 0;
}

} // namespace vigil::core
