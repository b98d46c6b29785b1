#pragma once

#include "alert/alert_writer.hpp"
#include "config/vigil_config.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "ingest/batch_sink.hpp"
#include "ingest/durable_acks.hpp"
#include "ingest/http_ingest.hpp"
#include "ingest/source.hpp"
#include "net/server_tls.hpp"

#include <boost/asio/io_context.hpp>
#include <expected>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vigil::ingest {

// What every source is built with besides its configuration section.
struct source_context {
    boost::asio::io_context& io;
    batch_sink& sink;               // the pipeline
    durability_tracker& durability; // the pipeline: which batches are durable (Kafka commits)
    durable_acks& acks;             // answers senders once their records are durable
    alert::alert_writer& store;     // keeps Kafka dead letters
    core::metrics_registry& metrics;
    const core::clock& clock;
};

// The sources the configuration turns on, in start order, and the TLS contexts they loaded by
// configuration section (reloaded on SIGHUP).
struct configured_sources {
    std::vector<std::unique_ptr<source>> sources;
    std::vector<std::pair<std::string, std::shared_ptr<net::server_tls>>> tls_contexts;
};

// The HTTP ingest's settings from the configuration's `http` section (its endpoints are routes
// of the daemon's HTTP server).
[[nodiscard]] http_ingest_config
http_ingest_settings(const config::vigil_config::http_section& http);

// Builds each configured source from its section (syslog.udp, syslog.tcp, syslog.tls, kafka)
// through its factory: the one place that reads a source's configuration. A new kind of source
// is one file pair and one entry in the factory table. The error names the section.
[[nodiscard]] std::expected<configured_sources, std::string>
make_sources(const config::vigil_config& cfg, const source_context& context);

} // namespace vigil::ingest
