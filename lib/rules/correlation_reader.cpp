#include "rules/correlation_reader.hpp"

#include "core/civil_time.hpp"
#include "rules/yaml_fields.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <string_view>

namespace vigil::rules {
namespace {

class correlation_reader {
public:
    correlation_reader(const std::string& file, core::diagnostics& diags)
        : file_(file), diags_(diags) {}

    bool read(const YAML::Node& doc, correlation_rule& rule) {
        rule.file = file_;
        rule.line = line_of(doc);
        rule.id = text(doc, "id");
        rule_id_ = rule.id;
        rule.name = text(doc, "name");
        if (rule.id.empty()) {
            error(doc, "missing 'id' (every rule needs a unique id)");
        }
        rule.title = text(doc, "title");
        if (rule.title.empty()) {
            error(doc, "missing 'title'");
        }
        rule.status = text(doc, "status");
        rule.description = text(doc, "description");
        rule.author = text(doc, "author");
        rule.level = text(doc, "level");
        if (!rule.level.empty() && !is_sigma_level(rule.level)) {
            error(doc["level"],
                  "unknown level '" + rule.level + "' (expected " + sigma_levels_text + ")");
        }
        rule.tags = strings(doc, "tags");
        rule.falsepositives = strings(doc, "falsepositives");
        if (doc["detection"]) {
            error(doc["detection"], "a document is a detection rule or a correlation rule, "
                                    "not both ('detection' and 'correlation')");
        }
        if (const YAML::Node generate = doc["generate"]) {
            rule.generate = boolean(generate, "generate");
        }

        const YAML::Node c = doc["correlation"];
        if (!c.IsMap()) {
            error(c, "'correlation' must be a map");
            return false;
        }
        static const std::set<std::string> known{"type",     "rules",     "group-by",
                                                 "timespan", "condition", "aliases",
                                                 "generate", "suppress",  "across_tenants"};
        for (const auto& item : c) {
            if (!known.contains(item.first.Scalar())) {
                error(item.first, "unknown correlation key '" + item.first.Scalar() +
                                      "' (expected type, rules, group-by, timespan, condition, "
                                      "aliases, generate, suppress or across_tenants)");
            }
        }
        read_type(c, rule);
        rule.rules = strings(c, "rules");
        if (rule.rules.empty()) {
            error(c, "missing 'correlation.rules' (the rules to correlate)");
        }
        rule.group_by = strings(c, "group-by");
        if (rule.group_by.empty()) {
            error(c, "missing 'correlation.group-by' (the fields that make a key)");
        }
        rule.timespan_ns = duration(c, "timespan", true);
        if (c["suppress"]) {
            rule.suppress_ns = duration(c, "suppress", false);
        }
        if (const YAML::Node generate = c["generate"]) {
            rule.generate = boolean(generate, "generate");
        }
        if (const YAML::Node across = c["across_tenants"]) {
            rule.across_tenants = boolean(across, "across_tenants");
        }
        read_aliases(c, rule);
        read_condition(c, rule);
        check_type_needs(c, rule);
        rule.fingerprint = fingerprint(rule);
        return !failed_;
    }

    bool read_suppression(const YAML::Node& s, const sigma_rule& detection,
                          const std::string& reference, correlation_rule& rule) {
        rule_id_ = detection.id;
        if (!s.IsMap()) {
            error(s, "'suppress' must be a map {by: [FIELD, ...], for: DURATION}");
            return false;
        }
        for (const auto& item : s) {
            const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
            if (key != "by" && key != "for") {
                error(item.first, "unknown key '" + key + "' in 'suppress' (expected by, for)");
            }
        }
        rule.group_by = strings(s, "by");
        if (rule.group_by.empty()) {
            error(s, "missing 'suppress.by' (the fields whose values make one alert)");
        }
        if (!s["for"]) {
            error(s, "missing 'suppress.for' (how long later matches update the alert, e.g. 1h)");
        } else {
            rule.timespan_ns = duration(s, "for", true);
        }
        rule.id = detection.id;
        rule.title = detection.title;
        rule.status = detection.status;
        rule.description = detection.description;
        rule.author = detection.author;
        rule.level = detection.level;
        rule.tags = detection.tags;
        rule.falsepositives = detection.falsepositives;
        rule.type = correlation_type::event_count;
        rule.rules = {reference};
        rule.condition.gte = 1;
        rule.suppress_ns = rule.timespan_ns;
        rule.suppression = true;
        rule.file = detection.file;
        rule.line = line_of(s);
        rule.fingerprint = "suppress\n" + fingerprint(rule);
        return !failed_;
    }

private:
    void error(const YAML::Node& at, std::string reason) {
        diags_.error(file_, line_of(at), rule_id_, std::move(reason), "correlation");
        failed_ = true;
    }

