#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace vigil::core {

// A monotonic bump allocator for bytes that live as long as one record or one batch (unescaped
// values, formatted numbers). Owned by one thread; reset() makes all earlier views dangle and
// keeps the first block so that steady state allocates nothing.
class arena {
public:
    explicit arena(std::size_t block_bytes = 16 * 1024);
    arena(const arena&) = delete;
    arena& operator=(const arena&) = delete;

    // Returns `size` bytes aligned to `align`; never null.
    [[nodiscard]] char* allocate(std::size_t size, std::size_t align = 1);

    // Copies `text` into the arena and returns a view of the copy.
    [[nodiscard]] std::string_view copy(std::string_view text);

    // Releases everything allocated since construction or the last reset.
    void reset();

    [[nodiscard]] std::size_t bytes_reserved() const;

private:
    struct block {
        std::unique_ptr<char[]> data;
        std::size_t size = 0;
    };
    void add_block(std::size_t at_least);

    std::size_t block_bytes_;
    std::vector<block> blocks_;
    std::size_t used_ = 0; // bytes used in blocks_.back()
};

} // namespace vigil::core
