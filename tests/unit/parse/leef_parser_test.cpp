#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "parse/leef_parser.hpp"
#include "support/record_helpers.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace vigil;
using parse::parse_error;

namespace {

struct leef_result : test::vendor_pairs {
    std::optional<std::int64_t> time_ns;

    [[nodiscard]] std::string time() const {
        return time_ns ? core::format_rfc3339(*time_ns) : "<none>";
    }
};

leef_result parse_leef(std::string_view text) {
    static parse::leef_parser parser; // one per worker in the daemon; caches devTimeFormat
    parse::vendor_fields fields;
    core::arena scratch;
    leef_result out;
    const parse_error error = parser.parse(text, fields, out.time_ns, scratch);
    static_cast<test::vendor_pairs&>(out) = test::copy_pairs(error, fields);
    return out;
}

} // namespace

TEST_CASE("leef 1.0: tab-separated attributes", "[parse][leef]") {
    auto r = parse_leef("LEEF:1.0|Microsoft|MSExchange|2016|15345|src=10.50.1.1\tdst=2.10.20.20\t"
                        "spt=1200\tusrName=alice smith");
    CHECK(r.error == parse_error::none);
    CHECK(r.get("leef.version") == "1.0");
    CHECK(r.get("leef.device_vendor") == "Microsoft");
    CHECK(r.get("leef.device_product") == "MSExchange");
    CHECK(r.get("leef.device_version") == "2016");
    CHECK(r.get("leef.event_id") == "15345");
    CHECK(r.get("src") == "10.50.1.1");
    CHECK(r.get("spt") == "1200");
    CHECK(r.get("usrName") == "alice smith");
}

TEST_CASE("leef 2.0: custom delimiters, literal and hex", "[parse][leef]") {
    auto caret = parse_leef("LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^"
                            "sev=5");
    CHECK(caret.error == parse_error::none);
    CHECK(caret.get("leef.delimiter") == "^");
    CHECK(caret.get("src") == "10.0.1.8");
    CHECK(caret.get("sev") == "5");
    auto hex = parse_leef("LEEF:2.0|V|P|1|E|x09|a=1\tb=two words");
    CHECK(hex.get("a") == "1");
    CHECK(hex.get("b") == "two words");
    auto hex0 = parse_leef("LEEF:2.0|V|P|1|E|0x7C|a=1|b=2");
    CHECK(hex0.get("a") == "1");
    CHECK(hex0.get("b") == "2");
    // No delimiter field at all: tab, and the attributes are not mistaken for a delimiter.
    auto none = parse_leef("LEEF:2.0|V|P|1|E|a=1\tb=2");
    CHECK(none.error == parse_error::none);
    CHECK(none.get("a") == "1");
}

TEST_CASE("leef: devTime with devTimeFormat, epoch and the default format", "[parse][leef]") {
    auto f = parse_leef("LEEF:2.0|V|P|1|E|^|devTime=Nov 21 2026 10:15:30.250 UTC^"
                        "devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z");
    CHECK(f.error == parse_error::none);
    CHECK(f.time() == "2026-11-21T10:15:30.250Z");
    auto offset = parse_leef("LEEF:2.0|V|P|1|E|^|devTimeFormat=yyyy-MM-dd'T'HH:mm:ssXXX^"
                             "devTime=2026-11-21T18:15:30+08:00");
    CHECK(offset.time() == "2026-11-21T10:15:30Z");
    CHECK(parse_leef("LEEF:1.0|V|P|1|E|devTime=1795255530000").time() == "2026-11-21T10:05:30Z");
    CHECK(parse_leef("LEEF:1.0|V|P|1|E|devTime=Nov 21 2026 10:15:30").time() ==
          "2026-11-21T10:15:30Z");
    auto bad = parse_leef("LEEF:1.0|V|P|1|E|devTime=yesterday");
    CHECK(bad.error == parse_error::bad_timestamp);
    CHECK(bad.get("devTime") == "yesterday");
}

TEST_CASE("leef: malformed records keep what was read, with a reason", "[parse][leef]") {
    auto delim = parse_leef("LEEF:2.0|V|P|1|E|;;|a=1\tb=2");
    CHECK(delim.error == parse_error::bad_delimiter);
    CHECK(delim.get("a") == "1"); // read with tab
    CHECK(parse_leef("LEEF:2.0|V|P|1|E|xZZ|a=1").error == parse_error::bad_delimiter);
    CHECK(parse_leef("LEEF:1.0|V|P").error == parse_error::truncated_header);
    auto version = parse_leef("LEEF:3.0|V|P|1|E|^|a=1");
    CHECK(version.error == parse_error::unknown_version);
    CHECK(version.get("a") == "1");
    auto attr = parse_leef("LEEF:1.0|V|P|1|E|a=1\tjunk\tb=2");
    CHECK(attr.error == parse_error::bad_extension);
    CHECK(attr.get("b") == "2");
    // LEEF 1.0 without attributes: the event id ends the record.
    auto bare = parse_leef("LEEF:1.0|V|P|1|E42");
    CHECK(bare.error == parse_error::none);
    CHECK(bare.get("leef.event_id") == "E42");
}
