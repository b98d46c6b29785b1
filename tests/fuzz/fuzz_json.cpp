// Fuzz target: the JSON parser (simdjson On-Demand, flattening, limits) on one document.
#include "core/arena.hpp"
#include "fuzz_input.hpp"
#include "parse/json_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static vigil::parse::json_parser parser;
    static vigil::parse::vendor_fields fields;
    static vigil::core::arena scratch;
    scratch.reset();
    (void)parser.flatten(fuzz_text(data, size), fields, scratch);
    return 0;
}
