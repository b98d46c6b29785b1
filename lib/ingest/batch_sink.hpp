#pragma once

#include "core/raw_record.hpp"

#include <cstdint>
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

// What a source that confirms durability to its sender (Kafka offsets) asks of the pipeline.
class durability_tracker {
public:
    virtual ~durability_tracker() = default;
    // I/O thread: the sequence number the next batch the sink takes will get (batch_sink).
    [[nodiscard]] virtual std::uint64_t next_sequence() const = 0;
    // Any thread: asks for batches up to `sequence` to be made durable.
    virtual void request_durable(std::uint64_t sequence) = 0;
    // Any thread: every batch up to this sequence is durable.
    [[nodiscard]] virtual std::uint64_t durable_sequence() const = 0;
};

} // namespace vigil::ingest
