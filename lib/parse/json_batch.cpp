#include "parse/json_batch.hpp"

namespace vigil::parse {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view text, std::size_t at) {
    while (at < text.size() && is_space(text[at])) {
        ++at;
    }
    return at;
}

// The end (one past the closing quote) of the string that starts at `at`, or npos.
std::size_t string_end(std::string_view text, std::size_t at) {
    for (std::size_t i = at + 1; i < text.size(); ++i) {
        if (text[i] == '\\') {
            ++i;
        } else if (text[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// The end of the JSON value that starts at `at`, or npos when it does not end: strings (with
// escapes) are skipped whole, braces and brackets counted; a number or literal ends before the
// next delimiter. Not a validator: the records themselves are parsed afterwards.
std::size_t value_end(std::string_view text, std::size_t at) {
    if (at >= text.size()) {
        return std::string_view::npos;
    }
    if (text[at] == '"') {
        return string_end(text, at);
    }
    if (text[at] != '{' && text[at] != '[') {
        std::size_t i = at;
        while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
               !is_space(text[i])) {
            ++i;
        }
        return i > at ? i : std::string_view::npos;
    }
    int depth = 0;
    for (std::size_t i = at; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            i = string_end(text, i);
            if (i == std::string_view::npos) {
                return i;
            }
            --i;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// Calls `on_member(key, value_start, value_end)` for each member of the object that starts at
// `at` (key without its quotes, escapes left as they are); returns the end of the object, or
// npos when it is not one.
template <typename Fn>
std::size_t for_each_member(std::string_view text, std::size_t at, Fn&& on_member) {
    if (at >= text.size() || text[at] != '{') {
        return std::string_view::npos;
    }
    at = skip_space(text, at + 1);
    if (at < text.size() && text[at] == '}') {
        return at + 1;
    }
    for (;;) {
        if (at >= text.size() || text[at] != '"') {
            return std::string_view::npos;
        }
        const std::size_t key_end = string_end(text, at);
        if (key_end == std::string_view::npos) {
            return key_end;
        }
        const std::string_view key = text.substr(at + 1, key_end - at - 2);
        at = skip_space(text, key_end);
        if (at >= text.size() || text[at] != ':') {
            return std::string_view::npos;
        }
        at = skip_space(text, at + 1);
        const std::size_t end = value_end(text, at);
        if (end == std::string_view::npos) {
            return end;
        }
        on_member(key, at, end);
        at = skip_space(text, end);
        if (at < text.size() && text[at] == ',') {
            at = skip_space(text, at + 1);
            continue;
        }
        return at < text.size() && text[at] == '}' ? at + 1 : std::string_view::npos;
    }
}

// The objects of the array text[at, end) into `elements`; false when an element is not one.
bool array_objects(std::string_view text, std::size_t at, std::size_t end,
                   std::vector<std::string_view>& elements) {
    const std::string_view array = text.substr(0, end);
    if (at >= end || array[at] != '[') {
        return false;
    }
    at = skip_space(array, at + 1);
    while (at < end && array[at] != ']') {
        if (array[at] != '{') {
            return false;
        }
        const std::size_t object = value_end(array, at);
        if (object == std::string_view::npos) {
            return false;
        }
        elements.push_back(array.substr(at, object - at));
        at = skip_space(array, object);
        if (at < end && array[at] == ',') {
            at = skip_space(array, at + 1);
        } else if (at >= end || array[at] != ']') {
            return false;
        }
    }
    return !elements.empty();
}

// Whether the value at `at` is an object whose only member is `key`, an array of objects (into
// `elements`, left empty otherwise).
bool only_member_array(std::string_view text, std::size_t at, std::string_view key,
                       std::vector<std::string_view>& elements) {
    int members = 0;
    bool found = false;
    const std::size_t end =
        for_each_member(text, at, [&](std::string_view k, std::size_t from, std::size_t to) {
            ++members;
            found = found || (k == key && array_objects(text, from, to, elements));
        });
    if (end == std::string_view::npos || members != 1 || !found) {
        elements.clear();
        return false;
    }
    return true;
}

} // namespace

bool split_json_batch(std::string_view document, std::vector<std::string_view>& elements) {
    elements.clear();
    const std::size_t start = skip_space(document, 0);
    if (start >= document.size() || document[start] != '{') {
        return false;
    }
    // The whole document: {"Records": [...]} or {"records": [...]}.
    if (only_member_array(document, start, "Records", elements) ||
        only_member_array(document, start, "records", elements)) {
        if (skip_space(document, value_end(document, start)) == document.size()) {
            return true;
        }
    }
    elements.clear();
    // An EventBridge event whose detail is {"findings": [...]}.
    bool eventbridge = false;
    const std::size_t end =
        for_each_member(document, start, [&](std::string_view key, std::size_t from, std::size_t) {
            eventbridge = eventbridge || key == "detail-type";
            if (key == "detail" && elements.empty()) {
                (void)only_member_array(document, from, "findings", elements);
            }
        });
    if (end == std::string_view::npos || skip_space(document, end) != document.size() ||
        !eventbridge || elements.empty()) {
        elements.clear();
        return false;
    }
    return true;
}

} // namespace vigil::parse
