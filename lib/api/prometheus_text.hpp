#pragma once

#include <string>

#include "core/metrics.hpp"

namespace vigil::api {

// Renders every metric of `registry` in the Prometheus text exposition format (version 0.0.4).
[[nodiscard]] std::string render_prometheus(const core::metrics_registry& registry);

} // namespace vigil::api
