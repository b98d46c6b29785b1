#include "pipeline/coverage_report.hpp"

#include "core/json_writer.hpp"

#include <set>
#include <vector>

namespace vigil::pipeline {
namespace {

void write_values(core::json_writer& w, std::string_view key, const std::vector<std::string>& v) {
    w.key(key).begin_array();
    for (const auto& s : v) {
        w.value(s);
    }
    w.end_array();
}

} // namespace

std::string coverage_json(const rules::rule_set& rules, const class_traffic* traffic,
                          std::int64_t now_ns) {
    const auto& classes = rules.logsources().classes();
    std::vector<std::size_t> rule_count(classes.size(), 0);
    // Rules whose log source names nothing (vendor verdicts) meet every class: counted apart,
    // so that a class's count says what watches that source in particular.
    std::uint64_t for_every_class = 0;
    for (const auto& rule : rules.rules()) {
        if (rule.correlation) {
            continue; // meets no event itself: its detection rules do
        }
        if (rule.source.product.empty() && rule.source.category.empty() &&
            rule.source.service.empty()) {
            ++for_every_class;
            continue;
        }
        for (const rules::class_id c : rule.classes) {
            if (c < rule_count.size()) {
                ++rule_count[c];
            }
        }
    }
    const auto seen = traffic ? traffic->snapshot(now_ns)
                              : std::map<std::string, class_traffic::counts, std::less<>>{};
    std::string out;
    core::json_writer w(out);
    w.begin_object().field("rules_version", rules.version());
    w.field("rules_for_every_class", for_every_class);
    w.key("classes").begin_array();
    auto write_counts = [&](std::string_view name) {
        if (!traffic) {
            w.key("events_last_hour").null();
            w.key("events_total").null();
            return;
        }
        const auto it = seen.find(name);
        w.field("events_last_hour", it == seen.end() ? std::uint64_t{0} : it->second.last_hour);
        w.field("events_total", it == seen.end() ? std::uint64_t{0} : it->second.total);
    };
    std::set<std::string, std::less<>> listed;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        const auto& k = classes[c];
        if (!listed.insert(k.name).second) {
            continue;
        }
        w.begin_object().field("class", k.name);
        write_values(w, "product", k.products);
        write_values(w, "category", k.categories);
        write_values(w, "service", k.services);
        w.field("rules", static_cast<std::uint64_t>(rule_count[c]));
        write_counts(k.name);
        w.end_object();
    }
    // Events of classes the running rules no longer have, and of no class at all.
    for (const auto& [name, counts] : seen) {
        if (listed.contains(name)) {
            continue;
        }
        w.begin_object().field("class", name);
        write_values(w, "product", {});
        write_values(w, "category", {});
        write_values(w, "service", {});
        w.field("rules", std::uint64_t{0});
        write_counts(name);
        w.end_object();
    }
    w.end_array().end_object();
    out += '\n';
    return out;
}

} // namespace vigil::pipeline
