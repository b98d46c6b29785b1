#include "output/webhook_format.hpp"

#include "core/json_writer.hpp"

#include <array>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <simdjson.h>

namespace vigil::output {
namespace {

constexpr std::array<std::pair<std::string_view, webhook_format>, 5> format_names = {{
    {"generic", webhook_format::generic},
    {"slack", webhook_format::slack},
    {"wecom", webhook_format::wecom},
    {"dingtalk", webhook_format::dingtalk},
    {"feishu", webhook_format::feishu},
}};

std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// What a chat message says about an alert, read from its document.
struct alert_summary {
    std::string id, title, level, grade, host, first_seen, last_seen, message, key;
    std::uint64_t count = 1;
};

std::expected<alert_summary, std::string> summarize(std::string_view alert_json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto error = parser.parse(alert_json.data(), alert_json.size()).get(doc)) {
        return std::unexpected(std::string("alert is not JSON: ") + simdjson::error_message(error));
    }
    alert_summary s;
    auto text = [&](const char* pointer) {
        std::string_view v;
        return doc.at_pointer(pointer).get(v) ? std::string() : std::string(v);
    };
    s.id = text("/id");
    s.title = text("/rule/title");
    s.level = text("/rule/level");
    s.grade = text("/grade");
    s.host = text("/host");
    s.first_seen = text("/first_seen");
    s.last_seen = text("/last_seen");
    s.message = text("/evidence/0/fields/message");
    if (s.message.empty()) {
        s.message = text("/evidence/0/fields/event.original");
    }
    if (s.message.size() > 300) {
        s.message = s.message.substr(0, 300) + "…";
    }
    std::uint64_t count = 1;
    if (!doc["count"].get(count)) {
        s.count = count;
    }
    simdjson::dom::object key;
    if (!doc["key"].get(key)) {
        for (auto [name, value] : key) {
            std::string_view v;
            if (!value.get(v)) {
                s.key += (s.key.empty() ? "" : ", ") + std::string(name) + "=" + std::string(v);
            }
        }
    }
    return s;
}

// The summary as markdown lines; `bold` is "**" (WeCom, DingTalk, Feishu) or "*" (Slack).
std::string markdown(const alert_summary& s, std::string_view bold) {
    std::string out;
    auto line = [&](std::string_view label, const std::string& value) {
        if (!value.empty()) {
            out.append(bold).append(label).append(bold).append(": ").append(value).append("\n");
        }
    };
    out.append(bold).append("[" + s.grade + "] " + s.title).append(bold).append("\n");
    line("Level", s.level);
    line("Host", s.host);
    line("Key", s.key);
    line("Count", std::to_string(s.count));
    line("First seen", s.first_seen);
    line("Last seen", s.last_seen);
    if (!s.message.empty()) {
        out.append("> ").append(s.message).append("\n");
    }
    line("Alert", s.id);
    return out;
}

std::string title_of(const alert_summary& s) {
    return "[" + s.grade + "] " + s.title;
}

} // namespace

std::expected<webhook_format, std::string> read_webhook_format(std::string_view name) {
    for (const auto& [n, f] : format_names) {
        if (n == name) {
            return f;
        }
    }
    return std::unexpected("'" + std::string(name) +
                           "' is none of generic, slack, wecom, dingtalk, feishu");
}

std::string_view to_string(webhook_format format) {
    for (const auto& [n, f] : format_names) {
        if (f == format) {
            return n;
        }
    }
    return "generic";
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::expected<std::string, std::string> unbase64(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::unexpected("not base64 (length is not a multiple of 4)");
    }
    std::string out(3 * text.size() / 4, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) {
        return std::unexpected("not base64");
    }
    // EVP_DecodeBlock counts padding as zero bytes.
    std::size_t size = static_cast<std::size_t>(n);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
        --size;
    }
    out.resize(size);
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
    return std::string(reinterpret_cast<const char*>(digest), size);
}

std::expected<std::string, std::string> standard_webhooks_key(std::string_view secret) {
    if (!secret.starts_with("whsec_")) {
        return std::unexpected("a Standard Webhooks secret starts with whsec_ (then base64)");
    }
    auto key = unbase64(secret.substr(6));
    if (!key || key->empty()) {
        return std::unexpected("the secret after whsec_ is not base64");
    }
    return key;
}

std::expected<webhook_request, std::string>
render_webhook(webhook_format format, const std::string& url, const std::string& secret,
               std::string_view alert_id, std::string_view alert_json, std::int64_t now_ms) {
    webhook_request out;
    out.url = url;
    const std::string seconds = std::to_string(now_ms / 1000);
    if (format == webhook_format::generic) {
        out.body = alert_json;
        out.headers = {{"webhook-id", std::string(alert_id)},
                       {"webhook-timestamp", seconds},
                       {"Idempotency-Key", std::string(alert_id)}};
        if (!secret.empty()) {
            auto key = standard_webhooks_key(secret);
            if (!key) {
                return std::unexpected(key.error());
            }
            const std::string signed_text =
                std::string(alert_id) + "." + seconds + "." + std::string(alert_json);
            out.headers.emplace_back("webhook-signature",
                                     "v1," + base64(hmac_sha256(*key, signed_text)));
        }
        return out;
    }
    auto summary = summarize(alert_json);
    if (!summary) {
        return std::unexpected(summary.error());
    }
    core::json_writer w(out.body);
    w.begin_object();
    switch (format) {
    case webhook_format::slack:
        w.field("text", markdown(*summary, "*"));
        break;
    case webhook_format::wecom:
        w.field("msgtype", "markdown");
        w.key("markdown").begin_object().field("content", markdown(*summary, "**")).end_object();
        break;
    case webhook_format::dingtalk:
        w.field("msgtype", "markdown");
        w.key("markdown")
            .begin_object()
            .field("title", title_of(*summary))
            .field("text", markdown(*summary, "**"))
            .end_object();
        if (!secret.empty()) {
            const std::string ms = std::to_string(now_ms);
            out.url += (url.find('?') == std::string::npos ? "?" : "&");
            out.url += "timestamp=" + ms +
                       "&sign=" + url_encode(base64(hmac_sha256(secret, ms + "\n" + secret)));
        }
        break;
    case webhook_format::feishu:
        if (!secret.empty()) {
            w.field("timestamp", seconds);
            w.field("sign", base64(hmac_sha256(seconds + "\n" + secret, "")));
        }
        w.field("msg_type", "interactive");
        w.key("card").begin_object();
        w.key("header").begin_object();
        w.key("title")
            .begin_object()
            .field("tag", "plain_text")
            .field("content", title_of(*summary))
            .end_object();
        w.field("template", summary->grade == "I" || summary->grade == "II" ? "red" : "orange");
        w.end_object();
        w.key("elements").begin_array();
        w.begin_object().field("tag", "markdown").field("content", markdown(*summary, "**"));
        w.end_object().end_array();
        w.end_object();
        break;
    case webhook_format::generic:
        break;
    }
    w.end_object();
    return out;
}

} // namespace vigil::output
