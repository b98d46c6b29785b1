#pragma once

#include "config/vigil_config.hpp"
#include "pipeline/pipeline.hpp"

namespace vigil::daemon {

// The data plane's settings from the configuration: workers, how each kind of source's records
// are read, event time (future skew, watermarks, late events) and the correlator's limits.
// vigild runs the pipeline with them; `vigil replay` takes the same parsing, event-time and
// correlation settings, so that a replay decides as the daemon would.
[[nodiscard]] pipeline::pipeline_config pipeline_settings(const config::vigil_config& cfg);

} // namespace vigil::daemon
