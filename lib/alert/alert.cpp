#include "alert/alert.hpp"

#include "core/civil_time.hpp"
#include "core/hash.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"

#include <algorithm>

namespace vigil::alert {
namespace {

void write_event(core::json_writer& w, const core::event& e, const core::field_catalog& catalog) {
    w.begin_object();
    w.field("parser", e.parser);
    if (!e.parse_error.empty()) {
        w.field("parse_error", e.parse_error);
    }
    if (e.raw != nullptr) {
        w.field("received_at", core::rfc3339(e.raw->recv_ns).view());
        w.field("transport", core::to_string(e.raw->source));
        if (e.raw->peer.known) {
            w.field("log.source.address", e.raw->peer.to_string());
        }
    }
    if (e.time_ns) {
        w.field("@timestamp", core::rfc3339(*e.time_ns).view());
    }
    w.key("fields").begin_object();
    for (const auto& f : e.fields()) {
        w.field(catalog.name(f.id), f.value);
    }
    w.end_object();
    if (!e.structured_data().empty()) {
        // {"sd-id": {"name": "value"}}; SD-IDs may repeat, so params of equal ids are grouped.
        w.key("structured_data").begin_object();
        const auto& params = e.structured_data();
        for (std::size_t i = 0; i < params.size(); ++i) {
            bool seen = false;
            for (std::size_t j = 0; j < i; ++j) {
                seen = seen || params[j].sd_id == params[i].sd_id;
            }
            if (seen) {
                continue;
            }
            w.key(params[i].sd_id).begin_object();
            for (std::size_t j = i; j < params.size(); ++j) {
                if (params[j].sd_id == params[i].sd_id) {
                    w.field(params[j].name, params[j].value);
                }
            }
            w.end_object();
        }
        w.end_object();
    }
    w.end_object();
}

} // namespace

void write_rule(core::json_writer& w, const rules::rule_info& rule,
                std::uint64_t rule_set_version) {
    w.key("rule").begin_object();
    w.field("id", rule.id).field("title", rule.title).field("level", rule.level);
    w.key("tags").begin_array();
    for (const auto& tag : rule.tags) {
        w.value(tag);
    }
    w.end_array();
    w.field("author", rule.author);
    w.field("rule_set_version", rule_set_version);
    w.end_object();
}

void write_evidence(std::string& out, const core::event& e, const core::field_catalog& catalog) {
    core::json_writer w(out);
    write_event(w, e, catalog);
}

namespace {

std::int64_t floor_ms(std::int64_t ns) {
    return ns >= 0 ? ns / 1'000'000 : -((-ns + 999'999) / 1'000'000);
}

} // namespace

core::ulid event_alert_id(std::string_view rule_id, std::int64_t time_ns, std::string_view record) {
    auto hash = [&](std::uint64_t seed) {
        std::uint64_t h = core::stable_hash(rule_id, seed);
        h = core::hash_combine(h, static_cast<std::uint64_t>(time_ns));
        return core::hash_combine(h, core::stable_hash(record, seed));
    };
    return core::ulid::derived(floor_ms(time_ns), hash(1), hash(2));
}

core::ulid correlation_alert_id(std::string_view rule_id, std::string_view key,
                                std::int64_t first_seen_ns, std::int64_t fired_ns) {
    auto hash = [&](std::uint64_t seed) {
        std::uint64_t h = core::stable_hash(rule_id, seed);
        h = core::hash_combine(h, core::stable_hash(key, seed));
        h = core::hash_combine(h, static_cast<std::uint64_t>(first_seen_ns));
        return core::hash_combine(h, static_cast<std::uint64_t>(fired_ns));
    };
    return core::ulid::derived(floor_ms(fired_ns), hash(3), hash(4));
}

void index_alert(alert& a) {
    if (auto terms = read_alert_terms(a.json)) {
        a.terms = std::move(*terms);
        return;
    }
    // The makers write every member read_alert_terms needs; the store indexes what it has.
    core::log_error("alert " + a.id.to_string() +
                    " cannot be indexed: " + read_alert_terms(a.json).error());
}

namespace {

// What make_alert's document holds for the indexes, taken from the event rather than parsed
// back out of the JSON just written (workers make alerts at the event rate): the same values
// read_alert_terms reads, in its order (a unit test holds the two equal).
alert_terms event_terms(const rules::rule_info& rule, const core::event& e,
                        const core::field_catalog& catalog) {
    alert_terms terms;
    terms.rule_id = rule.id;
    terms.level = rule.level;
    terms.status = "new";
    terms.tenant = e.tenant;
    terms.tags = rule.tags;
    auto add = [](std::vector<std::string>& to, std::string_view value) {
        if (!value.empty() && std::find(to.begin(), to.end(), value) == to.end()) {
            to.emplace_back(value);
        }
    };
    if (auto host = e.get(core::fields::host_name)) {
        add(terms.hosts, *host);
    }
    if (e.raw != nullptr && e.raw->peer.known) {
        add(terms.sources, address_without_port(e.raw->peer.to_string()));
    }
    if (auto source_ip = catalog.find("source.ip")) {
        if (auto value = e.get(*source_ip)) {
            add(terms.sources, *value);
            add(terms.source_ips, *value);
        }
    }
    if (auto malware = catalog.find("malware.name")) {
        if (auto value = e.get(*malware)) {
            add(terms.malware, *value);
        }
    }
    if (auto destination_ip = catalog.find("destination.ip")) {
        if (auto value = e.get(*destination_ip)) {
            add(terms.destinations, *value);
        }
    }
    return terms;
}

} // namespace

alert make_alert(const rules::rule_info& rule, std::uint64_t rule_set_version, const core::event& e,
                 const core::field_catalog& catalog, std::int64_t created_ns) {
    const std::int64_t received_ns = e.raw != nullptr ? e.raw->recv_ns : 0;
    const std::int64_t seen_ns = e.time_ns.value_or(received_ns);
    alert out;
    out.id = event_alert_id(rule.id, seen_ns, e.raw != nullptr ? e.raw->bytes : std::string_view());
    out.created_ns = created_ns;
    const core::ulid id = out.id;
    out.json.reserve(1024);
    core::json_writer w(out.json);
    w.begin_object();
    w.field("id", id.to_string());
    if (!e.tenant.empty()) {
        w.field("tenant", e.tenant);
    }
    write_rule(w, rule, rule_set_version);
    w.field("created_at", core::rfc3339(created_ns).view());
    w.field("received_at", core::rfc3339(received_ns).view());
    if (e.time_ns) {
        w.field("event_time", core::rfc3339(*e.time_ns).view());
    }
    if (auto host = e.get(core::fields::host_name)) {
        w.field("host", *host);
    }
    w.field("count", std::uint64_t{1});
    w.field("first_seen", core::rfc3339(seen_ns).view());
    w.field("last_seen", core::rfc3339(seen_ns).view());
    w.key("evidence").begin_array();
    write_event(w, e, catalog);
    w.end_array();
    w.end_object();
    out.terms = event_terms(rule, e, catalog);
    return out;
}

} // namespace vigil::alert
