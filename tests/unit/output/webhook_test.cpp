#include "net/http_client.hpp"
#include "output/webhook_format.hpp"
#include "output/webhook_sink.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

using namespace vigil;

TEST_CASE("Standard Webhooks signature matches the specification's example", "[output][webhook]") {
    // The example of the Standard Webhooks specification (standardwebhooks.com).
    auto request = output::render_webhook(
        output::webhook_format::generic, "http://x/", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek", R"({"test": 2432232314})", 1'614'265'330'000);
    REQUIRE(request.has_value());
    CHECK(request->body == R"({"test": 2432232314})");
    auto header = [&](const std::string& name) {
        for (const auto& [n, v] : request->headers) {
            if (n == name) {
                return v;
            }
        }
        return std::string();
    };
    CHECK(header("webhook-id") == "msg_p5jXN8AQM9LWM0D4loKWxJek");
    CHECK(header("webhook-timestamp") == "1614265330");
    CHECK(header("webhook-signature") == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    // Without a secret: the same headers, no signature.
    auto unsigned_request =
        output::render_webhook(output::webhook_format::generic, "http://x/", "", "id", "{}", 0);
    REQUIRE(unsigned_request.has_value());
    for (const auto& [n, v] : unsigned_request->headers) {
        CHECK(n != "webhook-signature");
    }
    CHECK_FALSE(output::render_webhook(output::webhook_format::generic, "http://x/", "secret", "id",
                                       "{}", 0)
                    .has_value());
}

TEST_CASE("base64 and HMAC-SHA256 agree with RFC 4648 and RFC 4231", "[output][webhook]") {
    CHECK(output::base64("") == "");
    CHECK(output::base64("f") == "Zg==");
    CHECK(output::base64("foob") == "Zm9vYg==");
    CHECK(output::base64("foobar") == "Zm9vYmFy");
    CHECK(output::unbase64("Zm9vYg==").value() == "foob");
    CHECK(output::unbase64("Zm9vYmE=").value() == "fooba");
    CHECK_FALSE(output::unbase64("Zm9").has_value());
    // RFC 4231, test case 2 (5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843).
    CHECK(output::base64(output::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("DingTalk signs the URL, Feishu the body", "[output][webhook]") {
    const std::string alert =
        R"({"id":"01J","rule":{"title":"T","level":"high"},"grade":"II","count":3,"evidence":[{"fields":{"message":"m"}}]})";
    auto ding = output::render_webhook(output::webhook_format::dingtalk,
                                       "https://oapi.dingtalk.com/robot/send?access_token=t",
                                       "SECabc", "01J", alert, 1'700'000'000'123);
    REQUIRE(ding.has_value());
    const std::string sign = output::base64(output::hmac_sha256("SECabc", "1700000000123\nSECabc"));
    std::string encoded;
    for (char c : sign) {
        encoded += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
    }
    CHECK(ding->url == "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000123"
                       "&sign=" +
                           encoded);
    auto feishu = output::render_webhook(output::webhook_format::feishu, "https://f/", "s", "01J",
                                         alert, 1'700'000'000'123);
    REQUIRE(feishu.has_value());
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(feishu->body).get(doc) == simdjson::SUCCESS);
    std::string_view timestamp, signature;
    REQUIRE(doc["timestamp"].get(timestamp) == simdjson::SUCCESS);
    REQUIRE(doc["sign"].get(signature) == simdjson::SUCCESS);
    CHECK(timestamp == "1700000000");
    CHECK(signature == output::base64(output::hmac_sha256("1700000000\ns", "")));
    CHECK(feishu->url == "https://f/");
}

TEST_CASE("Retry-After in seconds or as an HTTP date", "[output][webhook]") {
    const std::int64_t now = 784'111'777'000; // Sun, 06 Nov 1994 08:49:37 GMT
    CHECK(output::read_retry_after("120", now) == 120'000);
    CHECK(output::read_retry_after(" 3", now) == 3'000);
    CHECK(output::read_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) == 10'000);
    CHECK(output::read_retry_after("Sun, 06 Nov 1994 08:49:27 GMT", now) == 0);
    CHECK_FALSE(output::read_retry_after("", now).has_value());
    CHECK_FALSE(output::read_retry_after("soon", now).has_value());
    CHECK(output::read_retry_after("9999999", now) == 86'400'000); // at most a day
}

TEST_CASE("private, loopback, link-local and metadata addresses are recognised", "[output][net]") {
    auto is_private = [](const char* text) {
        return net::is_private_address(boost::asio::ip::make_address(text));
    };
    for (const char* inside :
         {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
          "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:10.0.0.1", "::"}) {
        INFO(inside);
        CHECK(is_private(inside));
    }
    for (const char* outside :
         {"8.8.8.8", "172.32.0.1", "192.0.2.1", "100.128.0.1", "2001:db8::1", "::ffff:8.8.8.8"}) {
        INFO(outside);
        CHECK_FALSE(is_private(outside));
    }
}