    std::string text(const YAML::Node& map, const char* key) {
        return optional_string(map, key, errors());
    }
    std::vector<std::string> strings(const YAML::Node& map, const char* key) {
        return string_list(map, key, errors());
    }
    yaml_error errors() {
        return [this](const YAML::Node& at, std::string reason) { error(at, std::move(reason)); };
    }

    bool boolean(const YAML::Node& node, const char* key) {
        if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
            return node.Scalar() == "true";
        }
        error(node, std::string("'") + key + "' must be true or false");
        return false;
    }

    std::int64_t duration(const YAML::Node& map, const char* key, bool required) {
        const YAML::Node node = map[key];
        if (!node) {
            if (required) {
                error(map, std::string("missing 'correlation.") + key + "' (e.g. 10m)");
            }
            return 0;
        }
        if (!node.IsScalar()) {
            error(node, std::string("'") + key + "' must be a duration such as 30s, 10m, 2h, 1d");
            return 0;
        }
        auto parsed = core::parse_duration(node.Scalar());
        if (!parsed || *parsed <= 0) {
            error(node, std::string("'") + key + "': '" + node.Scalar() +
                            "' is not a positive duration such as 30s, 10m, 2h, 1d");
            return 0;
        }
        return *parsed;
    }

    void read_type(const YAML::Node& c, correlation_rule& rule) {
        const std::string name = text(c, "type");
        if (name.empty()) {
            error(c, "missing 'correlation.type'");
            return;
        }
        auto type = correlation_type_from(name);
        if (!type) {
            error(c["type"], "unknown correlation type '" + name +
                                 "' (expected event_count, value_count, temporal, "
                                 "temporal_ordered, value_sum, value_avg, value_percentile, "
                                 "absence or version_behind)");
            return;
        }
        rule.type = *type;
    }

    void read_aliases(const YAML::Node& c, correlation_rule& rule) {
        const YAML::Node node = c["aliases"];
        if (!node) {
            return;
        }
        if (!node.IsMap()) {
            error(node, "'aliases' must be a map: alias -> {rule name: field}");
            return;
        }
        for (const auto& alias : node) {
            if (!alias.second.IsMap()) {
                error(alias.second, "alias '" + alias.first.Scalar() +
                                        "' must be a map of rule name -> field name");
                continue;
            }
            auto& fields = rule.aliases[alias.first.Scalar()];
            for (const auto& entry : alias.second) {
                if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
                    error(entry.second, "alias '" + alias.first.Scalar() + "' for rule '" +
                                            entry.first.Scalar() + "' must name a field");
                    continue;
                }
                fields[entry.first.Scalar()] = entry.second.Scalar();
            }
        }
    }

