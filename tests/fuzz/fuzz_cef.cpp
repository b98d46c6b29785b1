// Fuzz target: the CEF parser on a record body (the input after "CEF:").
#include "core/arena.hpp"
#include "fuzz_input.hpp"
#include "parse/cef_parser.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static vigil::parse::cef_parser parser;
    static vigil::parse::vendor_fields fields;
    static vigil::core::arena scratch;
    static std::string text;
    text.assign("CEF:");
    text.append(fuzz_text(data, size));
    fields.clear();
    scratch.reset();
    (void)parser.parse(text, fields, scratch);
    return 0;
}
