#include "replay/rule_test_runner.hpp"

#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/json_writer.hpp"
#include "match/matcher.hpp"
#include "parse/record_parser.hpp"
#include "parse/yaml_reader.hpp"
#include "replay/replay_session.hpp"
#include "rules/yaml_fields.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace vigil::replay {
namespace {

namespace fs = std::filesystem;

using rules::line_of;

// A YAML fixture event as JSON: maps and lists as they are, every scalar as a string (matching
// compares text, and the JSON parser keeps numbers as their text anyway).
void to_json(const YAML::Node& node, core::json_writer& w) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        w.begin_object();
        for (const auto& kv : node) {
            w.key(kv.first.Scalar());
            to_json(kv.second, w);
        }
        w.end_object();
        break;
    case YAML::NodeType::Sequence:
        w.begin_array();
        for (const auto& item : node) {
            to_json(item, w);
        }
        w.end_array();
        break;
    case YAML::NodeType::Scalar:
        w.value(node.Scalar());
        break;
    default:
        w.null();
        break;
    }
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Parses records and matches them; one per fixture or regression file.
class record_checker {
public:
    explicit record_checker(const std::shared_ptr<const rules::rule_set>& rules)
        : rules_(rules), matcher_(rules), records_(parse::record_parser_config{}) {}

    // Calls `on_result(fired)` for each event in `text` (one syslog line, or JSON documents).
    template <typename Fn>
    void check(std::string_view text, bool json, std::uint32_t rule, Fn&& on_result) {
        const std::int64_t now = core::system_clock::instance().now_ns();
        auto fired = [&](const core::event& e) {
            const auto hits = matcher_.match(e);
            return std::find(hits.begin(), hits.end(), rule) != hits.end();
        };
        if (json) {
            records_.parse_documents(
                text, now, rules_->mappings(), rules_->catalog(), scratch_,
                [&](core::event& e, parse::parse_error) { on_result(fired(e)); });
            return;
        }
        // As a worker reads a syslog listener's records (format and payload detected).
        core::raw_record record{text, core::source_kind::file, now, {}};
        scratch_.reset();
        (void)records_.parse(record, rules_->mappings(), rules_->catalog(), rules_->projection(),
                             event_, scratch_);
        on_result(fired(event_));
    }

private:
    std::shared_ptr<const rules::rule_set> rules_;
    match::matcher matcher_;
    parse::record_parser records_;
    core::arena scratch_;
    core::event event_;
};

// A fixture record: a raw line (JSON when it starts with '{') or a YAML map (a JSON event).
// Nothing for anything else.
struct fixture_record {
    std::string text;
    bool json = false;
};
std::optional<fixture_record> read_record(const YAML::Node& item) {
    fixture_record r;
    if (item.IsMap()) {
        core::json_writer w(r.text);
        to_json(item, w);
        r.json = true;
    } else if (item.IsScalar()) {
        r.text = item.Scalar();
        r.json = r.text.starts_with('{');
    } else {
        return std::nullopt;
    }
    return r;
}

} // namespace

std::size_t rule_test_report::failed() const {
    return static_cast<std::size_t>(
        std::count_if(outcomes.begin(), outcomes.end(), [](const auto& o) { return !o.passed(); }));
}

std::optional<std::uint32_t> rule_test_runner::rule_index(const std::string& id) const {
    const auto& infos = rules_->rules();
    auto it = std::find_if(infos.begin(), infos.end(), [&](const auto& r) { return r.id == id; });
    if (it == infos.end()) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(it - infos.begin());
}

