#include "match/rule_fixture_runner.hpp"

#include "core/arena.hpp"
#include "core/clock.hpp"
#include "core/event.hpp"
#include "match/matcher.hpp"
#include "parse/syslog_parser.hpp"

#include <algorithm>
#include <set>
#include <yaml-cpp/yaml.h>

namespace vigil::match {
namespace {

int line_of(const YAML::Node& node) {
    return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
}

} // namespace

std::size_t fixture_report::failed() const {
    return static_cast<std::size_t>(std::count_if(
        fixtures.begin(), fixtures.end(), [](const auto& f) { return !f.failures.empty(); }));
}

fixture_report rule_fixture_runner::run_directory(const std::filesystem::path& tests_dir) const {
    fixture_report report;
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(tests_dir, ec)) {
        const auto ext = entry.path().extension().string();
        if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        run_file(file, report);
    }
    std::set<std::string> covered;
    for (const auto& f : report.fixtures) {
        covered.insert(f.rule_id);
    }
    for (const auto& rule : rules_->rules()) {
        if (!covered.contains(rule.id)) {
            report.rules_without_fixtures.push_back(rule.id);
        }
    }
    return report;
}

void rule_fixture_runner::run_file(const std::filesystem::path& file,
                                   fixture_report& report) const {
    const std::string name = file.string();
    YAML::Node doc;
    try {
        doc = YAML::LoadFile(name);
    } catch (const YAML::Exception& e) {
        report.errors.error(name, e.mark.line >= 0 ? e.mark.line + 1 : 0, "",
                            "invalid YAML: " + e.msg);
        return;
    }
    if (!doc.IsMap() || !doc["rule"] || !doc["rule"].IsScalar()) {
        report.errors.error(name, line_of(doc), "", "a fixture needs 'rule: <rule id>'");
        return;
    }
    fixture_result result;
    result.file = name;
    result.rule_id = doc["rule"].Scalar();
    const auto& infos = rules_->rules();
    auto rule = std::find_if(infos.begin(), infos.end(),
                             [&](const auto& r) { return r.id == result.rule_id; });
    if (rule == infos.end()) {
        report.errors.error(name, line_of(doc["rule"]), result.rule_id,
                            "no loaded rule has this id (was the rule rejected?)");
        return;
    }
    const auto rule_index = static_cast<std::uint32_t>(rule - infos.begin());
    for (const auto& key : {"match", "no_match"}) {
        const YAML::Node list = doc[key];
        if (list && !list.IsSequence()) {
            report.errors.error(name, line_of(list), result.rule_id,
                                std::string("'") + key + "' must be a list of records");
        }
    }
    if (!doc["match"] && !doc["no_match"]) {
        report.errors.error(name, line_of(doc), result.rule_id,
                            "a fixture needs 'match' and/or 'no_match' records");
        return;
    }

    matcher m(rules_);
    parse::syslog_parser parser(parse::rfc3164_config{});
    core::arena scratch;
    core::event event;
    const std::int64_t now = core::system_clock::instance().now_ns();
    auto check = [&](const YAML::Node& item, bool should_fire) {
        if (!item.IsScalar()) {
            result.failures.push_back({core::diagnostic::severity::error, name, line_of(item),
                                       result.rule_id, "a record must be a string"});
            return;
        }
        core::raw_record record{item.Scalar(), core::source_kind::file, now, {}};
        scratch.reset();
        (void)parser.parse(record, event, scratch);
        const auto hits = m.match(event);
        const bool fired = std::find(hits.begin(), hits.end(), rule_index) != hits.end();
        ++result.checked;
        if (fired != should_fire) {
            result.failures.push_back({core::diagnostic::severity::error, name, line_of(item),
                                       result.rule_id,
                                       std::string(should_fire ? "should match but did not: "
                                                               : "should not match but did: ") +
                                           item.Scalar()});
        }
    };
    for (const auto& [key, should_fire] :
         {std::pair{"match", true}, std::pair{"no_match", false}}) {
        const YAML::Node list = doc[key];
        if (list && list.IsSequence()) {
            for (const auto& item : list) {
                check(item, should_fire);
            }
        }
    }
    report.fixtures.push_back(std::move(result));
}

} // namespace vigil::match
