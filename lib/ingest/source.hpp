#pragma once

#include <expected>
#include <string>

namespace vigil::ingest {

// A configured input (syslog UDP, TCP, TLS; Kafka) as the daemon starts and stops it. Built from
// its configuration section by make_sources (source_factory.hpp). Lives on the I/O thread.
class source {
public:
    virtual ~source() = default;
    // Binds or connects; the error names the address and the reason.
    [[nodiscard]] virtual std::expected<void, std::string> start() = 0;
    // Stops reading; what was already read is handed to the pipeline first (see each source).
    virtual void stop() = 0;
    // What it does, for the log once started: "listening: syslog/tcp 127.0.0.1:5514".
    [[nodiscard]] virtual std::string description() const = 0;
};

} // namespace vigil::ingest
