#include "rules/sigma_pattern.hpp"

#include <charconv>
#include <hs.h>

namespace vigil::rules {
namespace {

using piece = value_pattern::piece;

void append_literal(std::string& out, char c) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_') {
        out += c;
        return;
    }
    static constexpr char hex[] = "0123456789abcdef";
    out += "\\x";
    out += hex[u >> 4];
    out += hex[u & 0xf];
}

} // namespace

hs_expression build_expression(const value_pattern& value, match_kind kind, bool cased) {
    hs_expression expr;
    expr.flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL;
    if (!cased) {
        expr.flags |= HS_FLAG_CASELESS;
    }
    std::vector<piece> pieces = value.pieces;
    bool anchor_start = kind == match_kind::equals || kind == match_kind::startswith;
    bool anchor_end = kind == match_kind::equals || kind == match_kind::endswith;
    // "*x" anchored at the start is "x" unanchored, and likewise at the end.
    std::size_t first = 0;
    while (first < pieces.size() && pieces[first].type == piece::kind::any_run) {
        ++first;
        anchor_start = false;
    }
    std::size_t last = pieces.size();
    while (last > first && pieces[last - 1].type == piece::kind::any_run) {
        --last;
        anchor_end = false;
    }
    if (first == last && !anchor_start) {
        anchor_end = false; // "*" alone: any value at all
    }
    if (anchor_start) {
        expr.pattern += "\\A";
    }
    for (std::size_t i = first; i < last; ++i) {
        switch (pieces[i].type) {
        case piece::kind::literal:
            append_literal(expr.pattern, pieces[i].byte);
            break;
        case piece::kind::any_run:
            expr.pattern += ".*";
            break;
        case piece::kind::any_one:
            expr.pattern += '.';
            break;
        case piece::kind::any_dash:
            expr.pattern += "(?:\\x2d|\\x2f|\\xe2\\x80\\x93|\\xe2\\x80\\x94|\\xe2\\x80\\x95)";
            break;
        }
    }
    if (anchor_end) {
        expr.pattern += "\\z";
    }
    return expr;
}

hs_expression build_regex(std::string_view pattern, const regex_flags& flags) {
    hs_expression expr;
    expr.pattern = std::string(pattern);
    expr.flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
    if (flags.caseless) {
        expr.flags |= HS_FLAG_CASELESS;
    }
    if (flags.multiline) {
        expr.flags |= HS_FLAG_MULTILINE;
    }
    if (flags.dotall) {
        expr.flags |= HS_FLAG_DOTALL;
    }
    return expr;
}

std::optional<std::string> regex_hazard(std::string_view pattern) {
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\') {
            ++i; // an escaped character, "\{" included
            continue;
        }
        if (pattern[i] != '{') {
            continue;
        }
        // {n}, {n,}, {n,m}: read the numbers.
        const std::size_t close = pattern.find('}', i);
        if (close == std::string_view::npos) {
            break;
        }
        const std::string_view inside = pattern.substr(i + 1, close - i - 1);
        const std::size_t comma = inside.find(',');
        unsigned low = 0;
        unsigned high = 0;
        const std::string_view low_text = inside.substr(0, comma);
        const std::string_view high_text =
            comma == std::string_view::npos ? low_text : inside.substr(comma + 1);
        auto a = std::from_chars(low_text.data(), low_text.data() + low_text.size(), low);
        auto b = std::from_chars(high_text.data(), high_text.data() + high_text.size(), high);
        const bool too_big =
            a.ec == std::errc::result_out_of_range || b.ec == std::errc::result_out_of_range;
        const bool numeric = a.ec == std::errc{} && a.ptr == low_text.data() + low_text.size() &&
                             (high_text.empty() || (b.ec == std::errc{} &&
                                                    b.ptr == high_text.data() + high_text.size()));
        if (too_big || (numeric && (low > max_regex_repeat || high > max_regex_repeat))) {
            return "bounded repeat {" + std::string(inside) + "} is larger than " +
                   std::to_string(max_regex_repeat) +
                   " (Hyperscan builds very large automata for such repeats; use * or + or a "
                   "smaller bound)";
        }
        i = close;
    }
    return std::nullopt;
}

} // namespace vigil::rules
