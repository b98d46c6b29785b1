#include "parse/json_batch.hpp"

namespace vigil::parse {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view text, std::size_t at) {
    while (at < text.size() && is_space(text[at])) {
        ++at;
    }
    return at;
}

// The end (one past the closing brace) of the object that starts at `at`, or npos when it does
// not close: strings (with escapes) are skipped whole, braces and brackets counted.
std::size_t object_end(std::string_view text, std::size_t at) {
    int depth = 0;
    for (std::size_t i = at; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i) {
                if (text[i] == '\\') {
                    ++i;
                }
            }
            if (i >= text.size()) {
                return std::string_view::npos;
            }
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                return c == '}' ? i + 1 : std::string_view::npos;
            }
        }
    }
    return std::string_view::npos;
}

} // namespace

bool split_json_batch(std::string_view document, std::vector<std::string_view>& elements) {
    elements.clear();
    std::size_t at = skip_space(document, 0);
    if (at >= document.size() || document[at] != '{') {
        return false;
    }
    at = skip_space(document, at + 1);
    constexpr std::string_view keys[] = {"\"Records\"", "\"records\""};
    bool keyed = false;
    for (const auto key : keys) {
        if (document.substr(at, key.size()) == key) {
            at += key.size();
            keyed = true;
            break;
        }
    }
    if (!keyed) {
        return false;
    }
    at = skip_space(document, at);
    if (at >= document.size() || document[at] != ':') {
        return false;
    }
    at = skip_space(document, at + 1);
    if (at >= document.size() || document[at] != '[') {
        return false;
    }
    for (at = skip_space(document, at + 1);;) {
        if (at >= document.size() || document[at] != '{') {
            elements.clear();
            return false;
        }
        const std::size_t end = object_end(document, at);
        if (end == std::string_view::npos) {
            elements.clear();
            return false;
        }
        elements.push_back(document.substr(at, end - at));
        at = skip_space(document, end);
        if (at < document.size() && document[at] == ',') {
            at = skip_space(document, at + 1);
            continue;
        }
        break;
    }
    // "]", then "}" and nothing after it but space.
    if (at >= document.size() || document[at] != ']') {
        elements.clear();
        return false;
    }
    at = skip_space(document, at + 1);
    if (at >= document.size() || document[at] != '}' || skip_space(document, at + 1) != document.size()) {
        elements.clear();
        return false;
    }
    return true;
}

} // namespace vigil::parse
