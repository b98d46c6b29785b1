#include "parse/rfc3164_parser.hpp"

#include "core/civil_time.hpp"
#include "core/time_zone.hpp"
#include "parse/syslog_timestamp.hpp"

#include <algorithm>

namespace vigil::parse {
namespace {

namespace f = core::fields;

// Longest tag accepted before "[pid]" or ":" (RFC 3164 says 32; real tags are longer).
constexpr std::size_t max_tag_bytes = 64;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

struct tag_read {
    std::string_view name;
    std::string_view pid;
    std::size_t length = 0; // bytes up to the start of the message
};

// Length of a program name with spaces ("Microsoft Word", "BezelServices 255.10") when it is
// followed by "[digits]" and then ":" or " (" - macOS and some appliances send such tags. 0 if
// `text` does not start so.
std::size_t spaced_name_before_pid(std::string_view text) {
    const std::size_t open = text.substr(0, max_tag_bytes + 1).find('[');
    if (open == std::string_view::npos || open == 0 || text[open - 1] == ' ' ||
        text.substr(0, open).find(':') != std::string_view::npos) {
        return 0;
    }
    std::size_t close = open + 1;
    while (close < text.size() && is_digit(text[close])) {
        ++close;
    }
    if (close == open + 1 || close >= text.size() || text[close] != ']') {
        return 0;
    }
    const std::string_view after = text.substr(close + 1);
    return after.starts_with(":") || after.starts_with(" (") ? open : 0;
}

// Reads "name[pid]: ", "name: " or "name[pid] " at the start of `text`. A token that ends
// neither in ":" nor in "[pid]" is not a tag, and the message starts at it. With
// `spaced_names`, a name with spaces before "[pid]" is a tag too (not when telling a host name
// from a tag: "host prog[1]:" would read as one spaced name).
std::optional<tag_read> read_tag(std::string_view text, bool spaced_names = false) {
    std::size_t i = 0;
    while (i < text.size() && i <= max_tag_bytes && text[i] != '[' && text[i] != ':' &&
           text[i] != ' ') {
        ++i;
    }
    if (spaced_names && i < text.size() && text[i] == ' ') {
        if (const std::size_t spaced = spaced_name_before_pid(text)) {
            i = spaced;
        }
    }
    if (i == 0 || i > max_tag_bytes || i >= text.size()) {
        return std::nullopt;
    }
    tag_read tag;
    tag.name = text.substr(0, i);
    if (text[i] == '[') {
        const std::size_t close = text.find(']', i + 1);
        if (close == std::string_view::npos || close - i - 1 > 32) {
            return std::nullopt;
        }
        tag.pid = text.substr(i + 1, close - i - 1);
        i = close + 1;
        if (i < text.size() && text[i] == ':') {
            ++i;
        }
    } else if (text[i] == ':') {
        // A tag's colon ends the token; a colon inside it ("2001:db8::1", "10:22") means the
        // token is a host name or message text, not a tag.
        if (i + 1 < text.size() && text[i + 1] != ' ') {
            return std::nullopt;
        }
        ++i;
    } else {
        return std::nullopt; // a plain word followed by a space: message text, not a tag
    }
    if (i < text.size() && text[i] == ' ') {
        ++i;
    }
    tag.length = i;
    return tag;
}

// "YYYY-MM-DD HH:MM:SS" with an optional fraction: a local date and time, and its length.
struct local_date_time_read {
    local_civil_time civil;
    std::size_t length = 0;
};

std::optional<local_date_time_read> read_local_date_time(std::string_view text) {
    constexpr std::string_view shape = "dddd-dd-dd dd:dd:dd";
    if (text.size() < shape.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == 'd' ? !is_digit(text[i]) : text[i] != shape[i]) {
            return std::nullopt;
        }
    }
    auto number = [&](std::size_t at, std::size_t n) {
        unsigned v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            v = v * 10 + static_cast<unsigned>(text[i] - '0');
        }
        return v;
    };
    local_civil_time c;
    c.year = number(0, 4);
    c.month = number(5, 2);
    c.day = number(8, 2);
    c.hour = number(11, 2);
    c.minute = number(14, 2);
    c.second = number(17, 2);
    if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > core::days_in_month(*c.year, c.month) ||
        c.hour > 23 || c.minute > 59 || c.second > 60) {
        return std::nullopt;
    }
    std::size_t at = shape.size();
    if (at < text.size() && (text[at] == '.' || text[at] == ',') && at + 1 < text.size() &&
        is_digit(text[at + 1])) {
        std::int64_t scale = 100'000'000;
        for (++at; at < text.size() && is_digit(text[at]); ++at) {
            c.fraction_ns += (text[at] - '0') * scale;
            scale /= 10;
        }
    }
    return local_date_time_read{c, at};
}

// True if `rest` (what follows a timestamp) goes on like a syslog header: " HOST TAG: " or
// " TAG: ", a tag being "name[pid]" or "name:".
bool header_follows(std::string_view rest) {
    if (!rest.starts_with(' ')) {
        return false;
    }
    rest.remove_prefix(1);
    if (read_tag(rest)) {
        return true;
    }
    const std::size_t space = rest.find(' ');
    return space != std::string_view::npos && space > 0 && read_tag(rest.substr(space + 1));
}

