#include "rules/sigma_pattern.hpp"

#include "core/ascii.hpp"

#include <charconv>
#include <hs.h>

namespace vigil::rules {
namespace {

using piece = value_pattern::piece;

// The byte of the "\xHH" escape whose backslash is p[at], or -1 if there is none.
int hex_escape(std::string_view p, std::size_t at) {
    if (at + 3 >= p.size()) {
        return -1;
    }
    const int high = core::ascii::hex_value(p[at + 2]);
    const int low = core::ascii::hex_value(p[at + 3]);
    if (p[at] != '\\' || p[at + 1] != 'x' || high < 0 || low < 0) {
        return -1;
    }
    return high * 16 + low;
}

void append_literal(std::string& out, char c) {
    const auto u = static_cast<unsigned char>(c);
    if (core::ascii::is_word(c)) {
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

std::optional<literal_pattern> as_literal(const hs_expression& expression) {
    if ((expression.flags & (HS_FLAG_UTF8 | HS_FLAG_UCP)) != 0) {
        return std::nullopt;
    }
    literal_pattern out;
    out.cased = (expression.flags & HS_FLAG_CASELESS) == 0;
    std::string_view p = expression.pattern;
    if (p.starts_with("\\A")) {
        out.anchor_start = true;
        p.remove_prefix(2);
    }
    if (p.ends_with("\\z") && !(p.size() >= 3 && p[p.size() - 3] == '\\')) {
        out.anchor_end = true;
        p.remove_suffix(2);
    }
    for (std::size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        if (c == '\\') {
            const int byte = hex_escape(p, i);
            if (byte < 0) {
                return std::nullopt; // a class (\d, \s) or another escape
            }
            c = static_cast<char>(byte);
            i += 3;
        } else if (!core::ascii::is_word(c)) {
            return std::nullopt; // a regex operator
        }
        out.bytes += out.cased ? c : core::ascii::to_lower(c);
    }
    return out;
}

std::optional<std::string> required_literal(const hs_expression& expression) {
    const std::string_view p = expression.pattern;
    if (p.find("\\Q") != std::string_view::npos) {
        return std::nullopt; // quoted runs: not worth reading
    }
    std::string best;
    std::string run; // literal bytes since the last item that is not one
    auto end_run = [&] {
        if (run.size() > best.size()) {
            best = run;
        }
        run.clear();
    };
    // The index of the byte that closes the group or class opened at `open`, or npos.
    auto skip = [&](std::size_t open) -> std::size_t {
        int depth = 0;
        bool in_class = false;
        for (std::size_t i = open; i < p.size(); ++i) {
            const char c = p[i];
            if (c == '\\') {
                ++i;
            } else if (in_class) {
                // "[]x]" and "[^]x]" hold a literal ']' first.
                if (c == ']' && !(p[i - 1] == '[' || (p[i - 1] == '^' && p[i - 2] == '['))) {
                    in_class = false;
                    if (depth == 0) {
                        return i;
                    }
                }
            } else if (c == '[') {
                in_class = true;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return std::string_view::npos;
    };
    for (std::size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        switch (c) {
        case '|':
            return std::nullopt; // alternatives at the top: no byte is common to all
        case '(':
        case '[':
            i = skip(i);
            if (i == std::string_view::npos) {
                return std::nullopt;
            }
            end_run();
            continue;
        case '*':
        case '+':
        case '?':
        case '{':
            // A quantifier: the byte before it may be absent or repeated.
            if (!run.empty()) {
                run.pop_back();
            }
            end_run();
            if (c == '{') {
                i = p.find('}', i);
                if (i == std::string_view::npos) {
                    return std::nullopt;
                }
            }
            continue;
        case '.':
        case '^':
        case '$':
            end_run();
            continue;
        case '\\':
            if (i + 1 >= p.size()) {
                return std::nullopt;
            }
            if (p[i + 1] == 'x') {
                const int byte = hex_escape(p, i);
                if (byte < 0) {
                    return std::nullopt; // \x{...} and other forms: not worth reading
                }
                c = static_cast<char>(byte);
                i += 3;
                break;
            }
            c = p[++i];
            if (core::ascii::is_word(c)) {
                end_run(); // a class (\d, \w), an anchor (\b, \z) or a control character
                continue;
            }
            break;
        default:
            break;
        }
        run += core::ascii::to_lower(c);
    }
    end_run();
    if (best.empty()) {
        return std::nullopt;
    }
    return best;
}

hs_expression contains_caseless(std::string_view bytes) {
    hs_expression expr;
    expr.flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL | HS_FLAG_CASELESS;
    for (char c : bytes) {
        append_literal(expr.pattern, c);
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
