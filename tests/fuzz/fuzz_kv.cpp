// Fuzz target: the key=value parser; the first byte picks the pair separator.
#include "core/arena.hpp"
#include "fuzz_input.hpp"
#include "parse/kv_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static vigil::parse::kv_parser parser;
    static vigil::parse::vendor_fields fields;
    static vigil::core::arena scratch;
    constexpr char separators[] = {' ', ',', ';', '|'};
    vigil::parse::kv_format format;
    format.separator = separators[data[0] % sizeof separators];
    fields.clear();
    scratch.reset();
    (void)parser.parse(fuzz_text(data + 1, size - 1), fields, scratch, format);
    (void)vigil::parse::kv_parser::leading_pairs(fuzz_text(data + 1, size - 1));
    return 0;
}
