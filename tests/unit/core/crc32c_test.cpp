#include "core/crc32c.hpp"

#include <catch2/catch.hpp>
#include <string>

using vigil::core::crc32c;

TEST_CASE("crc32c gives the published check values", "[core][crc32c]") {
    // RFC 3720 (iSCSI) B.4 and the CRC catalogue's check value of "123456789".
    CHECK(crc32c("123456789") == 0xe3069283u);
    CHECK(crc32c(std::string(32, '\0')) == 0x8a9136aau);
    CHECK(crc32c(std::string(32, '\xff')) == 0x62a8ab43u);
    std::string ascending;
    for (int i = 0; i < 32; ++i) {
        ascending += static_cast<char>(i);
    }
    CHECK(crc32c(ascending) == 0x46dd794eu);
    CHECK(crc32c("") == 0u);
}

TEST_CASE("crc32c continues across pieces of any length", "[core][crc32c]") {
    std::string text;
    for (int i = 0; i < 100; ++i) {
        text += static_cast<char>('a' + i * 7 % 26);
    }
    const std::uint32_t whole = crc32c(text);
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        INFO(cut);
        CHECK(crc32c(std::string_view(text).substr(cut), crc32c(text.substr(0, cut))) == whole);
    }
}
