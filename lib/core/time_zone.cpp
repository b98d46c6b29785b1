#include "core/time_zone.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace vigil::core {
namespace {

std::int64_t read_be(std::string_view data, std::size_t at, std::size_t width) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        value = (value << 8) | static_cast<std::uint8_t>(data[at + i]);
    }
    if (width == 4) {
        return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
    }
    return static_cast<std::int64_t>(value);
}

// Parses "+08:00", "+0800", "-05", "Z" into seconds east of UTC.
std::expected<std::int32_t, std::string> parse_fixed_offset(std::string_view spec) {
    if (spec == "Z" || spec == "UTC" || spec == "utc" || spec == "Etc/UTC") {
        return 0;
    }
    if (spec.size() < 3 || (spec[0] != '+' && spec[0] != '-')) {
        return std::unexpected("not an offset");
    }
    std::string digits;
    for (char c : spec.substr(1)) {
        if (c != ':') {
            digits += c;
        }
    }
    if (digits.size() != 2 && digits.size() != 4) {
        return std::unexpected("not an offset");
    }
    int hours = 0;
    int minutes = 0;
    auto h = std::from_chars(digits.data(), digits.data() + 2, hours);
    if (h.ec != std::errc{} || h.ptr != digits.data() + 2) {
        return std::unexpected("not an offset");
    }
    if (digits.size() == 4) {
        auto m = std::from_chars(digits.data() + 2, digits.data() + 4, minutes);
        if (m.ec != std::errc{} || m.ptr != digits.data() + 4) {
            return std::unexpected("not an offset");
        }
    }
    if (hours > 23 || minutes > 59) {
        return std::unexpected("offset out of range");
    }
    int seconds = hours * 3600 + minutes * 60;
    return spec[0] == '-' ? -seconds : seconds;
}

} // namespace

time_zone time_zone::utc() {
    time_zone tz;
    tz.name_ = "UTC";
    tz.offsets_ = {0};
    return tz;
}

std::expected<time_zone, std::string> time_zone::load(std::string_view spec) {
    if (auto fixed = parse_fixed_offset(spec)) {
        time_zone tz;
        tz.name_ = std::string(spec);
        tz.offsets_ = {*fixed};
        return tz;
    }
    std::string path;
    if (spec == "local") {
        path = "/etc/localtime";
    } else {
        if (spec.empty() || spec.find("..") != std::string_view::npos || spec.front() == '/') {
            return std::unexpected("invalid time zone '" + std::string(spec) + "'");
        }
        path = "/usr/share/zoneinfo/" + std::string(spec);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::unexpected("unknown time zone '" + std::string(spec) +
                               "': use UTC, an offset such as +08:00, local, or an IANA name");
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return from_tzif(spec, buffer.str());
}

std::expected<time_zone, std::string> time_zone::from_tzif(std::string_view name,
                                                           std::string_view data) {
    auto fail = [&](std::string_view why) {
        return std::unexpected("time zone '" + std::string(name) + "': " + std::string(why));
    };
    constexpr std::size_t header_bytes = 44;
    auto read_header = [&](std::size_t at, std::int64_t counts[6]) -> bool {
        if (data.size() < at + header_bytes || data.substr(at, 4) != "TZif") {
            return false;
        }
        for (std::size_t i = 0; i < 6; ++i) {
            counts[i] = read_be(data, at + 20 + 4 * i, 4);
            if (counts[i] < 0) {
                return false;
            }
        }
        return true;
    };
    // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    std::int64_t c[6];
    if (!read_header(0, c)) {
        return fail("not a TZif file");
    }
    auto block_bytes = [](const std::int64_t n[6], std::size_t time_width) {
        return static_cast<std::size_t>(n[3]) * time_width + static_cast<std::size_t>(n[3]) +
               static_cast<std::size_t>(n[4]) * 6 + static_cast<std::size_t>(n[5]) +
               static_cast<std::size_t>(n[2]) * (time_width + 4) + static_cast<std::size_t>(n[1]) +
               static_cast<std::size_t>(n[0]);
    };
    std::size_t at = header_bytes;
    std::size_t width = 4;
    const char version = data[4];
    if (version >= '2') {
        // Skip the 32-bit block and use the 64-bit one that follows it.
        at += block_bytes(c, 4);
        if (!read_header(at, c)) {
            return fail("truncated TZif version 2+ header");
        }
        at += header_bytes;
        width = 8;
    }
    if (data.size() < at + block_bytes(c, width)) {
        return fail("truncated TZif data");
    }
    const auto timecnt = static_cast<std::size_t>(c[3]);
    const auto typecnt = static_cast<std::size_t>(c[4]);
    if (typecnt == 0) {
        return fail("TZif data without local time types");
    }
    std::vector<std::int32_t> type_offsets(typecnt);
    const std::size_t types_at = at + timecnt * width + timecnt;
    for (std::size_t i = 0; i < typecnt; ++i) {
        type_offsets[i] = static_cast<std::int32_t>(read_be(data, types_at + 6 * i, 4));
    }
    time_zone tz;
    tz.name_ = std::string(name);
    // Before the first transition the first type applies (RFC 8536 §3.2).
    tz.offsets_.push_back(type_offsets[0]);
    for (std::size_t i = 0; i < timecnt; ++i) {
        const std::int64_t when = read_be(data, at + i * width, width);
        const auto type = static_cast<std::uint8_t>(data[at + timecnt * width + i]);
        if (type >= typecnt) {
            return fail("TZif transition names an unknown type");
        }
        if (!tz.transitions_.empty() && when <= tz.transitions_.back()) {
            return fail("TZif transitions are not ascending");
        }
        tz.transitions_.push_back(when);
        tz.offsets_.push_back(type_offsets[type]);
    }
    return tz;
}

std::int32_t time_zone::offset_at(std::int64_t utc_seconds) const {
    if (transitions_.empty()) {
        return offsets_.front(); // UTC or a fixed offset
    }
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
    return offsets_[static_cast<std::size_t>(it - transitions_.begin())];
}

std::int64_t time_zone::local_to_utc(std::int64_t local_seconds) const {
    // Guess with the offset at "local as if UTC", then correct once with the offset in force at
    // the guess. Exact except within the hour of a DST change.
    const std::int64_t guess = local_seconds - offset_at(local_seconds);
    return local_seconds - offset_at(guess);
}

std::optional<std::int32_t> zone_abbreviation_offset(std::string_view name) {
    struct named_zone {
        std::string_view name;
        std::int32_t offset;
    };
    static constexpr named_zone zones[] = {
        {"UTC", 0},         {"GMT", 0},         {"Z", 0},           {"EST", -5 * 3600},
        {"EDT", -4 * 3600}, {"CST", -6 * 3600}, {"CDT", -5 * 3600}, {"MST", -7 * 3600},
        {"MDT", -6 * 3600}, {"PST", -8 * 3600}, {"PDT", -7 * 3600}, {"CET", 3600},
        {"CEST", 2 * 3600}, {"BST", 3600},      {"JST", 9 * 3600}};
    for (const auto& z : zones) {
        if (z.name == name) {
            return z.offset;
        }
    }
    return std::nullopt;
}

} // namespace vigil::core
