#include "output/delivery_service.hpp"

#include "output/kafka_sink.hpp"
#include "output/webhook_sink.hpp"

#include <algorithm>
#include <array>

namespace vigil::output {
namespace {

int level_rank(std::string_view level) {
    static constexpr std::array<std::string_view, 5> levels = {"informational", "low", "medium",
                                                               "high", "critical"};
    const auto it = std::find(levels.begin(), levels.end(), level);
    return it == levels.end() ? -1 : static_cast<int>(it - levels.begin());
}

delivery_settings queue_settings(const config::vigil_config::destination_section& d) {
    delivery_settings s;
    s.concurrency = static_cast<unsigned>(d.concurrency);
    s.max_age_ms = d.max_age_ns / 1'000'000;
    s.initial_backoff_ms = std::max<std::int64_t>(1, d.initial_backoff_ns / 1'000'000);
    s.max_backoff_ms = std::max(s.initial_backoff_ms, d.max_backoff_ns / 1'000'000);
    return s;
}

std::expected<std::unique_ptr<alert_sink>, std::string>
make_webhook(const config::vigil_config::webhook_section& w, const core::clock& clock) {
    auto format = read_webhook_format(w.format);
    if (!format) {
        return std::unexpected("webhook '" + w.delivery.name + "': format " + format.error());
    }
    webhook_settings s;
    s.name = w.delivery.name;
    s.url = w.url;
    s.format = *format;
    s.secret = w.secret;
    s.allow_private = w.allow_private;
    s.ca_file = w.ca_file;
    s.timeout = std::chrono::seconds(std::max<std::int64_t>(1, w.timeout_ns / 1'000'000'000));
    return std::make_unique<webhook_sink>(std::move(s), clock);
}

std::expected<std::unique_ptr<alert_sink>, std::string>
make_kafka(const config::vigil_config::kafka_alerts_section& k) {
    kafka_sink_settings s;
    s.name = k.delivery.name;
    s.brokers = k.brokers;
    s.topic = k.topic;
    s.properties = k.properties;
    auto sink = kafka_sink::create(std::move(s));
    if (!sink) {
        return std::unexpected(sink.error());
    }
    return std::unique_ptr<alert_sink>(std::move(*sink));
}

} // namespace

bool destination_wants(const config::vigil_config::destination_section& filter,
                       const alert::alert& a) {
    if (a.escalation && !filter.escalations) {
        return false;
    }
    if (!filter.tenants.empty() && std::find(filter.tenants.begin(), filter.tenants.end(),
                                             a.terms.tenant) == filter.tenants.end()) {
        return false;
    }
    if (!filter.min_level.empty() && level_rank(a.terms.level) < level_rank(filter.min_level)) {
        return false;
    }
    if (!filter.rules.empty() && std::find(filter.rules.begin(), filter.rules.end(),
                                           a.terms.rule_id) == filter.rules.end()) {
        return false;
    }
    if (!filter.tags.empty() &&
        std::none_of(a.terms.tags.begin(), a.terms.tags.end(), [&](const std::string& tag) {
            return std::find(filter.tags.begin(), filter.tags.end(), tag) != filter.tags.end();
        })) {
        return false;
    }
    return true;
}

std::expected<std::unique_ptr<delivery_service>, std::string>
delivery_service::create(const config::vigil_config::outputs_section& outputs,
                         alert::alert_store& store, const core::clock& clock,
                         core::metrics_registry& metrics) {
    std::unique_ptr<delivery_service> service(new delivery_service());
    std::vector<alert::outbox_route> routes;
    auto add = [&](const config::vigil_config::destination_section& d,
                   std::expected<std::unique_ptr<alert_sink>, std::string> sink)
        -> std::expected<void, std::string> {
        if (!sink) {
            return std::unexpected(sink.error());
        }
        service->queues_.push_back(std::make_unique<delivery_queue>(
            store, std::move(*sink), queue_settings(d), clock, metrics));
        routes.push_back({d.name, [d](const alert::alert& a) { return destination_wants(d, a); }});
        return {};
    };
    for (const auto& w : outputs.webhooks) {
        if (auto added = add(w.delivery, make_webhook(w, clock)); !added) {
            return std::unexpected(added.error());
        }
    }
    if (outputs.kafka) {
        if (auto added = add(outputs.kafka->delivery, make_kafka(*outputs.kafka)); !added) {
            return std::unexpected(added.error());
        }
    }
    if (store.deliveries() != nullptr) {
        store.deliveries()->set_routes(std::move(routes), [raw = service.get()] {
            for (auto& queue : raw->queues_) {
                queue->wake();
            }
        });
    }
    return service;
}

void delivery_service::start() {
    for (auto& queue : queues_) {
        queue->start();
    }
}

void delivery_service::stop() {
    for (auto& queue : queues_) {
        queue->stop();
    }
}

} // namespace vigil::output
