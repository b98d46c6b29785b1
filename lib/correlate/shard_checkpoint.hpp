#pragma once

#include "alert/alert_writer.hpp"
#include "correlate/correlator_shard.hpp"
#include "rules/rule_set.hpp"

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace vigil::correlate {

// Checkpoints of correlator shards (DESIGN.md §8): correlator_shard::checkpoint() gives the
// shard's state and its waiting matches in segments (alert::shard_checkpoint), which the alert
// stage writes to RocksDB column family `state`. A batch's waiting matches are written once,
// in a segment of their own, when a checkpoint first finds them waiting; later checkpoints
// name the segment and how many of its matches have left since; the checkpoint after its last
// match left deletes it. So a checkpoint costs the shard's keys and the matches new since the
// last one, not every match waiting for the watermark again.
//
// State (little-endian): "VGCK", u32 version (4; 3 and 2 are read too), i64 newest event time,
// i64 watermark, u64 n + n x (u64 segment serial, u32 matches left since it was written)
// (version 3: u64 n + n waiting matches inline; version 2: none); then per correlation with
// keys: string fingerprint, u64 key count, and per key: string key, i64 newest, i64 opened, u32
// count, u32 n + n x i64 times, u8 has_extra [u32 n + n x (i64 time, f64 number, u64 hash, u64
// weight, string value), string evidence], u8 has_open [16 bytes id, i64 quiet_until, u64
// count, i64 first, i64 last, i64 created, f64 metric, u8 dirty, u32 n + n x string evidence,
// u32 n + n x string values]. Segment: "VGCW", u64 n + n waiting matches, each: string
// correlation fingerprint, i64 event time, u64 rule positions, string key, string value,
// string evidence, u64 record hash, u64 input, u8 counts. Strings are u32 length + bytes. Each
// ends with a u64 FNV-1a checksum of everything before it.

// Restores the checkpoints of every shard written before (any number of shards) into
// `shards`: each key and waiting match goes to the shard its route hash chooses now, so the
// shard count may change between runs. Keys of correlations that are no longer defined the same
// way are dropped. Returns what was restored, or why a checkpoint could not be read (a damaged
// blob, a segment named but not stored; nothing is restored then).
struct restore_result {
    std::size_t restored = 0;
    std::size_t dropped = 0; // keys and waiting matches of correlations changed or removed since
    std::size_t waiting = 0; // matches waiting for the watermark
};
[[nodiscard]] std::expected<restore_result, std::string>
restore_shards(std::span<const alert::stored_checkpoint> stored,
               std::span<correlator_shard* const> shards,
               const std::shared_ptr<const rules::rule_set>& rules);

} // namespace vigil::correlate
