#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::output {

// How a webhook destination wants its alerts (outputs.webhooks[].format).
enum class webhook_format {
    generic,  // the alert JSON (schemas/alert.schema.json), Standard Webhooks headers
    slack,    // {"text": ...} with Slack mrkdwn (also Mattermost, Rocket.Chat)
    wecom,    // WeCom (企业微信) group robot: markdown message
    dingtalk, // DingTalk (钉钉) group robot: markdown message, signed URL when a secret is set
    feishu, // Feishu / Lark (飞书) group robot: interactive card, signed body when a secret is set
};

[[nodiscard]] std::expected<webhook_format, std::string> read_webhook_format(std::string_view name);
[[nodiscard]] std::string_view to_string(webhook_format format);

// One request to send: the URL (DingTalk adds its signature to the query), the body and the
// header fields besides Content-Type.
struct webhook_request {
    std::string url;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Renders alert `alert_json` (id `alert_id`) for `format` at Unix time `now_ms`:
// - generic: Standard Webhooks (standardwebhooks.com): `webhook-id` = the alert id (the same on
//   every retry), `webhook-timestamp` = Unix seconds, `webhook-signature` = "v1," + base64 of
//   HMAC-SHA256 over "id.timestamp.body" keyed with the secret ("whsec_" + base64 key); no
//   signature header without a secret. Also `Idempotency-Key` = the alert id.
// - dingtalk with a secret: "&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of
//   "<ms>\n<secret>" keyed with the secret>" on the URL (DingTalk's signed robot).
// - feishu with a secret: "timestamp" (seconds) and "sign" (base64 HMAC-SHA256 of the empty
//   message keyed with "<seconds>\n<secret>") in the body (Feishu's signed robot).
// The chat formats carry a markdown summary: grade, level, rule title, host, key, count,
// first and last seen, the first evidence message, and the alert id.
[[nodiscard]] std::expected<webhook_request, std::string>
render_webhook(webhook_format format, const std::string& url, const std::string& secret,
               std::string_view alert_id, std::string_view alert_json, std::int64_t now_ms);

// The secret of a Standard Webhooks signature: "whsec_" + base64 -> the key bytes.
[[nodiscard]] std::expected<std::string, std::string>
standard_webhooks_key(std::string_view secret);

// Base64 (RFC 4648, padded) and HMAC-SHA256, for the signatures above.
[[nodiscard]] std::string base64(std::string_view bytes);
[[nodiscard]] std::expected<std::string, std::string> unbase64(std::string_view text);
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view message);

} // namespace vigil::output
