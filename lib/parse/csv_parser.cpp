#include "parse/csv_parser.hpp"

#include <string>
#include <vector>

namespace vigil::parse {
namespace {

const std::vector<std::string>& column_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (std::size_t i = 0; i < parse_limits{}.max_fields * 4; ++i) {
            n.push_back(std::to_string(i));
        }
        return n;
    }();
    return names;
}

} // namespace

std::string_view csv_parser::column_name(std::size_t index) {
    const auto& names = column_names();
    return index < names.size() ? std::string_view(names[index]) : std::string_view("overflow");
}

parse_error csv_parser::parse(std::string_view text, vendor_fields& out,
                              core::arena& scratch) const {
    parse_error error = parse_error::none;
    std::size_t column = 0;
    std::size_t i = 0;
    for (;;) {
        std::string_view value;
        if (i < text.size() && text[i] == '"') {
            // Quoted: "" inside stands for one quote.
            std::size_t j = i + 1;
            bool doubled = false;
            bool closed = false;
            while (j < text.size()) {
                if (text[j] == '"') {
                    if (j + 1 < text.size() && text[j + 1] == '"') {
                        doubled = true;
                        j += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                ++j;
            }
            const std::string_view raw = text.substr(i + 1, j - i - 1);
            if (doubled) {
                char* copy = scratch.allocate(raw.size());
                std::size_t n = 0;
                for (std::size_t k = 0; k < raw.size(); ++k) {
                    copy[n++] = raw[k];
                    if (raw[k] == '"') {
                        ++k; // skip the second quote of ""
                    }
                }
                value = {copy, n};
            } else {
                value = raw;
            }
            if (!closed) {
                error = parse_error::unterminated_quote;
                out.add(column_name(column), value);
                return error;
            }
            i = j + 1;
            // Anything between the closing quote and the comma is kept out of the value.
            while (i < text.size() && text[i] != ',') {
                ++i;
            }
        } else {
            const std::size_t comma = text.find(',', i);
            value = text.substr(i, comma == std::string_view::npos ? std::string_view::npos
                                                                   : comma - i);
            i = comma == std::string_view::npos ? text.size() : comma;
        }
        out.add(column_name(column), value);
        ++column;
        if (i >= text.size()) {
            return error;
        }
        ++i; // the comma
    }
}

} // namespace vigil::parse