void rule_test_runner::run_fixtures(const fs::path& tests_dir, rule_test_report& report) const {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(tests_dir, ec)) {
        const auto ext = entry.path().extension().string();
        if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const std::string name = file.string();
        auto read = parse::read_yaml_file(name, report.errors);
        if (!read) {
            continue;
        }
        const YAML::Node doc = *read;
        if (!doc.IsMap() || !doc["rule"] || !doc["rule"].IsScalar()) {
            report.errors.error(name, line_of(doc), "", "a fixture needs 'rule: <rule id>'");
            continue;
        }
        parse::report_unknown_keys(doc, {"rule", "cases", "match", "no_match"}, "a fixture", name,
                                   doc["rule"].Scalar(), report.errors);
        rule_test_outcome outcome;
        outcome.source = name;
        outcome.rule_id = doc["rule"].Scalar();
        const auto rule = rule_index(outcome.rule_id);
        if (!rule) {
            report.errors.error(name, line_of(doc["rule"]), outcome.rule_id,
                                "no loaded rule has this id (was the rule rejected?)");
            continue;
        }
        if (doc["cases"]) {
            run_cases(doc, name, outcome);
            report.outcomes.push_back(std::move(outcome));
            continue;
        }
        if (!doc["match"] && !doc["no_match"]) {
            report.errors.error(name, line_of(doc), outcome.rule_id,
                                "a fixture needs 'match' and/or 'no_match' records");
            continue;
        }
        record_checker checker(rules_);
        bool malformed = false;
        for (const auto& [key, should_fire] :
             {std::pair{"match", true}, std::pair{"no_match", false}}) {
            const YAML::Node list = doc[key];
            if (!list) {
                continue;
            }
            if (!list.IsSequence()) {
                report.errors.error(name, line_of(list), outcome.rule_id,
                                    std::string("'") + key + "' must be a list of records");
                malformed = true;
                continue;
            }
            for (const auto& item : list) {
                auto record = read_record(item);
                if (!record) {
                    outcome.failures.push_back({core::diagnostic::severity::error,
                                                name,
                                                line_of(item),
                                                outcome.rule_id,
                                                "a record must be a string or a map",
                                                {}});
                    continue;
                }
                const std::string& text = record->text;
                checker.check(text, record->json, *rule, [&](bool fired) {
                    ++outcome.checked;
                    if (fired != should_fire) {
                        outcome.failures.push_back(
                            {core::diagnostic::severity::error,
                             name,
                             line_of(item),
                             outcome.rule_id,
                             std::string(should_fire ? "should match but did not: "
                                                     : "should not match but did: ") +
                                 text,
                             {}});
                    }
                });
            }
        }
        if (!malformed) {
            report.outcomes.push_back(std::move(outcome));
        }
    }
}

void rule_test_runner::run_regression(const fs::path& tree, rule_test_report& report) const {
    std::vector<fs::path> infos;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tree / "regression_data", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().filename() == "info.yml") {
            infos.push_back(it->path());
        }
    }
    std::sort(infos.begin(), infos.end());
    for (const auto& info : infos) {
        const std::string name = info.string();
        auto read = parse::read_yaml_file(name, report.errors);
        if (!read) {
            continue;
        }
        const YAML::Node doc = *read;
        const YAML::Node meta = doc["rule_metadata"];
        const YAML::Node tests = doc["regression_tests_info"];
        if (!meta || !meta.IsSequence() || meta.size() == 0 || !meta[0]["id"] || !tests ||
            !tests.IsSequence()) {
            report.errors.error(name, line_of(doc), "",
                                "expected rule_metadata[0].id and a list regression_tests_info");
            continue;
        }
        const std::string rule_id = meta[0]["id"].Scalar();
        for (const auto& test : tests) {
            rule_test_outcome outcome;
            outcome.type = rule_test_outcome::kind::regression;
            outcome.rule_id = rule_id;
            outcome.source = name;
            outcome.expected = test["match_count"] && !test["match_count"].IsNull()
                                   ? test["match_count"].as<std::size_t>(1)
                                   : 1;
            const auto rule = rule_index(rule_id);
            if (!rule) {
                outcome.failures.push_back({core::diagnostic::severity::error,
                                            name,
                                            line_of(doc),
                                            rule_id,
                                            "the rule was not loaded (see vigil rules check)",
                                            {}});
                report.outcomes.push_back(std::move(outcome));
                continue;
            }
            // The events are in the .json beside the .evtx the test names.
            fs::path events =
                info.parent_path() /
                fs::path(test["path"] ? test["path"].Scalar() : rule_id + ".json").filename();
            events.replace_extension(".json");
            if (!fs::exists(events)) {
                outcome.failures.push_back({core::diagnostic::severity::error,
                                            name,
                                            line_of(test),
                                            rule_id,
                                            "event file " + events.string() + " is missing",
                                            {}});
                report.outcomes.push_back(std::move(outcome));
                continue;
            }
            record_checker checker(rules_);
            checker.check(read_file(events), true, *rule, [&](bool fired) {
                ++outcome.checked;
                outcome.matched += fired ? 1 : 0;
            });
            if (outcome.matched < outcome.expected) {
                outcome.failures.push_back(
                    {core::diagnostic::severity::error,
                     name,
                     line_of(test),
                     rule_id,
                     "matched " + std::to_string(outcome.matched) + " of " +
                         std::to_string(outcome.checked) + " events, expected at least " +
                         std::to_string(outcome.expected) + " (" + events.string() + ")",
                     {}});
            } else if (outcome.matched > outcome.expected) {
                outcome.warnings.push_back("matched " + std::to_string(outcome.matched) +
                                           " events, more than match_count " +
                                           std::to_string(outcome.expected));
            }
            report.outcomes.push_back(std::move(outcome));
        }
    }
}