    void read_condition(const YAML::Node& c, correlation_rule& rule) {
        const YAML::Node node = c["condition"];
        if (!node) {
            return;
        }
        if (!node.IsMap()) {
            error(node, "'condition' must be a map such as {gte: 10}");
            return;
        }
        auto& cond = rule.condition;
        for (const auto& item : node) {
            const std::string key = item.first.Scalar();
            if (key == "field") {
                cond.fields = strings(node, "field");
                continue;
            }
            std::optional<double>* bound = key == "gt"    ? &cond.gt
                                           : key == "gte" ? &cond.gte
                                           : key == "lt"  ? &cond.lt
                                           : key == "lte" ? &cond.lte
                                           : key == "eq"  ? &cond.eq
                                           : key == "neq" ? &cond.neq
                                                          : nullptr;
            if (bound == nullptr) {
                error(item.first, "unknown condition '" + key +
                                      "' (expected gt, gte, lt, lte, eq, neq and field)");
                continue;
            }
            const std::string value = item.second.IsScalar() ? item.second.Scalar() : "";
            double number = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), number);
            if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
                error(item.second, "condition '" + key + "' needs a number, not '" + value + "'");
                continue;
            }
            *bound = number;
        }
    }

    void check_type_needs(const YAML::Node& c, const correlation_rule& rule) {
        const bool needs_field = rule.type == correlation_type::value_count ||
                                 rule.type == correlation_type::value_sum ||
                                 rule.type == correlation_type::value_avg ||
                                 rule.type == correlation_type::value_percentile ||
                                 rule.type == correlation_type::version_behind;
        const bool counted = rule.type != correlation_type::temporal &&
                             rule.type != correlation_type::temporal_ordered &&
                             rule.type != correlation_type::absence &&
                             rule.type != correlation_type::version_behind;
        const std::string type = to_string(rule.type);
        if (needs_field && rule.condition.fields.empty() &&
            rule.type != correlation_type::version_behind) {
            error(c["condition"] ? c["condition"] : c,
                  type + " needs 'condition.field' (the field whose values it counts or sums)");
        }
        if (!needs_field && !rule.condition.fields.empty()) {
            error(c["condition"], type + " takes no 'condition.field'");
        }
        if (counted && rule.condition.empty()) {
            error(c["condition"] ? c["condition"] : c,
                  "missing 'correlation.condition' with gt, gte, lt, lte, eq or neq");
        }
        if (rule.type == correlation_type::absence) {
            if (!rule.condition.empty() || !rule.condition.fields.empty()) {
                error(c["condition"], "absence takes no condition");
            }
            if (rule.rules.size() > 2) {
                error(c["rules"], "absence takes one rule (the key goes silent) or two (the "
                                  "first is not followed by the second)");
            }
        }
        if (rule.type == correlation_type::version_behind) {
            if (!rule.condition.empty()) {
                error(c["condition"], "version_behind takes only 'condition.field' (the "
                                      "version, then the fields naming who reports it)");
            }
            if (rule.suppress_ns <= 0) {
                error(c, "version_behind needs 'suppress' (one alert per key lists the members "
                         "behind; without it members behind at the same time would share an "
                         "alert id)");
            }
            if (rule.condition.fields.size() < 2) {
                error(c["condition"] ? c["condition"] : c,
                      "version_behind needs 'condition.field: [VERSION, "
                      "MEMBER, ...]': the version compared, then the fields "
                      "that name who reports it (e.g. host.name)");
            }
        }
        if (rule.type == correlation_type::temporal_ordered && !rule.condition.empty()) {
            error(c["condition"], "temporal_ordered takes no condition (all rules, in order)");
        }
        if (rule.type == correlation_type::temporal && !rule.condition.empty() &&
            !rule.condition.lower_bounds_only()) {
            error(c["condition"], "a temporal condition counts the rules that matched; only "
                                  "gt and gte are meaningful");
        }
        if ((rule.type == correlation_type::temporal ||
             rule.type == correlation_type::temporal_ordered) &&
            rule.rules.size() < 2) {
            error(c["rules"], type + " needs at least two rules");
        }
    }

    static std::string fingerprint(const correlation_rule& rule) {
        // Everything that shapes window state, in a fixed order; titles and levels do not.
        std::string out = rule.id + '\n' + to_string(rule.type) + '\n';
        for (const auto& r : rule.rules) {
            out += r + ',';
        }
        out += '\n';
        for (const auto& g : rule.group_by) {
            out += g + ',';
        }
        out += '\n';
        for (const auto& [alias, fields] : rule.aliases) {
            out += alias + '{';
            for (const auto& [r, f] : fields) {
                out += r + '=' + f + ',';
            }
            out += '}';
        }
        out += '\n' + std::to_string(rule.timespan_ns) + '\n' + rule.condition.describe() + '\n';
        if (rule.across_tenants) {
            out += "across tenants\n"; // keys without the tenant: other state
        }
        for (const auto& f : rule.condition.fields) {
            out += f + ',';
        }
        return out;
    }

    const std::string& file_;
    core::diagnostics& diags_;
    std::string rule_id_;
    bool failed_ = false;
};

} // namespace

bool read_correlation(const YAML::Node& doc, const std::string& file, core::diagnostics& diags,
                      correlation_rule& out) {
    return correlation_reader(file, diags).read(doc, out);
}

bool read_suppression(const YAML::Node& suppress, const sigma_rule& rule,
                      const std::string& reference, core::diagnostics& diags,
                      correlation_rule& out) {
    return correlation_reader(rule.file, diags).read_suppression(suppress, rule, reference, out);
}

} // namespace vigil::rules
