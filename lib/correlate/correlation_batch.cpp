#include "correlate/correlation_batch.hpp"

#include <array>
#include <functional>

namespace vigil::correlate {

correlation_match::slice correlation_batch::add_text(std::string_view text) {
    begin_text();
    append(text);
    return end_text();
}

void correlation_batch::clear() {
    rules.reset();
    matches.clear();
    bytes_.clear();
    sequence = 0;
    progress.reset();
}

std::uint64_t key_hash(std::string_view key) {
    return std::hash<std::string_view>{}(key);
}

std::string_view key_tenant(std::string_view key) {
    const auto end = key.find(tenant_separator);
    return end == std::string_view::npos ? std::string_view() : key.substr(0, end);
}

std::string_view key_without_tenant(std::string_view key) {
    const auto end = key.find(tenant_separator);
    return end == std::string_view::npos ? key : key.substr(end + 1);
}

std::vector<std::string_view> split_key(std::string_view key) {
    key = key_without_tenant(key);
    std::vector<std::string_view> parts;
    for (;;) {
        const auto end = key.find(key_separator);
        parts.push_back(key.substr(0, end));
        if (end == std::string_view::npos) {
            return parts;
        }
        key.remove_prefix(end + 1);
    }
}

std::uint64_t route_hash(std::string_view key, std::span<const std::uint8_t> route) {
    if (route.empty()) {
        return 0;
    }
    key = key_without_tenant(key); // a chain's correlations route alike, tenant or not
    // Group-by lists are at most 32 fields long (the compiler checks).
    std::array<std::string_view, 32> parts{};
    std::size_t count = 0;
    for (; count < parts.size(); ++count) {
        const auto end = key.find(key_separator);
        parts[count] = key.substr(0, end);
        if (end == std::string_view::npos) {
            ++count;
            break;
        }
        key.remove_prefix(end + 1);
    }
    std::uint64_t h = 0x9e3779b97f4a7c15ull;
    for (std::uint8_t position : route) {
        const std::uint64_t part = position < count ? key_hash(parts[position]) : 0;
        h ^= part + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    }
    return h;
}

} // namespace vigil::correlate
