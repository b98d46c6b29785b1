#pragma once

#include "output/alert_output.hpp"

#include <cstdio>

namespace vigil::output {

// Prints each alert as one JSON line (for demos and shell pipelines) and flushes after each
// batch, so a reader of the pipe sees alerts as they are stored.
class stdout_output final : public alert_output {
public:
    explicit stdout_output(std::FILE* stream = stdout) : stream_(stream) {}
    [[nodiscard]] std::string_view name() const override { return "stdout"; }
    void deliver(std::span<const alert::alert> alerts) override;

private:
    std::FILE* stream_;
};

} // namespace vigil::output
