#pragma once

#include "core/arena.hpp"
#include "parse/parse_error.hpp"
#include "parse/vendor_fields.hpp"

#include <string_view>

namespace vigil::parse {

// How key=value text is laid out.
struct kv_format {
    char separator = ' '; // between pairs; ' ' means any run of spaces and tabs
    char assign = '=';
};

// key=value text as firewalls write it: FortiGate (`srcip=10.0.0.1 devname="FW 1"`), netfilter
// LOG lines (`IN=eth0 OUT= SRC=... DPT=22 SYN`), and anything alike. Values may be quoted with
// " or ' (then they hold separators; \" and \\ are undone); words without '=' (flags such as
// SYN, or a free-text prefix) are skipped; a key is the run of letters, digits, '_', '.' and '-'
// just before '=' ("[WAN_OUT-2000-A]IN=eth0" gives IN). A key that repeats keeps every value,
// in order. Stateless.
class kv_parser {
public:
    // Appends the pairs of `text` to `out`. Returns unterminated_quote (the value runs to the
    // end) or bad_extension (no pair at all).
    [[nodiscard]] parse_error parse(std::string_view text, vendor_fields& out, core::arena& scratch,
                                    kv_format format = {}) const;

    // How many pairs the first `probe` bytes of `text` start with: the auto-detector calls
    // text with three or more leading pairs key=value.
    [[nodiscard]] static std::size_t leading_pairs(std::string_view text, std::size_t probe = 256);

    static constexpr std::string_view name = "kv";
};

} // namespace vigil::parse
