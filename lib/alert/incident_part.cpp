#include "alert/incident_part.hpp"

#include "alert/alert_query.hpp"
#include "core/civil_time.hpp"
#include "core/json_writer.hpp"

#include <array>
#include <charconv>
#include <simdjson.h>

namespace vigil::alert {
namespace {

// The incident part starts with this member; nothing after it in a document can hold the same
// bytes (string values escape their quotes, and history steps have no "grade").
constexpr std::string_view part_start = ",\"grade\":\"";
// Room for a new alert's incident part (grade, SLA, status, empty history: about 200 bytes),
// so that writing it does not grow the buffer step by step.
constexpr std::size_t incident_part_reserve = 320;

std::optional<sla_outcome> parse_outcome(std::string_view text) {
    for (auto o : {sla_outcome::pending, sla_outcome::met, sla_outcome::missed}) {
        if (to_string(o) == text) {
            return o;
        }
    }
    return std::nullopt;
}

// Reads an RFC 3339 time member into nanoseconds (millisecond precision).
simdjson::error_code read_time(simdjson::dom::element e, std::int64_t& out) {
    std::string_view text;
    if (auto error = e.get(text)) {
        return error;
    }
    auto ms = read_timestamp_ms(text);
    if (!ms) {
        return simdjson::INCORRECT_TYPE;
    }
    out = *ms * 1'000'000;
    return simdjson::SUCCESS;
}

simdjson::error_code read_text(simdjson::dom::element e, std::string& out) {
    std::string_view text;
    auto error = e.get(text);
    if (!error) {
        out = text;
    }
    return error;
}

simdjson::error_code read_sla(simdjson::dom::object sla, incident_part& part) {
    for (auto [key, value] : sla) {
        simdjson::error_code error = simdjson::SUCCESS;
        std::string text;
        if (key == "notify_by") {
            error = read_time(value, part.notify_by_ns);
        } else if (key == "contain_by") {
            error = read_time(value, part.contain_by_ns);
        } else if (key == "notified_at") {
            error = read_time(value, part.notified_ns);
        } else if (key == "contained_at") {
            error = read_time(value, part.contained_ns);
        } else if (key == "notify" || key == "contain") {
            error = read_text(value, text);
            auto o = parse_outcome(text);
            if (!error && !o) {
                error = simdjson::INCORRECT_TYPE;
            }
            if (!error) {
                (key == "notify" ? part.notify : part.contain) = *o;
            }
        }
        if (error) {
            return error;
        }
    }
    return simdjson::SUCCESS;
}

simdjson::error_code read_asset(simdjson::dom::object object, incident_part& part) {
    incident_part::asset_fields a;
    for (auto [key, value] : object) {
        simdjson::error_code error = simdjson::SUCCESS;
        if (key == "name") {
            error = read_text(value, a.name);
        } else if (key == "owner") {
            error = read_text(value, a.owner);
        } else if (key == "zone") {
            error = read_text(value, a.zone);
        } else if (key == "criticality") {
            std::int64_t c = 0;
            error = value.get(c);
            a.criticality = static_cast<unsigned>(c);
        }
        if (error) {
            return error;
        }
    }
    part.asset = std::move(a);
    return simdjson::SUCCESS;
}

simdjson::error_code read_escalations(simdjson::dom::array list, incident_part& part) {
    for (auto element : list) {
        simdjson::dom::object object;
        if (auto error = element.get(object)) {
            return error;
        }
        incident_part::escalation_ref e;
        for (auto [key, value] : object) {
            simdjson::error_code error = simdjson::SUCCESS;
            if (key == "deadline") {
                error = read_text(value, e.deadline);
            } else if (key == "at") {
                error = read_time(value, e.at_ns);
            } else if (key == "alert") {
                error = read_text(value, e.alert_id);
            }
            if (error) {
                return error;
            }
        }
        part.escalations.push_back(std::move(e));
    }
    return simdjson::SUCCESS;
}

simdjson::error_code read_history(simdjson::dom::array steps, incident_part& part) {
    for (auto element : steps) {
        simdjson::dom::object step;
        if (auto error = element.get(step)) {
            return error;
        }
        lifecycle_step s;
        for (auto [key, value] : step) {
            simdjson::error_code error = simdjson::SUCCESS;
            if (key == "from") {
                error = read_text(value, s.from);
            } else if (key == "to") {
                error = read_text(value, s.to);
            } else if (key == "at") {
                error = read_time(value, s.at_ns);
            } else if (key == "actor") {
                error = read_text(value, s.actor);
            } else if (key == "note") {
                error = read_text(value, s.note);
            }
            if (error) {
                return error;
            }
        }
        part.history.push_back(std::move(s));
    }
    return simdjson::SUCCESS;
}

} // namespace

const std::vector<std::string_view>& alert_statuses() {
    static const std::vector<std::string_view> statuses = {
        "new",       "acknowledged", "contained",      "eradicated",
        "recovered", "closed",       "false_positive", "reopened"};
    return statuses;
}

std::string_view to_string(sla_outcome o) {
    switch (o) {
    case sla_outcome::met:
        return "met";
    case sla_outcome::missed:
        return "missed";
    case sla_outcome::pending:
        break;
    }
    return "pending";
}

namespace {

// The incident part is written as text directly: its member names are fixed and its values
// are times, numbers, names from fixed sets (grade, outcome) and a few free strings, escaped.
// Through json_writer (a comma check and an append per piece) it was the largest part of
// grading an alert.
void add_string(std::string& out, std::string_view text) {
    out += '"';
    core::json_writer::escape(out, text);
    out += '"';
}

void add_time(std::string& out, std::int64_t ns) {
    out += '"';
    out.append(core::rfc3339(ns).view());
    out += '"';
}

// A member: `name_part` is its `,"name":` (or `"name":` first in an object).
void add_text_member(std::string& out, std::string_view name_part, std::string_view text) {
    out.append(name_part);
    add_string(out, text);
}

void add_time_member(std::string& out, std::string_view name_part, std::int64_t ns) {
    out.append(name_part);
    add_time(out, ns);
}

void add_number(std::string& out, std::int64_t n) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
    out.append(digits.data(), end);
}

void add_asset(std::string& out, const incident_part::asset_fields& asset) {
    add_text_member(out, R"(,"asset":{"name":)", asset.name);
    if (!asset.owner.empty()) {
        add_text_member(out, R"(,"owner":)", asset.owner);
    }
    if (!asset.zone.empty()) {
        add_text_member(out, R"(,"zone":)", asset.zone);
    }
    out.append(R"(,"criticality":)");
    add_number(out, static_cast<std::int64_t>(asset.criticality));
    out += '}';
}

void add_sla(std::string& out, const incident_part& part) {
    add_time_member(out, R"(,"sla":{"notify_by":)", part.notify_by_ns);
    add_time_member(out, R"(,"contain_by":)", part.contain_by_ns);
    out.append(R"(,"notify":")").append(to_string(part.notify)) += '"';
    if (part.notify != sla_outcome::pending) {
        add_time_member(out, R"(,"notified_at":)", part.notified_ns);
    }
    out.append(R"(,"contain":")").append(to_string(part.contain)) += '"';
    if (part.contain != sla_outcome::pending) {
        add_time_member(out, R"(,"contained_at":)", part.contained_ns);
    }
    out += '}';
}

// `,"name":[{...},...]`: `member` is the `,"name":[` part, write_item writes an item's members.
template <typename Item, typename WriteItem>
void add_array(std::string& out, std::string_view member, const std::vector<Item>& items,
               WriteItem write_item) {
    out.append(member);
    for (std::size_t i = 0; i < items.size(); ++i) {
        out.append(i == 0 ? "{" : ",{");
        write_item(items[i]);
        out += '}';
    }
    out += ']';
}

void add_history(std::string& out, const std::vector<lifecycle_step>& history) {
    add_array(out, R"(,"history":[)", history, [&](const lifecycle_step& step) {
        add_text_member(out, R"("from":)", step.from);
        add_text_member(out, R"(,"to":)", step.to);
        add_time_member(out, R"(,"at":)", step.at_ns);
        add_text_member(out, R"(,"actor":)", step.actor);
        if (!step.note.empty()) {
            add_text_member(out, R"(,"note":)", step.note);
        }
    });
}

void add_escalations(std::string& out,
                     const std::vector<incident_part::escalation_ref>& escalations) {
    add_array(out, R"(,"escalations":[)", escalations, [&](const incident_part::escalation_ref& e) {
        add_text_member(out, R"("deadline":)", e.deadline);
        add_time_member(out, R"(,"at":)", e.at_ns);
        add_text_member(out, R"(,"alert":)", e.alert_id);
    });
}

} // namespace

