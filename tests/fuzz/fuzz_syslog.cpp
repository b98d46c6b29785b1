// Fuzz target: the syslog parser (RFC 5424 and RFC 3164) on one record.
#include "core/arena.hpp"
#include "core/event.hpp"
#include "fuzz_input.hpp"
#include "parse/syslog_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static vigil::parse::syslog_parser parser{vigil::parse::rfc3164_config{}};
    static vigil::core::arena scratch;
    static vigil::core::event event;
    scratch.reset();
    const vigil::core::raw_record record{
        fuzz_text(data, size), vigil::core::source_kind::file, 1'795'000'000'000'000'000, {}};
    (void)parser.parse(record, event, scratch);
    return 0;
}
