#pragma once

#include "core/metrics.hpp"

#include <string>

namespace vigil::api {

// Renders every metric of `registry` in the Prometheus text exposition format (version 0.0.4).
[[nodiscard]] std::string render_prometheus(const core::metrics_registry& registry);

} // namespace vigil::api
