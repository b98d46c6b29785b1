// Fuzz target: the CSV parser.
#include "core/arena.hpp"
#include "fuzz_input.hpp"
#include "parse/csv_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static vigil::parse::csv_parser parser;
    static vigil::parse::vendor_fields fields;
    static vigil::core::arena scratch;
    fields.clear();
    scratch.reset();
    (void)parser.parse(fuzz_text(data, size), fields, scratch);
    return 0;
}
