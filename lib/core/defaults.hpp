#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// Built-in defaults. packaging/vigil.yaml documents every one of them and a unit test keeps the
// shipped file and these values in step.
namespace vigil::defaults {

inline constexpr std::string_view data_dir = "./var";
inline constexpr std::string_view rules_dir = "./rules";
inline constexpr std::string_view schemas_dir = "./schemas";
inline constexpr std::string_view syslog_udp_listen = "127.0.0.1:5514";
inline constexpr std::string_view syslog_tcp_listen = "127.0.0.1:5514";
inline constexpr std::string_view http_listen = "127.0.0.1:8080";

// Largest syslog frame accepted on any transport; bigger frames are counted and skipped.
inline constexpr std::size_t max_frame_bytes = 64 * 1024;
// Records per raw_batch handed from a source to a worker.
inline constexpr std::size_t batch_records = 256;
// Slots of every SPSC ring between stages (a power of two).
inline constexpr std::size_t ring_slots = 64;
// Bytes the kernel may queue on a UDP socket before it drops datagrams.
inline constexpr int udp_receive_buffer_bytes = 8 * 1024 * 1024;
// Largest HTTP request head accepted (bodies: config http.max_body_bytes).
inline constexpr std::size_t http_max_header_bytes = 8 * 1024;

// The defaults of configuration keys that a source or server also takes when built without a
// configuration (tests): written once, here.
inline constexpr std::size_t syslog_max_connections = 4096;             // syslog.max_connections
inline constexpr std::size_t syslog_max_connections_per_client = 256;   // ...per_client
inline constexpr std::int64_t syslog_idle_timeout_ns = 300'000'000'000; // syslog.idle_timeout
inline constexpr std::size_t syslog_max_unconfirmed_records = 100'000;
inline constexpr std::string_view kafka_group_id = "vigil";
inline constexpr std::int64_t kafka_commit_interval_ns = 1'000'000'000;
inline constexpr std::size_t kafka_max_message_bytes = 1024 * 1024;
inline constexpr std::size_t http_max_body_bytes = 16 * 1024 * 1024;
inline constexpr std::size_t http_max_connections = 1024;
inline constexpr std::size_t http_max_connections_per_client = 128;
inline constexpr std::size_t http_max_decompressed_bytes = 64 * 1024 * 1024;
inline constexpr std::size_t http_max_compression_ratio = 100;
inline constexpr std::int64_t http_ack_timeout_ns = 5'000'000'000;
inline constexpr std::int64_t http_request_timeout_ns = 30'000'000'000;

} // namespace vigil::defaults