void rule_test_runner::run_cases(const YAML::Node& doc, const std::string& file,
                                 rule_test_outcome& outcome) const {
    auto fail = [&](const YAML::Node& at, std::string reason) {
        outcome.failures.push_back({core::diagnostic::severity::error,
                                    file,
                                    line_of(at),
                                    outcome.rule_id,
                                    std::move(reason),
                                    {}});
    };
    const YAML::Node cases = doc["cases"];
    if (!cases.IsSequence() || cases.size() == 0) {
        fail(cases, "'cases' must be a list of {name, records, alerts}");
        return;
    }
    for (const auto& c : cases) {
        const std::string name = c["name"] && c["name"].IsScalar() ? c["name"].Scalar() : "case";
        const YAML::Node records = c["records"];
        const YAML::Node expected = c["alerts"];
        if (!records || !records.IsSequence() || !expected || !expected.IsScalar()) {
            fail(c, "case '" + name + "' needs 'records' (a list) and 'alerts' (a number)");
            continue;
        }
        std::int64_t advance_ns = 0;
        if (c["advance"]) {
            auto parsed = c["advance"].IsScalar() ? core::parse_duration(c["advance"].Scalar())
                                                  : std::unexpected(std::string("not a string"));
            if (!parsed) {
                fail(c["advance"], "case '" + name + "': 'advance' must be a duration such as 20m");
                continue;
            }
            advance_ns = *parsed;
        }
        // The records of a case are one input, run through the daemon's worker step and a
        // correlator shard.
        const replay_options defaults;
        replay_session session(rules_, core::system_clock::instance(), defaults);
        session.begin_input(name);
        for (const auto& item : records) {
            auto record = read_record(item);
            if (!record) {
                fail(item, "a record must be a string or a map");
                continue;
            }
            session.feed(record->text);
            ++outcome.checked;
        }
        session.finish(advance_ns);
        std::vector<const alert::alert*> raised;
        for (const auto& a : session.alerts()) {
            if (a.terms.rule_id == outcome.rule_id && !a.update) {
                raised.push_back(&a);
            }
        }
        const auto want = std::strtoull(expected.Scalar().c_str(), nullptr, 10);
        if (raised.size() != want) {
            fail(c, "case '" + name + "': expected " + std::to_string(want) + " alert(s), got " +
                        std::to_string(raised.size()));
            continue;
        }
        if (const YAML::Node key = c["key"]; key && key.IsMap() && !raised.empty()) {
            const YAML::Node alert = YAML::Load(raised.front()->json);
            for (const auto& part : key) {
                const YAML::Node got = alert["key"][part.first.Scalar()];
                if (!got || got.Scalar() != part.second.Scalar()) {
                    fail(part.first, "case '" + name + "': key " + part.first.Scalar() +
                                         " expected '" + part.second.Scalar() + "', got '" +
                                         (got ? got.Scalar() : std::string("nothing")) + "'");
                }
            }
        }
    }
    if (!outcome.failures.empty()) {
        return;
    }
    // The rules the correlation refers to, through chains.
    const auto& set = rules_->correlations();
    const auto& infos = rules_->rules();
    std::vector<std::uint32_t> pending;
    for (std::uint32_t c = 0; c < set.correlations().size(); ++c) {
        if (infos[set.correlations()[c].rule].id == outcome.rule_id) {
            pending.push_back(c);
        }
    }
    std::set<std::uint32_t> seen;
    while (!pending.empty()) {
        const std::uint32_t c = pending.back();
        pending.pop_back();
        if (!seen.insert(c).second) {
            continue;
        }
        for (std::uint32_t r = 0; r < infos.size(); ++r) {
            for (const auto& feed : set.feeds(r)) {
                if (feed.correlation == c) {
                    outcome.covers.push_back(infos[r].id);
                }
            }
        }
        for (std::uint32_t other = 0; other < set.correlations().size(); ++other) {
            for (const auto& feed : set.correlations()[other].consumers) {
                if (feed.correlation == c) {
                    outcome.covers.push_back(infos[set.correlations()[other].rule].id);
                    pending.push_back(other);
                }
            }
        }
    }
}

void rule_test_runner::find_untested(rule_test_report& report) const {
    std::set<std::string> covered;
    for (const auto& o : report.outcomes) {
        covered.insert(o.rule_id);
        covered.insert(o.covers.begin(), o.covers.end());
    }
    for (const auto& rule : rules_->rules()) {
        if (!covered.contains(rule.id)) {
            report.rules_without_tests.push_back(rule.id);
        }
    }
}

} // namespace vigil::replay
