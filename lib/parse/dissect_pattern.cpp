#include "parse/dissect_pattern.hpp"

#include "core/ascii.hpp"

#include <array>

namespace vigil::parse {

std::expected<dissect_pattern, std::string> dissect_pattern::compile(std::string_view text) {
    dissect_pattern p;
    p.text_ = std::string(text);
    std::string literal;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text.substr(i, 2) == "%{") {
            const std::size_t close = text.find('}', i + 2);
            if (close == std::string_view::npos) {
                return std::unexpected("unclosed %{ in dissect pattern '" + p.text_ + "'");
            }
            if (!p.parts_.empty() && literal.empty()) {
                return std::unexpected("two captures with nothing between them in dissect "
                                       "pattern '" +
                                       p.text_ + "'");
            }
            p.parts_.push_back(
                {std::move(literal), std::string(text.substr(i + 2, close - i - 2)), true});
            literal.clear();
            i = close + 1;
            continue;
        }
        literal += text[i++];
    }
    if (p.parts_.empty()) {
        return std::unexpected("dissect pattern '" + p.text_ + "' has no %{field}");
    }
    p.tail_ = std::move(literal);
    for (const auto& part : p.parts_) {
        if (!part.name.empty()) {
            p.first_field_ = part.name;
            break;
        }
    }
    return p;
}

bool dissect_pattern::apply(std::string_view text, vendor_fields& out) const {
    // Captures are collected first so that a failed match adds nothing.
    constexpr std::size_t max_parts = 64;
    std::array<vendor_field, max_parts> found{};
    std::size_t count = 0;
    std::size_t at = 0;
    for (std::size_t k = 0; k < parts_.size(); ++k) {
        const part& p = parts_[k];
        if (text.substr(at, p.literal.size()) != p.literal) {
            return false;
        }
        at += p.literal.size();
        std::size_t end;
        if (k + 1 < parts_.size()) {
            const std::size_t offset = core::ascii::find(text.substr(at), parts_[k + 1].literal);
            end = offset == std::string_view::npos ? offset : at + offset;
        } else if (tail_.empty()) {
            end = text.size();
        } else {
            end = text.rfind(tail_);
            if (end != std::string_view::npos && (end < at || end + tail_.size() != text.size())) {
                end = std::string_view::npos;
            }
        }
        if (end == std::string_view::npos) {
            return false;
        }
        if (!p.name.empty() && count < max_parts) {
            found[count++] = {p.name, text.substr(at, end - at)};
        }
        at = end;
    }
    for (std::size_t k = 0; k < count; ++k) {
        out.add(found[k].name, found[k].value);
    }
    return true;
}

} // namespace vigil::parse