void append_incident_part(std::string& document, const incident_part& part) {
    if (document.empty() || document.back() != '}') {
        document += "{}"; // no object to continue (callers pass one): the part alone
    }
    document.reserve(document.size() + incident_part_reserve + 160 * part.history.size());
    document.pop_back(); // its '}': the part's members follow its own
    const bool empty = document.back() == '{';
    document.append(empty ? part_start.substr(1) : part_start).append(to_string(part.grade));
    document.append(R"(","response_level":)");
    add_number(document, static_cast<std::int64_t>(part.response_level));
    if (part.asset) {
        add_asset(document, *part.asset);
    }
    add_sla(document, part);
    add_text_member(document, R"(,"status":)", part.status);
    add_history(document, part.history);
    if (!part.escalations.empty()) {
        add_escalations(document, part.escalations);
    }
    document += '}';
}

std::optional<std::size_t> incident_part_offset(std::string_view document) {
    const auto at = document.rfind(part_start);
    return at == std::string_view::npos ? std::nullopt : std::optional(at);
}

std::expected<incident_part, std::string> read_incident_part(std::string_view document) {
    const auto offset = incident_part_offset(document);
    if (!offset) {
        return std::unexpected("the alert has no grade");
    }
    std::string members = "{";
    members.append(document.substr(*offset + 1));
    thread_local simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (auto error = parser.parse(members).get(root)) {
        return std::unexpected(std::string("the alert's incident members are malformed: ") +
                               simdjson::error_message(error));
    }
    incident_part part;
    for (auto [key, value] : root) {
        simdjson::error_code error = simdjson::SUCCESS;
        std::string text;
        if (key == "grade") {
            error = read_text(value, text);
            auto g = parse_grade(text);
            if (!error && !g) {
                return std::unexpected("the alert's grade '" + text + "' is not I, II, III or IV");
            }
            part.grade = g.value_or(grade::IV);
        } else if (key == "response_level") {
            std::int64_t level = 0;
            error = value.get(level);
            part.response_level = static_cast<std::uint8_t>(level);
        } else if (key == "asset") {
            simdjson::dom::object object;
            error = value.get(object);
            error = error ? error : read_asset(object, part);
        } else if (key == "sla") {
            simdjson::dom::object sla;
            error = value.get(sla);
            error = error ? error : read_sla(sla, part);
        } else if (key == "status") {
            error = read_text(value, part.status);
        } else if (key == "escalations") {
            simdjson::dom::array list;
            error = value.get(list);
            error = error ? error : read_escalations(list, part);
        } else if (key == "history") {
            simdjson::dom::array steps;
            error = value.get(steps);
            error = error ? error : read_history(steps, part);
        }
        if (error) {
            return std::unexpected("the alert's '" + std::string(key) +
                                   "' is malformed: " + simdjson::error_message(error));
        }
    }
    return part;
}

std::string with_incident_part(std::string_view document, const incident_part& part) {
    const auto offset = incident_part_offset(document);
    std::string out(document.substr(0, offset.value_or(document.size())));
    if (offset) {
        out.push_back('}'); // what append_incident_part expects: a complete object
    }
    append_incident_part(out, part);
    return out;
}

} // namespace vigil::alert
