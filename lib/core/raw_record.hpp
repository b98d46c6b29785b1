#pragma once

#include "core/arena.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::core {

// Which listener a record came through.
enum class source_kind : std::uint8_t { syslog_udp, syslog_tcp, file, http, syslog_tls };
inline constexpr std::size_t source_kind_count = 5;

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

// One record as a source cut it from its byte stream (DESIGN.md §4). `bytes` points into the
// raw_batch that carries the record.
struct raw_record {
    std::string_view bytes;
    source_kind source = source_kind::syslog_tcp;
    std::int64_t recv_ns = 0;
    peer_address peer;
};

// Records that cross from a source to a worker together. The batch owns the bytes of its
// records; it is filled by one thread, then handed over whole through an spsc_ring.
class raw_batch {
public:
    raw_batch() : storage_(64 * 1024) {}

    // Copies `bytes` into the batch and appends a record that points at the copy.
    void add(std::string_view bytes, source_kind source, std::int64_t recv_ns,
             const peer_address& peer);

    [[nodiscard]] const std::vector<raw_record>& records() const { return records_; }
    [[nodiscard]] std::size_t size() const { return records_.size(); }
    [[nodiscard]] bool empty() const { return records_.empty(); }
    [[nodiscard]] std::size_t bytes() const { return bytes_; }

private:
    arena storage_;
    std::vector<raw_record> records_;
    std::size_t bytes_ = 0;
};

} // namespace vigil::core
