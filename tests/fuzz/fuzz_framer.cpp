// Fuzz target: the syslog TCP framing state machine (octet counting and newlines). The input
// is fed in chunks whose sizes come from the input itself, so frames straddle feeds.
#include "fuzz_input.hpp"
#include "ingest/syslog_framer.hpp"

#include <cstdlib>

namespace {

class checking_sink final : public vigil::ingest::frame_sink {
public:
    std::size_t max_bytes = 0;
    void on_frame(std::string_view frame) override {
        if (frame.size() > max_bytes) {
            std::abort(); // a frame above the limit must never be delivered
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    const std::size_t limit = 16 + data[0] % 240;
    vigil::ingest::syslog_framer framer(limit);
    checking_sink sink;
    sink.max_bytes = limit;
    std::string_view rest = fuzz_text(data + 2, size - 2);
    const std::size_t chunk = 1 + data[1] % 64;
    while (!rest.empty()) {
        const std::size_t n = std::min(chunk, rest.size());
        framer.feed(rest.substr(0, n), sink);
        rest.remove_prefix(n);
    }
    framer.finish(sink);
    return 0;
}
