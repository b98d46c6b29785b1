#include "parse/syslog_priority.hpp"

#include <array>
#include <string>

namespace vigil::parse {
namespace {

constexpr std::array<std::string_view, 24> facility_names{
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};

constexpr std::array<std::string_view, 8> severity_names{
    "emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"};

const std::array<std::string, 256>& number_texts() {
    static const std::array<std::string, 256> texts = [] {
        std::array<std::string, 256> t;
        for (std::size_t i = 0; i < t.size(); ++i) {
            t[i] = std::to_string(i);
        }
        return t;
    }();
    return texts;
}

} // namespace

std::string_view small_number_text(std::uint8_t n) {
    return number_texts()[n];
}

syslog_priority read_priority(std::string_view text) {
    syslog_priority p;
    if (text.empty() || text[0] != '<') {
        return p;
    }
    p.present = true;
    unsigned value = 0;
    std::size_t i = 1;
    while (i < text.size() && i <= 4 && text[i] >= '0' && text[i] <= '9') {
        value = value * 10 + static_cast<unsigned>(text[i] - '0');
        ++i;
    }
    const std::size_t digits = i - 1;
    if (digits == 0 || digits > 3 || i >= text.size() || text[i] != '>') {
        p.error = parse_error::bad_pri;
        return p;
    }
    if (value > 191) {
        p.error = parse_error::pri_out_of_range;
        return p;
    }
    p.value = static_cast<std::uint8_t>(value);
    p.length = i + 1;
    return p;
}

void set_priority_fields(core::event& out, std::uint8_t value) {
    namespace f = core::fields;
    const auto facility = static_cast<std::uint8_t>(value >> 3);
    const auto severity = static_cast<std::uint8_t>(value & 7);
    out.set(f::syslog_priority, small_number_text(value));
    out.set(f::syslog_facility_code, small_number_text(facility));
    out.set(f::syslog_facility_name, facility_names[facility]);
    out.set(f::syslog_severity_code, small_number_text(severity));
    out.set(f::syslog_severity_name, severity_names[severity]);
}

} // namespace vigil::parse
