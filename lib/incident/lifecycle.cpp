#include "incident/lifecycle.hpp"

#include <array>
#include <utility>

namespace vigil::incident {
namespace {

// How far along the response plan a status is (false_positive stands apart).
std::optional<int> progress_of(std::string_view status) {
    static constexpr std::array<std::pair<std::string_view, int>, 7> ranks = {{
        {"new", 0},
        {"acknowledged", 1},
        {"reopened", 1},
        {"contained", 2},
        {"eradicated", 3},
        {"recovered", 4},
        {"closed", 5},
    }};
    for (const auto& [name, rank] : ranks) {
        if (name == status) {
            return rank;
        }
    }
    return std::nullopt;
}

bool terminal(std::string_view status) {
    return status == "closed" || status == "false_positive";
}

std::string known_targets() {
    std::string known;
    for (std::string_view s : alert::alert_statuses()) {
        if (s != "new") {
            known += (known.empty() ? "" : ", ") + std::string(s);
        }
    }
    return known;
}

// Decides a pending SLA outcome at `at_ns` against `deadline_ns`.
void decide(alert::sla_outcome& outcome, std::int64_t& decided_ns, std::int64_t deadline_ns,
            std::int64_t at_ns) {
    if (outcome == alert::sla_outcome::pending) {
        outcome = at_ns <= deadline_ns ? alert::sla_outcome::met : alert::sla_outcome::missed;
        decided_ns = at_ns;
    }
}

std::expected<void, std::string> check(std::string_view from, std::string_view to) {
    if (to == "new") {
        return std::unexpected("an alert cannot go back to new");
    }
    if (to != "false_positive" && !progress_of(to)) {
        return std::unexpected("unknown status '" + std::string(to) +
                               "' (known: " + known_targets() + ")");
    }
    if (to == "reopened") {
        if (!terminal(from)) {
            return std::unexpected("only a closed or false-positive alert can be reopened; this "
                                   "one is " +
                                   std::string(from));
        }
        return {};
    }
    if (terminal(from)) {
        return std::unexpected("the alert is " + std::string(from) + "; it can only be reopened");
    }
    if (to == "false_positive") {
        return {};
    }
    const int now = progress_of(from).value_or(0);
    const int next = *progress_of(to);
    if (next == now) {
        return std::unexpected("the alert is already " + std::string(from));
    }
    if (next < now) {
        return std::unexpected("the alert is " + std::string(from) + "; it cannot go back to " +
                               std::string(to));
    }
    return {};
}

} // namespace

std::expected<void, std::string> change_status(alert::incident_part& part,
                                               const status_change& change) {
    if (auto valid = check(part.status, change.to); !valid) {
        return valid;
    }
    // Times are kept at millisecond precision, as the document holds them.
    const std::int64_t at_ns = change.at_ns / 1'000'000 * 1'000'000;
    const bool dismissed = change.to == "false_positive";
    const int reached = progress_of(change.to).value_or(0);
    if (reached >= 1 || dismissed) {
        decide(part.notify, part.notified_ns, part.notify_by_ns, at_ns);
    }
    if (reached >= 2 || dismissed) {
        decide(part.contain, part.contained_ns, part.contain_by_ns, at_ns);
    }
    part.history.push_back({part.status, change.to, at_ns, change.actor, change.note});
    part.status = change.to;
    return {};
}

std::optional<std::string_view> status_for_verb(std::string_view verb) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> verbs = {{
        {"ack", "acknowledged"},
        {"contain", "contained"},
        {"eradicate", "eradicated"},
        {"recover", "recovered"},
        {"close", "closed"},
        {"reopen", "reopened"},
        {"false-positive", "false_positive"},
    }};
    for (const auto& [word, status] : verbs) {
        if (word == verb) {
            return status;
        }
    }
    return std::nullopt;
}

} // namespace vigil::incident
