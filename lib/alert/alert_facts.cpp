#include "alert/alert_facts.hpp"

#include "alert/alert.hpp"
#include "alert/alert_query.hpp"
#include "core/ulid.hpp"
#include "core/varint.hpp"

#include <algorithm>
#include <simdjson.h>

namespace vigil::alert {
namespace {

constexpr char facts_version = 1;

// Written into a buffer sized beforehand (encode: the tenant index's entry is one per alert
// the stage writes, and an append per byte was most of its cost).
using core::put_length_prefixed;
using core::put_varint;
using core::varint_max;

char* put_time(char* at, std::int64_t ms) {
    return put_varint(at, static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0)));
}

std::size_t list_size(const std::vector<std::string>& values) {
    std::size_t bytes = varint_max;
    for (std::size_t i = 0; i < std::min(values.size(), alert_facts::max_values); ++i) {
        bytes += varint_max + values[i].size();
    }
    return bytes;
}

char* put_list(char* at, const std::vector<std::string>& values) {
    const std::size_t n = std::min(values.size(), alert_facts::max_values);
    at = put_varint(at, n);
    for (std::size_t i = 0; i < n; ++i) {
        at = put_length_prefixed(at, values[i]);
    }
    return at;
}

// Reads encode_facts' fields in order; any read past the end or out of range fails it.
class facts_reader {
public:
    explicit facts_reader(std::string_view in) : in_(in) {}
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] bool at_end() const { return in_.empty(); }

    std::uint64_t varint() {
        std::uint64_t n = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (in_.empty()) {
                break;
            }
            const auto byte = static_cast<unsigned char>(in_.front());
            in_.remove_prefix(1);
            n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) {
                return n;
            }
        }
        ok_ = false;
        return 0;
    }
    std::int64_t time() { return static_cast<std::int64_t>(varint() & 0x7fffffffffffffff); }
    std::string text() {
        const std::uint64_t n = varint();
        if (!ok_ || n > in_.size()) {
            ok_ = false;
            return {};
        }
        std::string out(in_.substr(0, n));
        in_.remove_prefix(n);
        return out;
    }
    std::vector<std::string> list() {
        const std::uint64_t n = varint();
        std::vector<std::string> out;
        if (n > alert_facts::max_values) {
            ok_ = false;
            return out;
        }
        for (std::uint64_t i = 0; i < n && ok_; ++i) {
            out.push_back(text());
        }
        return out;
    }
    sla_outcome outcome() {
        const std::uint64_t n = varint();
        if (n > static_cast<std::uint64_t>(sla_outcome::missed)) {
            ok_ = false;
        }
        return static_cast<sla_outcome>(n);
    }

private:
    std::string_view in_;
    bool ok_ = true;
};

std::string_view category_of(const std::vector<std::string>& tags) {
    for (const std::string_view tag : tags) {
        if (tag.starts_with(alert_facts::category_tag)) {
            return tag.substr(alert_facts::category_tag.size());
        }
    }
    return {};
}

// What encode_facts writes, from wherever the values are (a facts struct, or a new alert
// without copying its terms).
struct facts_view {
    std::string_view rule_id;
    std::string_view level;
    grade g;
    std::string_view status;
    std::string_view category;
    bool escalation;
    std::int64_t created_ms;
    std::int64_t notify_by_ms;
    std::int64_t contain_by_ms;
    sla_outcome notify;
    sla_outcome contain;
    std::int64_t notified_ms;
    std::int64_t contained_ms;
    std::int64_t closed_ms;
    std::uint32_t escalations;
    const std::vector<std::string>& hosts;
    const std::vector<std::string>& source_ips;
    const std::vector<std::string>& malware;
};

void encode(std::string& out, const facts_view& f) {
    const std::size_t longest = 1 + 15 * varint_max + f.rule_id.size() + f.level.size() +
                                f.status.size() + f.category.size() + list_size(f.hosts) +
                                list_size(f.source_ips) + list_size(f.malware);
    out.clear();
    // The operation's size argument is not the one asked for in libstdc++ 12: the length
    // written is returned instead.
    out.resize_and_overwrite(longest, [&](char* data, std::size_t) {
        char* at = data;
        *at++ = facts_version;
        at = put_length_prefixed(at, f.rule_id);
        at = put_length_prefixed(at, f.level);
        at = put_varint(at, static_cast<std::uint64_t>(f.g));
        at = put_length_prefixed(at, f.status);
        at = put_length_prefixed(at, f.category);
        at = put_varint(at, f.escalation ? 1 : 0);
        at = put_time(at, f.created_ms);
        at = put_time(at, f.notify_by_ms);
        at = put_time(at, f.contain_by_ms);
        at = put_varint(at, static_cast<std::uint64_t>(f.notify));
        at = put_varint(at, static_cast<std::uint64_t>(f.contain));
        at = put_time(at, f.notified_ms);
        at = put_time(at, f.contained_ms);
        at = put_time(at, f.closed_ms);
        at = put_varint(at, f.escalations);
        at = put_list(at, f.hosts);
        at = put_list(at, f.source_ips);
        at = put_list(at, f.malware);
        return static_cast<std::size_t>(at - data);
    });
}

