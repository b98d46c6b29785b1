#include "parse/label_text.hpp"

#include <algorithm>

namespace vigil::parse {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool in_label(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' ||
           c == '-' || c == '(' || c == ')' || c == '/' || c == '_';
}

constexpr std::size_t max_label = 48;

// Whether a label may start at `i`: the text's start, or after a tab, a line break or two
// spaces.
bool label_boundary(std::string_view text, std::size_t i) {
    if (i == 0) {
        return true;
    }
    const char before = text[i - 1];
    if (before == '\t' || before == '\r' || before == '\n') {
        return true;
    }
    return before == ' ' && i >= 2 && is_space(text[i - 2]);
}

// The length of the label starting at `i` up to and including its ':' (followed by white
// space or the end), or 0.
std::size_t label_at(std::string_view text, std::size_t i) {
    if (!is_upper(text[i]) || !label_boundary(text, i)) {
        return 0;
    }
    for (std::size_t j = i; j < text.size() && j - i <= max_label; ++j) {
        const char c = text[j];
        if (c == ':') {
            const bool ends = j + 1 == text.size() || is_space(text[j + 1]);
            // "Label :" and a label made of spaces are not labels.
            return ends && text[j - 1] != ' ' ? j + 1 - i : 0;
        }
        if (!in_label(c) || (c == ' ' && j + 1 < text.size() && text[j + 1] == ' ')) {
            return 0;
        }
    }
    return 0;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// Copies `s` without its spaces to `out`; returns the end.
char* copy_without_spaces(char* out, std::string_view s) {
    for (const char c : s) {
        if (c != ' ') {
            *out++ = c;
        }
    }
    return out;
}

} // namespace

void extract_labels(std::string_view text, std::string_view prefix, vendor_fields& out,
                    core::arena& scratch) {
    std::string_view section;
    std::size_t i = 0;
    // Find the first label; text before it (the event's description) is not a value.
    std::size_t label_length = 0;
    while (i < text.size() && (label_length = label_at(text, i)) == 0) {
        ++i;
    }
    while (i < text.size() && label_length > 0) {
        const std::string_view label = text.substr(i, label_length - 1);
        std::size_t j = i + label_length;
        std::size_t next_length = 0;
        while (j < text.size() && (next_length = label_at(text, j)) == 0) {
            ++j;
        }
        const std::string_view value = trim(text.substr(i + label_length, j - i - label_length));
        if (value.empty()) {
            section = label;
        } else if (value != "-") {
            // The name goes straight into the scratch arena (no allocation per record).
            char* const start = scratch.allocate(prefix.size() + section.size() + 1 + label.size());
            char* end = std::copy(prefix.begin(), prefix.end(), start);
            if (!section.empty()) {
                end = copy_without_spaces(end, section);
                *end++ = '.';
            }
            end = copy_without_spaces(end, label);
            out.add(std::string_view(start, static_cast<std::size_t>(end - start)), value);
        }
        i = j;
        label_length = next_length;
    }
}

} // namespace vigil::parse
