#pragma once

#include "core/arena.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::core {

// Which listener a record came through.
enum class source_kind : std::uint8_t { syslog_udp, syslog_tcp, file, http, syslog_tls, kafka };
inline constexpr std::size_t source_kind_count = 6;

[[nodiscard]] std::string_view to_string(source_kind kind);

// The network address of the sender of a record (IPv4 or IPv6 and port), kept in binary so that
// sources do not format text per record.
struct peer_address {
    std::array<std::uint8_t, 16> bytes{};
    std::uint16_t port = 0;
    bool is_v6 = false;
    bool known = false;

    // "192.0.2.1:514" or "[2001:db8::1]:514"; empty when unknown.
    [[nodiscard]] std::string to_string() const;
};

// Where a Kafka record came from; its texts point into the raw_batch.
struct kafka_origin {
    std::string_view topic;
    std::string_view key;
    std::string_view headers; // a JSON object {"name": "value"}, empty when there are none
    std::int32_t partition = -1;
    std::int64_t offset = -1;
};

// The input a record came through (ARCHITECTURE.md, "Time"): one syslog TCP or TLS connection,
// one UDP sender (address and port), one Kafka partition, one HTTP client address, one replayed
// file. Event time is tracked per input: each keeps its own watermark. Ids are made by the
// sources (input_for_peer, input_for_partition, or a connection's own); 0 is "no input".
using input_id = std::uint64_t;

// An input that opened (a connection accepted, a partition assigned) or closed. Sources that
// know when an input begins and ends say so in the batch, so that an input holds event time
// back from the moment it exists (not only from its first record) and stops at once when it
// ends. `name` labels the input's metrics ("syslog_tcp 192.0.2.7:40312").
struct input_change {
    input_id input = 0;
    bool opened = true;
    std::string name;
    std::int64_t at_ns = 0; // processing time of the change
};

// The id of the input of a sender: its address, and its port where one socket is one stream
// (UDP; HTTP clients open new connections, so they are one input per address).
[[nodiscard]] input_id input_for_peer(source_kind kind, const peer_address& peer, bool with_port);
// The id of a Kafka partition's input.
[[nodiscard]] input_id input_for_partition(std::string_view topic, std::int32_t partition);
// "syslog_udp 192.0.2.7:514", "http 192.0.2.7" (without the port), "kafka logs/2".
[[nodiscard]] std::string input_name(source_kind kind, const peer_address& peer, bool with_port);
[[nodiscard]] std::string partition_input_name(std::string_view topic, std::int32_t partition);

// One record as a source cut it from its byte stream (DESIGN.md §4). `bytes` points into the
// raw_batch that carries the record.
struct raw_record {
    std::string_view bytes;
    source_kind source = source_kind::syslog_tcp;
    std::int64_t recv_ns = 0;
    peer_address peer;
    input_id input = 0;
    // The tenant a source knew the record by (an HTTP ingest token): its number in the
    // configuration's `tenants` (1, 2, ...); 0 = decide by topic, listener or sender.
    std::uint16_t tenant = 0;
};

// Records that cross from a source to a worker together. The batch owns the bytes of its
// records; it is filled by one thread, then handed over whole through an spsc_ring.
class raw_batch {
public:
    raw_batch() : storage_(64 * 1024) {}

    // Copies `bytes` into the batch and appends a record that points at the copy.
    void add(std::string_view bytes, source_kind source, std::int64_t recv_ns,
             const peer_address& peer, input_id input = 0, std::uint16_t tenant = 0);
    // A Kafka record: the value, and its topic, key, partition and offset.
    void add_kafka(std::string_view value, std::string_view topic, std::string_view key,
                   std::string_view headers, std::int32_t partition, std::int64_t offset,
                   std::int64_t recv_ns);
    // Where record `i` came from, for Kafka records; null for the others.
    [[nodiscard]] const kafka_origin* origin(std::size_t i) const {
        return i < origin_of_.size() ? origin_of_[i] : nullptr;
    }

    [[nodiscard]] const std::vector<raw_record>& records() const { return records_; }
    [[nodiscard]] std::size_t size() const { return records_.size(); }
    // No records and no input changes: nothing to hand over.
    [[nodiscard]] bool empty() const { return records_.empty() && input_changes.empty(); }
    [[nodiscard]] std::size_t bytes() const { return bytes_; }

    // Set by the pipeline when it takes the batch: batches it took are numbered 1, 2, 3, ...
    // without gaps, so sources that confirm durability (Kafka) can ask when one is durable.
    std::uint64_t sequence = 0;

    // Inputs that opened or closed, in the order they did: an opening before the input's first
    // record in this batch, a closing after its last one.
    std::vector<input_change> input_changes;

private:
    arena storage_;
    std::vector<raw_record> records_;
    std::deque<kafka_origin> origins_;           // stable addresses
    std::vector<const kafka_origin*> origin_of_; // per record, when any record has one
    std::size_t bytes_ = 0;
};

} // namespace vigil::core