// True if `text` begins like a timestamp (a month name and a space, or "dddd-") that then
// turned out not to be valid: a damaged header rather than a record without one.
bool starts_like_timestamp(std::string_view text) {
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (text.size() >= 4 && text[3] == ' ') {
        for (std::size_t m = 0; m < months.size(); m += 3) {
            if (text.substr(0, 3) == months.substr(m, 3)) {
                return true;
            }
        }
    }
    return text.size() >= 5 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) &&
           is_digit(text[3]) && text[4] == '-';
}

// A time zone name right after the timestamp ("May 02 15:27:43.000 UTC host", "Apr 15 2014
// 09:34:34 EDT: %ASA-..."): its UTC offset in seconds and its length, for the names devices
// send. Other words are host names.
struct zone_read {
    std::int32_t offset = 0;
    std::size_t length = 0;
};

std::optional<zone_read> read_zone_name(std::string_view text) {
    std::size_t n = 0;
    while (n < text.size() && text[n] >= 'A' && text[n] <= 'Z') {
        ++n;
    }
    if (n == 0 || (n < text.size() && text[n] != ' ' && text[n] != ':')) {
        return std::nullopt;
    }
    if (auto offset = core::zone_abbreviation_offset(text.substr(0, n))) {
        return zone_read{*offset, n};
    }
    return std::nullopt;
}

// Reads what follows the timestamp that ends at `at`: HOSTNAME, TAG[PID]: and MSG.
parse_error read_after_timestamp(std::string_view text, std::size_t at, core::event& out) {
    if (at == text.size()) {
        out.set(f::message, {});
        return parse_error::none;
    }
    if (text[at] == ':') {
        ++at; // "Apr 15 2013 09:36:50: %ASA-4-..." (network devices)
    }
    if (at < text.size() && text[at] != ' ') {
        return parse_error::bad_timestamp;
    }
    std::string_view rest = text.substr(std::min(at + 1, text.size()));

    // HOSTNAME, unless the first token is already the tag (records from a local logger).
    if (!rest.empty() && !read_tag(rest)) {
        const std::size_t space = rest.find(' ');
        if (space == std::string_view::npos) {
            // A single token after the timestamp: the host, with an empty message.
            out.set(f::host_name, rest);
            out.set(f::message, {});
            return parse_error::none;
        }
        if (space > 0) {
            out.set(f::host_name, rest.substr(0, space));
        }
        rest.remove_prefix(space + 1);
        if (rest.starts_with(": ")) {
            rest.remove_prefix(2); // "INT-FW01 : %ASA-6-..."
        }
    }
    // Senders pad with extra spaces ("combo  -- root[2421]: ..."): the tag starts at the next
    // word.
    const std::size_t word = rest.find_first_not_of(' ');
    const std::string_view from_word =
        word == std::string_view::npos ? std::string_view{} : rest.substr(word);
    if (auto tag = read_tag(from_word, true)) {
        out.set(f::process_name, tag->name);
        if (!tag->pid.empty()) {
            out.set(f::process_pid, tag->pid);
        }
        rest = from_word.substr(tag->length);
    }
    out.set(f::message, rest);
    return parse_error::none;
}

} // namespace

parse_error rfc3164_parser::parse(std::string_view text, const local_time& local,
                                  core::event& out) const {
    // The time is read first but completed last: its zone may depend on the host name.
    std::optional<local_civil_time> civil;
    std::optional<std::int32_t> named_offset; // the record named its zone ("... 10:00:00 EST")
    std::size_t at = 0;
    if (auto bsd = read_bsd_timestamp(text)) {
        civil = local_civil_time{bsd->year,   bsd->month,  bsd->day,        bsd->hour,
                                 bsd->minute, bsd->second, bsd->fraction_ns};
        at = bsd->length;
        if (at + 1 < text.size() && text[at] == ' ') {
            if (auto zone = read_zone_name(text.substr(at + 1))) {
                named_offset = zone->offset;
                at += 1 + zone->length;
            }
        }
    } else if (auto iso = read_iso8601(text)) {
        out.time_ns = iso->unix_ns;
        at = iso->length;
    } else if (auto local_dt = read_local_date_time(text);
               local_dt && header_follows(text.substr(local_dt->length))) {
        // "2020-03-24 08:38:42 host sshd[2519]: ...": a header with a zone-less ISO time.
        civil = local_dt->civil;
        at = local_dt->length;
    } else if (local_dt) {
        // "2016-09-28 04:30:30, Info CBS ...": an application log line with a local date and
        // time but no syslog header (so no host: only the sender's address picks a zone). The
        // time is kept, the whole line is the message.
        out.time_ns = local.to_utc_ns(local_dt->civil, std::string_view{});
        out.set(f::message, text);
        return out.time_ns ? parse_error::none : parse_error::bad_timestamp;
    } else if (starts_like_timestamp(text)) {
        return text.size() < 15 ? parse_error::truncated_header : parse_error::bad_timestamp;
    } else {
        // No timestamp at all: RFC 3164 §4.3.2 takes the whole record as the message.
        out.set(f::message, text);
        return parse_error::none;
    }
    const parse_error error = read_after_timestamp(text, at, out);
    if (civil) {
        const std::string_view host = local.zone_depends_on_host()
                                          ? out.get(f::host_name).value_or(std::string_view{})
                                          : std::string_view{};
        out.time_ns =
            named_offset ? local.to_utc_ns(*civil, *named_offset) : local.to_utc_ns(*civil, host);
        if (!out.time_ns) {
            return parse_error::bad_timestamp; // e.g. Feb 29 in a configured non-leap year
        }
    }
    return error;
}

} // namespace vigil::parse
