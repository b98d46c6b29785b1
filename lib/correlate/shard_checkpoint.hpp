#pragma once

#include "correlate/correlator_shard.hpp"
#include "rules/rule_set.hpp"

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace vigil::correlate {

// Checkpoints of correlator shards (DESIGN.md §8): each shard's state is saved as one binary
// blob (correlator_shard::save) that the alert stage writes to RocksDB column family `state`.
//
// Format (little-endian): "VGCK", u32 version (3; 2 is read too), i64 newest event time, i64
// watermark, u64 waiting matches and per match: string correlation fingerprint, i64 event
// time, u64 rule positions, string key, string value, string evidence, u64 record hash, u64
// input, u8 counts (version 3 only); then per correlation with keys: string fingerprint, u64 key
// count, and per key: string key, i64 newest, i64 opened, u32 count, u32 n + n x i64 times, u8
// has_extra [u32 n + n x (i64 time, f64 number, u64 hash, u64 weight, string value), string
// evidence], u8 has_open [16 bytes id, i64 quiet_until, u64 count, i64 first, i64 last, i64
// created, f64 metric, u8 dirty, u32 n + n x string evidence, u32 n + n x string values]. Strings
// are u32 length + bytes. Last, a u64 FNV-1a checksum of everything before it.

// Restores the blobs of every shard written before (any number of shards) into `shards`: each
// key goes to the shard its route hash chooses now, so the shard count may change between
// runs. Keys of correlations that are no longer defined the same way are dropped. Returns what
// was restored, or why a blob could not be read (nothing is restored then).
struct restore_result {
    std::size_t restored = 0;
    std::size_t dropped = 0; // keys and waiting matches of correlations changed or removed since
    std::size_t waiting = 0; // matches waiting for the watermark
};
[[nodiscard]] std::expected<restore_result, std::string>
restore_shards(std::span<const std::string> blobs, std::span<correlator_shard* const> shards,
               const std::shared_ptr<const rules::rule_set>& rules);

} // namespace vigil::correlate
