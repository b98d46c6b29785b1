#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::core {

// A hash for string-keyed maps that can be searched with a string_view without building a
// std::string (heterogeneous lookup).
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using string_map = std::unordered_map<std::string, Value, string_hash, std::equal_to<>>;

} // namespace vigil::core
