#include "rules/ioc_list.hpp"
#include "rules/ip_network.hpp"
#include "rules/sigma_pattern.hpp"
#include "rules/sigma_value.hpp"

#include <catch2/catch.hpp>

using namespace vigil::rules;

TEST_CASE("base64 and base64offset give pySigma's renderings", "[rules][value]") {
    CHECK(base64_encode("/bin/bash") == "L2Jpbi9iYXNo");
    CHECK(base64_encode("ab") == "YWI=");
    CHECK(base64_encode("a") == "YQ==");
    // The Sigma documentation's example.
    CHECK(base64_offsets("/bin/bash") ==
          std::vector<std::string>{"L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"});
}

TEST_CASE("utf16 encodings", "[rules][value]") {
    CHECK(to_utf16("cmd", false) == std::string("c\0m\0d\0", 6));
    CHECK(to_utf16("cmd", true) == std::string("\0c\0m\0d", 6));
    CHECK(to_utf16("\xC3\xA9", false) == std::string("\xE9\0", 2));                   // é
    CHECK(to_utf16("\xF0\x9F\x98\x80", false) == std::string("\x3D\xD8\x00\xDE", 4)); // surrogates
    CHECK_FALSE(to_utf16("\xFF", false).has_value());
    auto wide = prepare_value("cmd", {value_encoding::utf16le, value_encoding::base64offset});
    REQUIRE(wide.size() == 3);
    CHECK(wide[0].literal() == "YwBtAGQA");
}

TEST_CASE("windash makes a word-starting dash or slash match any dash", "[rules][value]") {
    auto pieces = [](const std::string& v) {
        return build_expression(prepare_value(v, {value_encoding::windash}).front(),
                                match_kind::contains, false)
            .pattern;
    };
    const std::string any_dash = "(?:\\x2d|\\x2f|\\xe2\\x80\\x93|\\xe2\\x80\\x94|\\xe2\\x80\\x95)";
    CHECK(pieces(" -enc ") == "\\x20" + any_dash + "enc\\x20");
    CHECK(pieces(" /c ") == "\\x20" + any_dash + "c\\x20");
    // A dash inside a word, or before a non-word character, stays itself.
    CHECK(pieces("a-b") == "a\\x2db");
    CHECK(pieces(" - ") == "\\x20\\x2d\\x20");
    // An en dash at the start of a flag is a dash too.
    CHECK(pieces(" \xE2\x80\x93"
                 "enc") == "\\x20" + any_dash + "enc");
}

TEST_CASE("numbers in rules and events", "[rules][value]") {
    CHECK(parse_number("42") == 42.0);
    CHECK(parse_number(" -1.5 ") == -1.5);
    CHECK(parse_number("0x1F") == 31.0);
    CHECK_FALSE(parse_number("12a").has_value());
    CHECK_FALSE(parse_number("").has_value());
}

TEST_CASE("placeholders and their substitution", "[rules][value]") {
    CHECK(placeholders("%a% and %b%") == std::vector<std::string>{"a", "b"});
    CHECK(placeholders("100\\% sure").empty());
    CHECK(substitute("%admins%\\*", "admins", "root") == "root\\*");
    CHECK(substitute("50\\%", "x", "y") == "50%");
}

TEST_CASE("regex hazards name the repeat", "[rules][value]") {
    CHECK(regex_hazard("a{1,3}b").has_value() == false);
    auto big = regex_hazard("x{0,32767}");
    REQUIRE(big.has_value());
    CHECK(big->find("bounded repeat {0,32767} is larger than 1000") != std::string::npos);
    CHECK(regex_hazard("y{5000}").has_value());
    CHECK(regex_hazard("z{1,99999999999999}").has_value());
    CHECK_FALSE(regex_hazard("\\{0,99999\\}").has_value()); // escaped braces are literal
}

TEST_CASE("networks parse as IPv4 and IPv6 and mask their host bits", "[rules][cidr]") {
    auto v4 = ip_network::parse("10.1.2.3/8");
    REQUIRE(v4.has_value());
    CHECK(v4->v4);
    CHECK(v4->prefix == 104);
    CHECK(v4->to_string() == "10.0.0.0/8");
    auto host = ip_network::parse("192.0.2.7");
    REQUIRE(host.has_value());
    CHECK(host->to_string() == "192.0.2.7/32");
    auto v6 = ip_network::parse("2001:db8::1/32");
    REQUIRE(v6.has_value());
    CHECK(v6->to_string() == "2001:db8::/32");
    CHECK_FALSE(ip_network::parse("10.0.0.0/33").has_value());
    CHECK_FALSE(ip_network::parse("not-an-ip").has_value());
    CHECK_FALSE(ip_network::parse("::1/129").has_value());
}

TEST_CASE("IOC entries are matched by what they are", "[rules][ioc]") {
    CHECK(classify_ioc("198.51.100.7") == ioc_kind::network);
    CHECK(classify_ioc("203.0.113.0/24") == ioc_kind::network);
    CHECK(classify_ioc("2001:db8::/32") == ioc_kind::network);
    CHECK(classify_ioc("evil.example") == ioc_kind::domain);
    CHECK(classify_ioc("*.bad.example") == ioc_kind::domain);
    CHECK(classify_ioc("44d88612fea8a8f36de82e1278abb02f") == ioc_kind::exact); // a hash
    CHECK(classify_ioc("administrator") == ioc_kind::exact);
    CHECK(classify_ioc("1.2.3") == ioc_kind::exact); // a version number, not a domain
}
