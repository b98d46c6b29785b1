#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace vigil::correlate {

// The event times a key keeps: a sorted window, one time per rule, chain starts and ends.
// Most keys hold a few, so up to `inline_capacity` live inside the key entry itself (no heap
// block, no extra cache miss per match); more move to the heap. Iterators are pointers, so the
// standard algorithms apply.
class time_list {
public:
    static constexpr std::uint32_t inline_capacity = 4;

    time_list() = default;
    time_list(const time_list&) = delete;
    time_list& operator=(const time_list&) = delete;
    time_list(time_list&& other) noexcept { take(other); }
    time_list& operator=(time_list&& other) noexcept {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }
    ~time_list() { release(); }

    [[nodiscard]] std::int64_t* data() { return heap_ ? heap_.get() : local_; }
    [[nodiscard]] const std::int64_t* data() const { return heap_ ? heap_.get() : local_; }
    [[nodiscard]] std::int64_t* begin() { return data(); }
    [[nodiscard]] std::int64_t* end() { return data() + size_; }
    [[nodiscard]] const std::int64_t* begin() const { return data(); }
    [[nodiscard]] const std::int64_t* end() const { return data() + size_; }
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] bool on_heap() const { return heap_ != nullptr; }
    std::int64_t& operator[](std::size_t i) { return data()[i]; }
    std::int64_t operator[](std::size_t i) const { return data()[i]; }
    [[nodiscard]] std::int64_t front() const { return data()[0]; }

    void clear() { size_ = 0; }
    void push_back(std::int64_t t) {
        reserve(size_ + 1);
        data()[size_++] = t;
    }
    // Inserts before `at` (a pointer into this list); returns where the value went.
    std::int64_t* insert(std::int64_t* at, std::int64_t t) {
        const auto index = static_cast<std::size_t>(at - data());
        reserve(size_ + 1);
        std::int64_t* p = data() + index;
        // Lists are short: a loop beats a call to memmove.
        for (std::size_t i = size_; i > index; --i) {
            data()[i] = data()[i - 1];
        }
        *p = t;
        ++size_;
        return p;
    }
    void erase(std::int64_t* first, std::int64_t* last) {
        const auto removed = static_cast<std::uint32_t>(last - first);
        if (removed == 0) {
            return;
        }
        for (std::int64_t* to = first; last != end(); ++to, ++last) {
            *to = *last;
        }
        size_ -= removed;
    }
    void assign(std::size_t n, std::int64_t value) {
        resize(n);
        std::fill(begin(), end(), value);
    }
    void resize(std::size_t n) {
        reserve(n);
        size_ = static_cast<std::uint32_t>(n);
    }
    void reserve(std::size_t n) {
        if (n <= capacity_) {
            return;
        }
        const std::size_t grown = std::max<std::size_t>(n, std::size_t{capacity_} * 2);
        auto bigger = std::make_unique<std::int64_t[]>(grown);
        std::memcpy(bigger.get(), data(), size_ * sizeof(std::int64_t));
        heap_ = std::move(bigger);
        capacity_ = static_cast<std::uint32_t>(grown);
    }

private:
    void take(time_list& other) {
        size_ = other.size_;
        capacity_ = other.capacity_;
        heap_ = std::move(other.heap_);
        std::memcpy(local_, other.local_, sizeof(local_));
        other.size_ = 0;
        other.capacity_ = inline_capacity;
    }
    void release() {
        heap_.reset();
        size_ = 0;
        capacity_ = inline_capacity;
    }

    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = inline_capacity;
    std::unique_ptr<std::int64_t[]> heap_;
    std::int64_t local_[inline_capacity]{};
};

} // namespace vigil::correlate
