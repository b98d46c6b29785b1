#pragma once

#include "core/clock.hpp"
#include "output/alert_sink.hpp"
#include "output/webhook_format.hpp"

#include <chrono>
#include <string>

namespace vigil::output {

struct webhook_settings {
    std::string name;
    std::string url; // http:// or https://
    webhook_format format = webhook_format::generic;
    std::string secret;         // generic: "whsec_..."; dingtalk, feishu: the robot's secret
    bool allow_private = false; // may the URL reach loopback, private or link-local addresses
    std::string ca_file;        // https: trust this PEM file too
    std::chrono::seconds timeout{10};
};

// POSTs each alert, rendered for the destination's format (render_webhook), with net::http_call:
// 2xx is delivered; a redirect is not followed; 429 and 503 pass their Retry-After on.
class webhook_sink final : public alert_sink {
public:
    webhook_sink(webhook_settings settings, const core::clock& clock);
    [[nodiscard]] std::string_view name() const override { return settings_.name; }
    [[nodiscard]] send_result send(std::string_view alert_id, std::string_view alert_json) override;
    void cancel() override { cancelled_.store(true); }

private:
    webhook_settings settings_;
    const core::clock& clock_;
    std::atomic<bool> cancelled_{false};
};

// Retry-After: delay-seconds or an HTTP date, as milliseconds from `now_ms`; nothing when absent
// or unreadable.
[[nodiscard]] std::optional<std::int64_t> read_retry_after(std::string_view value,
                                                           std::int64_t now_ms);

} // namespace vigil::output
