#include "parse/dissect_pattern.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace vigil;

namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

std::optional<pairs> dissect(std::string_view pattern, std::string_view text) {
    auto p = parse::dissect_pattern::compile(pattern);
    REQUIRE(p.has_value());
    parse::vendor_fields fields;
    if (!p->apply(text, fields)) {
        REQUIRE(fields.size() == 0);
        return std::nullopt;
    }
    pairs out;
    for (const auto& f : fields.items()) {
        out.emplace_back(std::string(f.name), std::string(f.value));
    }
    return out;
}

} // namespace

TEST_CASE("dissect: captures between literals, skips, the rest", "[parse][dissect]") {
    CHECK(dissect("Failed password for %{user} from %{ip} port %{port} %{}",
                  "Failed password for root from 10.0.0.1 port 22 ssh2") ==
          pairs{{"user", "root"}, {"ip", "10.0.0.1"}, {"port", "22"}});
    CHECK(dissect("%ASA-%{level}-%{id}: %{text}", "%ASA-4-106023: Deny tcp src a:b") ==
          pairs{{"level", "4"}, {"id", "106023"}, {"text", "Deny tcp src a:b"}});
    CHECK(dissect("[%{time}] [%{level}] %{msg}", "[Sun Dec 04 04:47:44 2005] [error] x y") ==
          pairs{{"time", "Sun Dec 04 04:47:44 2005"}, {"level", "error"}, {"msg", "x y"}});
    // A literal tail must end the text.
    CHECK(dissect("(%{inner})", "(abc)") == pairs{{"inner", "abc"}});
    CHECK_FALSE(dissect("(%{inner})", "(abc) more").has_value());
    // Nothing is kept when the pattern does not match.
    CHECK_FALSE(dissect("Accepted %{method} for %{user} from %{ip}", "Accepted password for fztu")
                    .has_value());
}

TEST_CASE("dissect: bad patterns are errors", "[parse][dissect]") {
    CHECK_FALSE(parse::dissect_pattern::compile("no captures").has_value());
    CHECK_FALSE(parse::dissect_pattern::compile("%{a}%{b}").has_value());
    CHECK_FALSE(parse::dissect_pattern::compile("x %{open").has_value());
}
