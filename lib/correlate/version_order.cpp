#include "correlate/version_order.hpp"

#include <cstddef>

namespace vigil::correlate {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// The runs of a version text, one at a time.
class runs {
public:
    explicit runs(std::string_view text) : text_(text) {}

    // The next run (empty at the end): digits or letters, separators skipped.
    std::string_view next() {
        while (pos_ < text_.size() && !is_digit(text_[pos_]) && !is_letter(text_[pos_])) {
            ++pos_;
        }
        const std::size_t start = pos_;
        if (pos_ < text_.size()) {
            const bool digits = is_digit(text_[pos_]);
            while (pos_ < text_.size() &&
                   (digits ? is_digit(text_[pos_]) : is_letter(text_[pos_]))) {
                ++pos_;
            }
        }
        return text_.substr(start, pos_ - start);
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::strong_ordering compare_numbers(std::string_view a, std::string_view b) {
    while (a.size() > 1 && a.front() == '0') {
        a.remove_prefix(1);
    }
    while (b.size() > 1 && b.front() == '0') {
        b.remove_prefix(1);
    }
    if (a.size() != b.size()) {
        return a.size() <=> b.size();
    }
    return a.compare(b) <=> 0;
}

std::strong_ordering compare_words(std::string_view a, std::string_view b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (const auto o = lower(a[i]) <=> lower(b[i]); o != 0) {
            return o;
        }
    }
    return a.size() <=> b.size();
}

} // namespace

std::strong_ordering compare_versions(std::string_view a, std::string_view b) {
    runs left(a);
    runs right(b);
    for (;;) {
        const std::string_view x = left.next();
        const std::string_view y = right.next();
        if (x.empty() && y.empty()) {
            return std::strong_ordering::equal;
        }
        if (x.empty() || y.empty()) {
            // The one with runs left is newer, unless they start with a word: a pre-release
            // ("1.0rc1", "1.0.beta") comes before its release ("1.0").
            const std::string_view more = x.empty() ? y : x;
            const bool newer = is_digit(more.front());
            return x.empty() == newer ? std::strong_ordering::less : std::strong_ordering::greater;
        }
        const bool x_number = is_digit(x.front());
        const bool y_number = is_digit(y.front());
        if (x_number != y_number) {
            return x_number ? std::strong_ordering::greater : std::strong_ordering::less;
        }
        const auto o = x_number ? compare_numbers(x, y) : compare_words(x, y);
        if (o != 0) {
            return o;
        }
    }
}

} // namespace vigil::correlate
