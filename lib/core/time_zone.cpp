#include "core/time_zone.hpp"

#include <absl/time/civil_time.h>
#include <charconv>

namespace vigil::core {
namespace {

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

const absl::CivilSecond local_epoch(1970, 1, 1, 0, 0, 0);

} // namespace

time_zone time_zone::utc() {
    return time_zone("UTC", absl::UTCTimeZone(), 0);
}

std::expected<time_zone, std::string> time_zone::load(std::string_view spec) {
    const std::string name(spec);
    if (auto fixed = parse_fixed_offset(spec)) {
        return time_zone(name, absl::FixedTimeZone(*fixed), *fixed);
    }
    auto unknown = [&] {
        return std::unexpected("unknown time zone '" + name +
                               "': use UTC, an offset such as +08:00, local, or an IANA name "
                               "such as Europe/Berlin");
    };
    // Abseil reads a name that starts with '/' as a file path; names here are zone names only
    // (a configuration should not point at arbitrary files), and "local" is /etc/localtime
    // itself, not the zoneinfo entry of that name (which TZDIR may not have).
    if (spec.empty() || spec.front() == '/' || spec.find("..") != std::string_view::npos) {
        return unknown();
    }
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(spec == "local" ? std::string("/etc/localtime") : name, &zone)) {
        return unknown();
    }
    return time_zone(name, zone, std::nullopt);
}

std::int32_t time_zone::offset_at(std::int64_t utc_seconds) const {
    if (fixed_offset_) {
        return *fixed_offset_;
    }
    return zone_.At(absl::FromUnixSeconds(utc_seconds)).offset;
}

std::int64_t time_zone::local_to_utc(std::int64_t local_seconds) const {
    if (fixed_offset_) {
        return local_seconds - *fixed_offset_;
    }
    // `pre` is the reading with the offset before a change: for a skipped time that is the old
    // offset, for a repeated one the first (earlier) instant; for any other time the only one.
    const absl::TimeZone::TimeInfo info = zone_.At(local_epoch + local_seconds);
    return absl::ToUnixSeconds(info.pre);
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