std::vector<std::string> capped(const std::vector<std::string>& values) {
    return {values.begin(), values.begin() + static_cast<std::ptrdiff_t>(
                                                 std::min(values.size(), alert_facts::max_values))};
}

} // namespace

bool is_closed_status(std::string_view status) {
    return status == "closed" || status == "false_positive";
}

alert_facts make_facts(const alert_terms& terms, const incident_part& part, std::int64_t created_ms,
                       bool escalation) {
    alert_facts f;
    f.rule_id = terms.rule_id;
    f.level = terms.level;
    f.grade = part.grade;
    f.status = part.status;
    f.category = std::string(category_of(terms.tags));
    f.escalation = escalation;
    f.created_ms = created_ms;
    f.notify_by_ms = part.notify_by_ns / 1'000'000;
    f.contain_by_ms = part.contain_by_ns / 1'000'000;
    f.notify = part.notify;
    f.contain = part.contain;
    f.notified_ms = part.notified_ns / 1'000'000;
    f.contained_ms = part.contained_ns / 1'000'000;
    if (is_closed_status(part.status)) {
        // The step that closed it: the last one into its present status.
        for (auto step = part.history.rbegin(); step != part.history.rend(); ++step) {
            if (step->to == part.status) {
                f.closed_ms = step->at_ns / 1'000'000;
                break;
            }
        }
    }
    f.escalations = static_cast<std::uint32_t>(part.escalations.size());
    f.hosts = capped(terms.hosts);
    f.source_ips = capped(terms.source_ips);
    f.malware = capped(terms.malware);
    return f;
}

alert_facts new_alert_facts(const alert& a) {
    incident_part part;
    part.grade = a.grade;
    part.notify_by_ns = a.notify_by_ns;
    part.contain_by_ns = a.contain_by_ns;
    part.status = a.terms.status;
    return make_facts(a.terms, part, a.created_ns / 1'000'000, a.escalation);
}

std::expected<document_facts, std::string> read_alert_facts(std::string_view document) {
    auto terms = read_alert_terms(document);
    if (!terms) {
        return std::unexpected(terms.error());
    }
    auto part = read_incident_part(document);
    if (!part) {
        return std::unexpected(part.error());
    }
    thread_local simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (auto error = parser.parse(document.data(), document.size()).get(root)) {
        return std::unexpected(std::string("alert is not JSON: ") + simdjson::error_message(error));
    }
    // When it was made; an alert without created_at counts from its id's time.
    std::int64_t created_ms = 0;
    std::string_view text;
    if (root["created_at"].get(text) == simdjson::SUCCESS) {
        created_ms = read_timestamp_ms(text).value_or(0);
    }
    if (created_ms == 0 && root["id"].get(text) == simdjson::SUCCESS) {
        if (const auto id = core::ulid::parse(text)) {
            created_ms = static_cast<std::int64_t>(id->time_ms());
        }
    }
    const bool escalation = root["escalation"].error() == simdjson::SUCCESS;
    alert_facts facts = make_facts(*terms, *part, created_ms, escalation);
    return document_facts{std::move(*terms), std::move(facts)};
}

std::string encode_facts(const alert_facts& f) {
    std::string out;
    encode(out, {f.rule_id, f.level, f.grade, f.status, f.category, f.escalation, f.created_ms,
                 f.notify_by_ms, f.contain_by_ms, f.notify, f.contain, f.notified_ms,
                 f.contained_ms, f.closed_ms, f.escalations, f.hosts, f.source_ips, f.malware});
    return out;
}

void encode_new_alert_facts(std::string& out, const alert& a) {
    const alert_terms& t = a.terms;
    encode(out, {t.rule_id, t.level, a.grade, t.status, category_of(t.tags), a.escalation,
                 a.created_ns / 1'000'000, a.notify_by_ns / 1'000'000, a.contain_by_ns / 1'000'000,
                 sla_outcome::pending, sla_outcome::pending, 0, 0, 0, 0, t.hosts, t.source_ips,
                 t.malware});
}

std::expected<alert_facts, std::string> decode_facts(std::string_view bytes) {
    if (bytes.empty() || bytes.front() != facts_version) {
        return std::unexpected("alert facts of an unknown version");
    }
    facts_reader in(bytes.substr(1));
    alert_facts f;
    f.rule_id = in.text();
    f.level = in.text();
    const std::uint64_t g = in.varint();
    f.grade = static_cast<grade>(std::clamp<std::uint64_t>(g, 1, 4));
    f.status = in.text();
    f.category = in.text();
    f.escalation = in.varint() != 0;
    f.created_ms = in.time();
    f.notify_by_ms = in.time();
    f.contain_by_ms = in.time();
    f.notify = in.outcome();
    f.contain = in.outcome();
    f.notified_ms = in.time();
    f.contained_ms = in.time();
    f.closed_ms = in.time();
    f.escalations = static_cast<std::uint32_t>(in.varint());
    f.hosts = in.list();
    f.source_ips = in.list();
    f.malware = in.list();
    if (!in.ok() || g < 1 || g > 4 || !in.at_end()) {
        return std::unexpected("alert facts are malformed");
    }
    return f;
}

} // namespace vigil::alert
