#include "rules/condition_parser.hpp"

#include <cctype>
#include <string>

namespace vigil::rules {
namespace {

// True if `name` matches `pattern`, where * stands for any run of characters.
bool wildcard_match(std::string_view pattern, std::string_view name) {
    std::size_t p = 0;
    std::size_t n = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (p < pattern.size() && pattern[p] == name[n]) {
            ++p;
            ++n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

struct token {
    enum class kind { word, lparen, rparen, pipe, end };
    kind type = kind::end;
    std::string_view text;
    std::size_t offset = 0;
};

class parser {
public:
    parser(std::string_view text, const std::vector<search>& searches)
        : text_(text), searches_(searches) {
        advance();
    }

    std::expected<condition_expr, std::string> parse() {
        auto expr = parse_or();
        if (!expr) {
            return expr;
        }
        if (current_.type == token::kind::pipe) {
            return fail("aggregation expressions after '|' (count() by ...) are not supported; "
                        "write a correlation rule instead");
        }
        if (current_.type != token::kind::end) {
            return fail("unexpected '" + std::string(current_.text) + "'");
        }
        return expr;
    }

private:
    std::unexpected<std::string> fail(const std::string& why) const {
        // A hostile condition can be megabytes long: its start is enough to find it.
        constexpr std::size_t shown = 120;
        const std::string text = text_.size() <= shown
                                     ? std::string(text_)
                                     : std::string(text_.substr(0, shown)) + "...";
        return std::unexpected("condition '" + text + "': " + why);
    }

    // Parentheses and `not`s nest at most this deep: the parser and every walk over the
    // expression recurse once per level, and a hostile rule must get an error, not overflow
    // the stack.
    static constexpr int max_depth = 64;
    int depth_ = 0;
    struct nested {
        int& depth;
        explicit nested(int& d) : depth(++d) {}
        ~nested() { --depth; }
        nested(const nested&) = delete;
        nested& operator=(const nested&) = delete;
    };
    std::unexpected<std::string> too_deep() const {
        return fail("parentheses and 'not' nest more than " + std::to_string(max_depth) +
                    " levels deep");
    }

    void advance() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
            ++pos_;
        }
        current_.offset = pos_;
        if (pos_ >= text_.size()) {
            current_ = {token::kind::end, {}, pos_};
            return;
        }
        const char c = text_[pos_];
        if (c == '(' || c == ')' || c == '|') {
            current_ = {c == '(' ? token::kind::lparen
                                 : (c == ')' ? token::kind::rparen : token::kind::pipe),
                        text_.substr(pos_, 1), pos_};
            ++pos_;
            return;
        }
        const std::size_t start = pos_;
        while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
               text_[pos_] != '(' && text_[pos_] != ')' && text_[pos_] != '|') {
            ++pos_;
        }
        current_ = {token::kind::word, text_.substr(start, pos_ - start), start};
    }

    bool is_keyword(std::string_view word) const {
        return current_.type == token::kind::word && current_.text == word;
    }

    std::expected<condition_expr, std::string> parse_or() {
        auto left = parse_and();
        if (!left) {
            return left;
        }
        if (!is_keyword("or")) {
            return left;
        }
        condition_expr node{condition_expr::kind::any_of, 0, {std::move(*left)}};
        while (is_keyword("or")) {
            advance();
            auto right = parse_and();
            if (!right) {
                return right;
            }
            node.children.push_back(std::move(*right));
        }
        return node;
    }

    std::expected<condition_expr, std::string> parse_and() {
        auto left = parse_not();
        if (!left) {
            return left;
        }
        if (!is_keyword("and")) {
            return left;
        }
        condition_expr node{condition_expr::kind::all_of, 0, {std::move(*left)}};
        while (is_keyword("and")) {
            advance();
            auto right = parse_not();
            if (!right) {
                return right;
            }
            node.children.push_back(std::move(*right));
        }
        return node;
    }

    std::expected<condition_expr, std::string> parse_not() {
        if (is_keyword("not")) {
            const nested level(depth_);
            if (depth_ > max_depth) {
                return too_deep();
            }
            advance();
            auto inner = parse_not();
            if (!inner) {
                return inner;
            }
            return condition_expr{condition_expr::kind::negate, 0, {std::move(*inner)}};
        }
        return parse_primary();
    }

    std::expected<condition_expr, std::string> parse_primary() {
        if (current_.type == token::kind::lparen) {
            const nested level(depth_);
            if (depth_ > max_depth) {
                return too_deep();
            }
            advance();
            auto inner = parse_or();
            if (!inner) {
                return inner;
            }
            if (current_.type != token::kind::rparen) {
                return fail("missing ')'");
            }
            advance();
            return inner;
        }
        if (current_.type != token::kind::word) {
            if (current_.type == token::kind::end) {
                return fail("ends where an identifier or '(' is expected");
            }
            return fail("unexpected '" + std::string(current_.text) + "'");
        }
        const std::string_view word = current_.text;
        if (word == "and" || word == "or") {
            return fail("'" + std::string(word) + "' without a left operand");
        }
        if (word == "1" || word == "all" || word == "any") {
            const bool all = word == "all";
            advance();
            if (!is_keyword("of")) {
                return fail("expected 'of' after '" + std::string(word) + "'");
            }
            advance();
            if (current_.type != token::kind::word) {
                return fail("expected 'them' or an identifier pattern after 'of'");
            }
            const std::string_view pattern = current_.text;
            advance();
            condition_expr node{
                all ? condition_expr::kind::all_of : condition_expr::kind::any_of, 0, {}};
            for (std::size_t i = 0; i < searches_.size(); ++i) {
                const std::string& name = searches_[i].name;
                const bool selected =
                    pattern == "them" ? !name.starts_with('_') : wildcard_match(pattern, name);
                if (selected) {
                    node.children.push_back({condition_expr::kind::search_ref, i, {}});
                }
            }
            if (node.children.empty()) {
                return fail("'" + std::string(pattern) + "' matches no search identifier");
            }
            return node;
        }
        for (std::size_t i = 0; i < searches_.size(); ++i) {
            if (searches_[i].name == word) {
                advance();
                return condition_expr{condition_expr::kind::search_ref, i, {}};
            }
        }
        return fail("unknown search identifier '" + std::string(word) + "'");
    }

    std::string_view text_;
    const std::vector<search>& searches_;
    std::size_t pos_ = 0;
    token current_;
};

} // namespace

std::expected<condition_expr, std::string> parse_condition(std::string_view text,
                                                           const std::vector<search>& searches) {
    return parser(text, searches).parse();
}

} // namespace vigil::rules
