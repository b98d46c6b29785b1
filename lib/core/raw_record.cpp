#include "core/raw_record.hpp"

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

void raw_batch::add(std::string_view bytes, source_kind source, std::int64_t recv_ns,
                    const peer_address& peer) {
    records_.push_back({storage_.copy(bytes), source, recv_ns, peer});
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
    records_.push_back({storage_.copy(value), source_kind::kafka, recv_ns, {}});
    origin_of_.push_back(&origins_.back());
    bytes_ += value.size();
}

} // namespace vigil::core
