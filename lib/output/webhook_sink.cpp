#include "output/webhook_sink.hpp"

#include "core/civil_time.hpp"
#include "net/http_client.hpp"

#include <array>
#include <charconv>
#include <simdjson.h>

namespace vigil::output {

namespace {

// WeCom and DingTalk answer {"errcode": 0, "errmsg": "ok"}, Feishu {"code": 0, "msg": "success"}.
std::optional<std::string> robot_error(webhook_format format, const std::string& body) {
    if (format != webhook_format::wecom && format != webhook_format::dingtalk &&
        format != webhook_format::feishu) {
        return std::nullopt;
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc)) {
        return std::nullopt; // not the robot's JSON: the 2xx stands
    }
    const bool feishu = format == webhook_format::feishu;
    std::int64_t code = 0;
    if (doc[feishu ? "code" : "errcode"].get(code) || code == 0) {
        return std::nullopt;
    }
    std::string_view message;
    if (doc[feishu ? "msg" : "errmsg"].get(message) != simdjson::SUCCESS) {
        message = "";
    }
    return std::to_string(code) + " " + std::string(message);
}

} // namespace

webhook_sink::webhook_sink(webhook_settings settings, const core::clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

std::optional<std::int64_t> read_retry_after(std::string_view value, std::int64_t now_ms) {
    while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
        return std::min<std::int64_t>(seconds, 86'400) * 1000;
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
    static constexpr std::array<std::string_view, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (value.size() != 29 || value.substr(25) != " GMT") {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t digits) {
        unsigned n = 0;
        const auto [e, c] = std::from_chars(value.data() + at, value.data() + at + digits, n);
        return c == std::errc() && e == value.data() + at + digits ? std::optional(n)
                                                                   : std::nullopt;
    };
    unsigned month = 0;
    for (unsigned m = 0; m < 12; ++m) {
        if (value.substr(8, 3) == months[m]) {
            month = m + 1;
        }
    }
    const auto day = number(5, 2), year = number(12, 4), hour = number(17, 2),
               minute = number(20, 2), second = number(23, 2);
    if (month == 0 || !day || !year || !hour || !minute || !second) {
        return std::nullopt;
    }
    const std::int64_t at_ms = (core::days_from_civil(*year, month, *day) * 86'400 + *hour * 3600 +
                                *minute * 60 + *second) *
                               1000;
    return std::max<std::int64_t>(0, std::min<std::int64_t>(at_ms - now_ms, 86'400'000));
}

send_result webhook_sink::send(std::string_view alert_id, std::string_view alert_json) {
    send_result out;
    const std::int64_t now_ms = clock_.now_ms();
    auto request = render_webhook(settings_.format, settings_.url, settings_.secret, alert_id,
                                  alert_json, now_ms);
    if (!request) {
        out.reason = "render";
        out.error = request.error();
        return out;
    }
    net::http_call_options options;
    options.timeout = settings_.timeout;
    options.ca_file = settings_.ca_file;
    options.allow_private = settings_.allow_private;
    options.cancelled = &cancelled_;
    options.headers = std::move(request->headers);
    options.headers.emplace_back("User-Agent", "vigil-webhook");
    auto answer = net::http_call("POST", request->url, request->body, options);
    if (!answer) {
        out.reason = cancelled_.load()                        ? "cancelled"
                     : answer.error().starts_with("refused:") ? "refused"
                                                              : "network";
        out.error = answer.error();
        return out;
    }
    if (answer->status >= 200 && answer->status < 300) {
        // Group robots answer 200 with an error code of their own (a wrong signature, a
        // keyword missing, too many messages).
        if (auto refused = robot_error(settings_.format, answer->body)) {
            out.reason = "status";
            out.error = "HTTP 200 but the robot refused: " + *refused;
            return out;
        }
        out.delivered = true;
        return out;
    }
    out.reason = answer->status >= 300 && answer->status < 400 ? "redirect" : "status";
    out.error = "HTTP " + std::to_string(answer->status);
    if (out.reason == "redirect") {
        out.error +=
            " (redirects are not followed; Location: " + std::string(answer->header("location")) +
            ")";
    }
    if (answer->status == 429 || answer->status == 503) {
        out.retry_after_ms = read_retry_after(answer->header("retry-after"), now_ms);
    }
    return out;
}

} // namespace vigil::output
