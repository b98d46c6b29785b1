// Fuzz target: vigild's configuration file (parse_config: the YAML reader, every section and
// value reader, the located diagnostics). Errors are expected; crashes are not.
#include "config/vigil_config.hpp"
#include "fuzz_input.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto parsed = vigil::config::parse_config(fuzz_text(data, size), "fuzz.yaml");
    if (!parsed) {
        (void)parsed.error().to_string();
    }
    return 0;
}
