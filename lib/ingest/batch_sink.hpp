#pragma once

#include "core/raw_record.hpp"

#include <memory>

namespace vigil::ingest {

// Where sources deliver batches: the pipeline's entrance. Called on the I/O thread only, which
// makes it the single producer of the rings behind it.
class batch_sink {
public:
    virtual ~batch_sink() = default;

    // Takes `batch` (leaving it null) when a worker has room and returns true; returns false
    // and leaves the batch alone under back-pressure. The caller then applies its source's
    // policy: TCP stops reading and retries, UDP drops and counts.
    [[nodiscard]] virtual bool try_submit(std::unique_ptr<core::raw_batch>& batch) = 0;
};

} // namespace vigil::ingest
