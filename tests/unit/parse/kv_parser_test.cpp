#include "core/arena.hpp"
#include "parse/csv_parser.hpp"
#include "parse/kv_parser.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace vigil;
using parse::parse_error;

namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

pairs collect(const parse::vendor_fields& fields) {
    pairs out;
    for (const auto& f : fields.items()) {
        out.emplace_back(std::string(f.name), std::string(f.value));
    }
    return out;
}

std::pair<parse_error, pairs> kv(std::string_view text, parse::kv_format format = {}) {
    parse::kv_parser parser;
    parse::vendor_fields fields;
    core::arena scratch;
    const parse_error e = parser.parse(text, fields, scratch, format);
    return {e, collect(fields)};
}

std::pair<parse_error, pairs> csv(std::string_view text) {
    parse::csv_parser parser;
    parse::vendor_fields fields;
    core::arena scratch;
    const parse_error e = parser.parse(text, fields, scratch);
    return {e, collect(fields)};
}

} // namespace

TEST_CASE("kv: FortiGate style, quoted values with spaces, escapes", "[parse][kv]") {
    auto [e, p] = kv(R"(date=2026-11-21 time=10:00:00 devname="FG 100" srcip=10.0.0.1 )"
                     R"(msg="said \"hi\" to a\\b" action=deny)");
    CHECK(e == parse_error::none);
    CHECK(p == pairs{{"date", "2026-11-21"},
                     {"time", "10:00:00"},
                     {"devname", "FG 100"},
                     {"srcip", "10.0.0.1"},
                     {"msg", R"(said "hi" to a\b)"},
                     {"action", "deny"}});
}

TEST_CASE("kv: netfilter lines, flags and prefixes skipped, empty values kept", "[parse][kv]") {
    auto [e, p] = kv("[WAN_OUT-2000-A]IN=eth0 OUT= SRC=10.0.0.1 DF PROTO=TCP SYN URGP=0");
    CHECK(e == parse_error::none);
    CHECK(p ==
          pairs{{"IN", "eth0"}, {"OUT", ""}, {"SRC", "10.0.0.1"}, {"PROTO", "TCP"}, {"URGP", "0"}});
}

TEST_CASE("kv: duplicate keys keep every value in order", "[parse][kv]") {
    auto [e, p] = kv("SRC=10.0.0.1 DST=10.0.0.2 [SRC=192.0.2.1 DST=192.0.2.2 ]");
    CHECK(e == parse_error::none);
    CHECK(p == pairs{{"SRC", "10.0.0.1"},
                     {"DST", "10.0.0.2"},
                     {"SRC", "192.0.2.1"},
                     {"DST", "192.0.2.2"}});
}

TEST_CASE("kv: other separators, and malformed text", "[parse][kv]") {
    auto [e, p] = kv("a=1;b=two words;c=3", {';', '='});
    CHECK(e == parse_error::none);
    CHECK(p == pairs{{"a", "1"}, {"b", "two words"}, {"c", "3"}});
    auto [q, qp] = kv(R"(a=1 b="unterminated value)");
    CHECK(q == parse_error::unterminated_quote);
    CHECK(qp == pairs{{"a", "1"}, {"b", "unterminated value"}});
    CHECK(kv("no pairs at all").first == parse_error::bad_extension);
    CHECK(parse::kv_parser::leading_pairs(R"(date=1 time=2 devname="a b" x)") == 3);
    CHECK(parse::kv_parser::leading_pairs("Failed password for root from 10.0.0.1") == 0);
}

TEST_CASE("csv: positions, quotes, doubled quotes, empty columns", "[parse][csv]") {
    auto [e, p] = csv(R"(1,2026/11/21 10:00:00,,"a, b","say ""hi""",end,)");
    CHECK(e == parse_error::none);
    CHECK(p == pairs{{"0", "1"},
                     {"1", "2026/11/21 10:00:00"},
                     {"2", ""},
                     {"3", "a, b"},
                     {"4", R"(say "hi")"},
                     {"5", "end"},
                     {"6", ""}});
    auto [u, up] = csv(R"(a,"open)");
    CHECK(u == parse_error::unterminated_quote);
    CHECK(up == pairs{{"0", "a"}, {"1", "open"}});
}

TEST_CASE("limits: field count and value length", "[parse][kv]") {
    parse::parse_limits limits;
    limits.max_fields = 3;
    limits.max_value_bytes = 4;
    parse::vendor_fields fields(limits);
    parse::kv_parser parser;
    core::arena scratch;
    CHECK(parser.parse("a=1 b=22222222 c=3 d=4", fields, scratch) == parse_error::none);
    CHECK(fields.error() == parse_error::value_too_long);
    CHECK(collect(fields) == pairs{{"a", "1"}, {"b", "2222"}, {"c", "3"}});
    fields.clear();
    CHECK(parser.parse("a=1 b=2 c=3 d=4", fields, scratch) == parse_error::none);
    CHECK(fields.error() == parse_error::too_many_fields);
    CHECK(fields.size() == 3);
}
