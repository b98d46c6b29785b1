#include "rules/sigma_pattern.hpp"

#include <hs.h>
#include <vector>

namespace vigil::rules {
namespace {

// A value cut into literal bytes and wildcards.
struct piece {
    enum class kind { literal, any_run, any_one };
    kind type;
    char byte = 0;
};

std::vector<piece> split_wildcards(std::string_view value) {
    std::vector<piece> pieces;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\\' && i + 1 < value.size() &&
            (value[i + 1] == '*' || value[i + 1] == '?' || value[i + 1] == '\\')) {
            pieces.push_back({piece::kind::literal, value[++i]});
        } else if (c == '*') {
            pieces.push_back({piece::kind::any_run});
        } else if (c == '?') {
            pieces.push_back({piece::kind::any_one});
        } else {
            pieces.push_back({piece::kind::literal, c});
        }
    }
    return pieces;
}

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

hs_expression build_expression(const field_test& test, std::string_view value) {
    hs_expression expr;
    expr.flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
    if (test.kind == match_kind::regex) {
        expr.pattern = std::string(value);
        if (test.regex.caseless) {
            expr.flags |= HS_FLAG_CASELESS;
        }
        if (test.regex.multiline) {
            expr.flags |= HS_FLAG_MULTILINE;
        }
        if (test.regex.dotall) {
            expr.flags |= HS_FLAG_DOTALL;
        }
        return expr;
    }
    expr.flags |= HS_FLAG_DOTALL;
    if (!test.cased) {
        expr.flags |= HS_FLAG_CASELESS;
    }
    std::vector<piece> pieces = split_wildcards(value);
    bool anchor_start = test.kind == match_kind::equals || test.kind == match_kind::startswith;
    bool anchor_end = test.kind == match_kind::equals || test.kind == match_kind::endswith;
    // "*x" anchored at the start is "x" unanchored, and likewise at the end: dropping the runs
    // gives Hyperscan plain literals, which it matches fastest.
    while (!pieces.empty() && pieces.front().type == piece::kind::any_run) {
        pieces.erase(pieces.begin());
        anchor_start = false;
    }
    while (!pieces.empty() && pieces.back().type == piece::kind::any_run) {
        pieces.pop_back();
        anchor_end = false;
    }
    if (pieces.empty() && !anchor_start) {
        anchor_end = false; // "*" alone: any value at all
    }
    if (anchor_start) {
        expr.pattern += "\\A";
    }
    for (const auto& p : pieces) {
        switch (p.type) {
        case piece::kind::literal:
            append_literal(expr.pattern, p.byte);
            break;
        case piece::kind::any_run:
            expr.pattern += ".*";
            break;
        case piece::kind::any_one:
            expr.pattern += '.';
            break;
        }
    }
    if (anchor_end) {
        expr.pattern += "\\z";
    }
    return expr;
}

} // namespace vigil::rules
