#include "alert/alert_terms.hpp"

#include <algorithm>
#include <simdjson.h>

namespace vigil::alert {
namespace {

void add_distinct(std::vector<std::string>& to, std::string_view value) {
    if (!value.empty() && std::find(to.begin(), to.end(), value) == to.end()) {
        to.emplace_back(value);
    }
}

// One evidence event: its host, its source and destination addresses and its sender.
simdjson::error_code read_evidence(simdjson::ondemand::object event, alert_terms& terms) {
    for (auto member : event) {
        std::string_view key;
        if (auto error = member.unescaped_key().get(key)) {
            return error;
        }
        if (key == "log.source.address") {
            std::string_view sender;
            if (auto error = member.value().get_string().get(sender)) {
                return error;
            }
            add_distinct(terms.sources, address_without_port(sender));
        } else if (key == "fields") {
            simdjson::ondemand::object fields;
            if (auto error = member.value().get_object().get(fields)) {
                return error;
            }
            for (auto field : fields) {
                std::string_view name;
                if (auto error = field.unescaped_key().get(name)) {
                    return error;
                }
                auto* to = name == "host.name"        ? &terms.hosts
                           : name == "source.ip"      ? &terms.sources
                           : name == "destination.ip" ? &terms.destinations
                           : name == "malware.name"   ? &terms.malware
                                                      : nullptr;
                if (to == nullptr) {
                    continue;
                }
                std::string_view value;
                if (auto error = field.value().get_string().get(value)) {
                    return error;
                }
                add_distinct(*to, value);
                if (to == &terms.sources) {
                    add_distinct(terms.source_ips, value);
                }
            }
        }
    }
    return simdjson::SUCCESS;
}

simdjson::error_code read_rule(simdjson::ondemand::object rule, alert_terms& terms) {
    for (auto member : rule) {
        std::string_view key;
        if (auto error = member.unescaped_key().get(key)) {
            return error;
        }
        if (key == "tags") {
            simdjson::ondemand::array tags;
            if (auto error = member.value().get_array().get(tags)) {
                return error;
            }
            for (auto tag : tags) {
                std::string_view value;
                if (auto error = tag.get_string().get(value)) {
                    return error;
                }
                terms.tags.emplace_back(value);
            }
        } else if (key == "id" || key == "level") {
            std::string_view value;
            if (auto error = member.value().get_string().get(value)) {
                return error;
            }
            (key == "id" ? terms.rule_id : terms.level) = value;
        }
    }
    return simdjson::SUCCESS;
}

} // namespace

std::string_view address_without_port(std::string_view address) {
    if (address.starts_with('[')) {
        const auto close = address.find(']');
        return close == std::string_view::npos ? address : address.substr(1, close - 1);
    }
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos || address.find(':') != colon) {
        return address; // no port, or a bare IPv6 address
    }
    return address.substr(0, colon);
}

std::expected<alert_terms, std::string> read_alert_terms(std::string_view json) {
    thread_local simdjson::ondemand::parser parser;
    const simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    if (auto error = parser.iterate(padded).get(doc)) {
        return std::unexpected(std::string("alert is not JSON: ") + simdjson::error_message(error));
    }
    alert_terms terms;
    simdjson::ondemand::object root;
    auto error = doc.get_object().get(root);
    for (auto member : error ? simdjson::ondemand::object() : root) {
        std::string_view key;
        if ((error = member.unescaped_key().get(key))) {
            break;
        }
        if (key == "rule") {
            simdjson::ondemand::object rule;
            error = member.value().get_object().get(rule);
            error = error ? error : read_rule(rule, terms);
        } else if (key == "status" || key == "host" || key == "tenant" || key == "grade") {
            std::string_view value;
            error = member.value().get_string().get(value);
            if (!error && key == "status") {
                terms.status = value;
            } else if (!error && key == "grade") {
                terms.grade = value;
            } else if (!error && key == "tenant") {
                terms.tenant = value;
            } else if (!error) {
                add_distinct(terms.hosts, value);
            }
        } else if (key == "evidence") {
            simdjson::ondemand::array events;
            error = member.value().get_array().get(events);
            for (auto event : events) {
                if (error) {
                    break;
                }
                simdjson::ondemand::object object;
                error = event.get_object().get(object);
                error = error ? error : read_evidence(object, terms);
            }
        }
    }
    if (error) {
        return std::unexpected(std::string("alert JSON is malformed: ") +
                               simdjson::error_message(error));
    }
    if (terms.rule_id.empty() || terms.level.empty()) {
        return std::unexpected("alert JSON lacks rule.id or rule.level");
    }
    if (terms.status.empty()) {
        terms.status = "new"; // not yet graded (incident::grader adds the status)
    }
    return terms;
}

} // namespace vigil::alert
