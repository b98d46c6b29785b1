#include "core/arena.hpp"

#include <algorithm>
#include <cstring>

namespace vigil::core {

arena::arena(std::size_t block_bytes) : block_bytes_(block_bytes) {
    add_block(block_bytes_);
}

char* arena::allocate(std::size_t size, std::size_t align) {
    auto& current = blocks_.back();
    auto base = reinterpret_cast<std::uintptr_t>(current.data.get());
    std::size_t offset = ((base + used_ + align - 1) & ~(align - 1)) - base;
    if (offset + size > current.size) {
        add_block(size + align);
        return allocate(size, align);
    }
    used_ = offset + size;
    return current.data.get() + offset;
}

std::string_view arena::copy(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    char* out = allocate(text.size());
    std::memcpy(out, text.data(), text.size());
    return {out, text.size()};
}

void arena::reset() {
    if (blocks_.size() > 1) {
        // Keep the largest block so that a workload with big records stops allocating.
        auto largest =
            std::max_element(blocks_.begin(), blocks_.end(),
                             [](const auto& a, const auto& b) { return a.size < b.size; });
        block keep = std::move(*largest);
        blocks_.clear();
        blocks_.push_back(std::move(keep));
    }
    used_ = 0;
}

std::size_t arena::bytes_reserved() const {
    std::size_t total = 0;
    for (const auto& b : blocks_) {
        total += b.size;
    }
    return total;
}

void arena::add_block(std::size_t at_least) {
    std::size_t size = std::max(at_least, block_bytes_);
    blocks_.push_back({std::make_unique_for_overwrite<char[]>(size), size});
    used_ = 0;
}

} // namespace vigil::core
