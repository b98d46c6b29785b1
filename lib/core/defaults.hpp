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

} // namespace vigil::defaults
