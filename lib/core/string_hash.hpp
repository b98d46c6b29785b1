#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::core {

// A string whose std::hash is already known, to search a string_map without hashing again.
struct prehashed_string {
    std::string_view text;
    std::size_t hash = 0; // std::hash<std::string_view>{}(text)
    friend bool operator==(const prehashed_string& a, std::string_view b) { return a.text == b; }
};

// A hash for string-keyed maps that can be searched with a string_view without building a
// std::string (heterogeneous lookup).
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    std::size_t operator()(const prehashed_string& s) const { return s.hash; }
};

template <typename Value>
using string_map = std::unordered_map<std::string, Value, string_hash, std::equal_to<>>;

} // namespace vigil::core
