#include "core/raw_record.hpp"

#include "core/hash.hpp"

#include <arpa/inet.h>

namespace vigil::core {

std::string_view to_string(source_kind kind) {
    switch (kind) {
    case source_kind::syslog_udp:
        return "syslog_udp";
    case source_kind::syslog_tcp:
        return "syslog_tcp";
    case source_kind::file:
        return "file";
    case source_kind::http:
        return "http";
    case source_kind::syslog_tls:
        return "syslog_tls";
    case source_kind::kafka:
        return "kafka";
    }
    return "unknown";
}

std::string peer_address::to_string() const {
    if (!known) {
        return {};
    }
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(is_v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
    std::string out;
    if (is_v6) {
        out += '[';
        out += text;
        out += ']';
    } else {
        out += text;
    }
    out += ':';
    out += std::to_string(port);
    return out;
}

input_id input_for_peer(source_kind kind, const peer_address& peer, bool with_port) {
    std::uint64_t h = stable_hash(
        std::string_view(reinterpret_cast<const char*>(peer.bytes.data()), peer.bytes.size()),
        static_cast<std::uint64_t>(kind) + 1);
    h = hash_combine(h, with_port ? peer.port : 0u);
    return h == 0 ? 1 : h;
}

input_id input_for_partition(std::string_view topic, std::int32_t partition) {
    const std::uint64_t h =
        hash_combine(stable_hash(topic, static_cast<std::uint64_t>(source_kind::kafka) + 1),
                     static_cast<std::uint32_t>(partition));
    return h == 0 ? 1 : h;
}

std::string input_name(source_kind kind, const peer_address& peer, bool with_port) {
    std::string name(to_string(kind));
    if (!peer.known) {
        return name;
    }
    name += ' ';
    std::string address = peer.to_string();
    if (!with_port) {
        address.resize(address.rfind(':'));
    }
    name += address;
    return name;
}

std::string partition_input_name(std::string_view topic, std::int32_t partition) {
    std::string name = "kafka ";
    name += topic;
    name += '/';
    name += std::to_string(partition);
    return name;
}

void raw_batch::add(std::string_view bytes, source_kind source, std::int64_t recv_ns,
                    const peer_address& peer, input_id input, std::uint16_t tenant) {
    records_.push_back({storage_.copy(bytes), source, recv_ns, peer, input, tenant});
    bytes_ += bytes.size();
    if (!origin_of_.empty()) {
        origin_of_.push_back(nullptr);
    }
}

void raw_batch::add_kafka(std::string_view value, std::string_view topic, std::string_view key,
                          std::string_view headers, std::int32_t partition, std::int64_t offset,
                          std::int64_t recv_ns) {
    origins_.push_back(
        {storage_.copy(topic), storage_.copy(key), storage_.copy(headers), partition, offset});
    origin_of_.resize(records_.size(), nullptr);
    records_.push_back({storage_.copy(value),
                        source_kind::kafka,
                        recv_ns,
                        {},
                        input_for_partition(topic, partition),
                        0});
    origin_of_.push_back(&origins_.back());
    bytes_ += value.size();
}

} // namespace vigil::core
