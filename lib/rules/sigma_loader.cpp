#include "rules/sigma_loader.hpp"

#include "parse/yaml_reader.hpp"
#include "rules/condition_parser.hpp"
#include "rules/correlation_reader.hpp"
#include "rules/ip_network.hpp"
#include "rules/sigma_value.hpp"
#include "rules/yaml_fields.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;

// Collects the problems of one rule document; the rule is rejected if there is any error.
class document_reader {
public:
    document_reader(core::field_catalog& catalog, const logsource_map* logsources,
                    const std::string& file, core::diagnostics& diags)
        : catalog_(catalog), logsources_(logsources), file_(file), diags_(diags) {}

    bool read(const YAML::Node& doc, sigma_rule& rule) {
        rule.file = file_;
        rule.line = line_of(doc);
        if (!doc.IsMap()) {
            error(doc, "a rule document must be a map, not " + describe_type(doc));
            return false;
        }
        // The id first, so that every later message can name the rule.
        rule.id = optional_string(doc, "id");
        rule_id_ = rule.id;
        if (rule.id.empty()) {
            error(doc, "missing 'id' (every rule needs a unique id)");
        }
        if (doc["action"]) {
            error(doc["action"], "rule collections ('action: " + scalar_text(doc["action"]) +
                                     "') are not supported; write complete rules");
            return false;
        }
        rule.name = optional_string(doc, "name");
        rule.title = optional_string(doc, "title");
        if (rule.title.empty()) {
            error(doc, "missing 'title'");
        }
        rule.status = optional_string(doc, "status");
        rule.description = optional_string(doc, "description");
        rule.author = optional_string(doc, "author");
        read_level(doc, rule);
        rule.tags = string_list(doc, "tags");
        rule.references = string_list(doc, "references");
        rule.falsepositives = string_list(doc, "falsepositives");
        read_logsource(doc, rule);
        read_detection(doc, rule);
        return !failed_;
    }

private:
    void error(const YAML::Node& at, std::string reason) {
        std::string code = reason_code(reason);
        diags_.error(file_, line_of(at), rule_id_, std::move(reason), std::move(code));
        failed_ = true;
    }

    // The kind of problem, for `vigil rules check`'s count of rejections by reason.
    static std::string reason_code(const std::string& reason) {
        static const std::pair<const char*, const char*> codes[] = {
            {"modifier", "modifier"},
            {"'fieldref'", "modifier"},
            {"'expand'", "modifier"},
            {"encodings", "modifier"},
            {"keywords take only", "modifier"},
            {"condition '", "condition"},
            {"correlation rules", "correlation"},
            {"rule collections", "collection"},
            {"'timeframe'", "timeframe"},
            {"missing '", "metadata"},
            {"unknown level", "metadata"},
            {"must be a string", "metadata"},
            {"must be a list of strings", "metadata"},
            {"'logsource'", "metadata"},
            {"a rule may have at most", "limit"}};
        for (const auto& [needle, code] : codes) {
            if (reason.find(needle) != std::string::npos) {
                return code;
            }
        }
        return "value";
    }
    void warning(const YAML::Node& at, std::string reason) {
        diags_.warning(file_, line_of(at), rule_id_, std::move(reason));
    }

    static std::string scalar_text(const YAML::Node& node) {
        return node.IsScalar() ? node.Scalar() : std::string();
    }

    std::string optional_string(const YAML::Node& doc, const char* key) {
        return rules::optional_string(doc, key, errors());
    }
    std::vector<std::string> string_list(const YAML::Node& doc, const char* key) {
        return rules::string_list(doc, key, errors());
    }
    yaml_error errors() {
        return [this](const YAML::Node& at, std::string reason) { error(at, std::move(reason)); };
    }

    void read_level(const YAML::Node& doc, sigma_rule& rule) {
        rule.level = optional_string(doc, "level");
        if (rule.level.empty()) {
            // Warned about at compile time, and only if the rule raises alerts of its own: the
            // rules a correlation refers to carry no level (correlation specification).
            rule.level = "medium";
            rule.level_given = false;
            return;
        }
        if (!is_sigma_level(rule.level)) {
            error(doc["level"],
                  "unknown level '" + rule.level + "' (expected " + sigma_levels_text + ")");
        }
    }

    void read_logsource(const YAML::Node& doc, sigma_rule& rule) {
        const YAML::Node node = doc["logsource"];
        if (!node) {
            return;
        }
        if (!node.IsMap()) {
            error(node, "'logsource' must be a map");
            return;
        }
        rule.source.product = optional_string(node, "product");
        rule.source.category = optional_string(node, "category");
        rule.source.service = optional_string(node, "service");
        if (logsources_ && logsources_->classes_for(rule.source).empty()) {
            std::string described;
            for (const auto& [key, value] :
                 {std::pair<const char*, std::string>{"product", rule.source.product},
                  {"category", rule.source.category},
                  {"service", rule.source.service}}) {
                if (!value.empty()) {
                    described += (described.empty() ? "" : ", ") + std::string(key) + ": " + value;
                }
            }
            diags_.error(file_, line_of(node), rule_id_,
                         "log source (" + described + ") has no mapping in schemas/logsources.yaml",
                         "logsource");
            failed_ = true;
        }
    }

    void read_detection(const YAML::Node& doc, sigma_rule& rule) {
        const YAML::Node detection = doc["detection"];
        if (!detection) {
            error(doc, "missing 'detection'");
            return;
        }
        if (!detection.IsMap()) {
            error(detection, "'detection' must be a map");
            return;
        }
        YAML::Node condition;
        bool has_condition = false;
        for (const auto& item : detection) {
            const std::string name = item.first.Scalar();
            if (name == "condition") {
                condition = item.second;
                has_condition = true;
                continue;
            }
            if (name == "timeframe") {
                error(item.first, "'timeframe' is not supported in detection rules; write a "
                                  "correlation rule with a timespan instead");
                continue;
            }
            search s;
            s.name = name;
            s.line = line_of(item.first);
            read_search(item.second, s);
            rule.searches.push_back(std::move(s));
        }
        const std::size_t values = rule.value_count();
        if (values > sigma_loader::max_values_per_rule) {
            error(detection, "the detection has " + std::to_string(values) +
                                 " values; a rule may have at most " +
                                 std::to_string(sigma_loader::max_values_per_rule) +
                                 " (put long value lists in an IOC list file under rules/lists/)");
        }
        if (!has_condition) {
            error(detection, "missing 'detection.condition'");
            return;
        }
        std::vector<std::string> alternatives;
        if (condition.IsScalar()) {
            alternatives.push_back(condition.Scalar());
        } else if (condition.IsSequence()) {
            for (const auto& c : condition) {
                if (c.IsScalar()) {
                    alternatives.push_back(c.Scalar());
                } else {
                    error(c, "each condition must be a string");
                }
            }
        } else {
            error(condition, "'condition' must be a string or a list of strings");
            return;
        }
        // A list of conditions means any of them (Sigma specification, Condition).
        condition_expr any{condition_expr::kind::any_of, 0, {}};
        for (const auto& text : alternatives) {
            auto parsed = parse_condition(text, rule.searches);
            if (!parsed) {
                error(condition, parsed.error());
                continue;
            }
            any.children.push_back(std::move(*parsed));
        }
        rule.condition =
            any.children.size() == 1 ? std::move(any.children.front()) : std::move(any);
    }

    void read_search(const YAML::Node& node, search& s) {
        if (node.IsMap()) {
            selection_map map;
            read_map(node, map);
            s.maps.push_back(std::move(map));
            return;
        }
        if (node.IsScalar()) {
            s.maps.push_back(keyword_map(node, {node.Scalar()}));
            return;
        }
        if (!node.IsSequence()) {
            error(node, "search identifier '" + s.name + "' must be a map or a list, not " +
                            describe_type(node));
            return;
        }
        if (node.size() == 0) {
            error(node, "search identifier '" + s.name + "' is an empty list");
            return;
        }
        const bool all_maps =
            std::all_of(node.begin(), node.end(), [](const YAML::Node& n) { return n.IsMap(); });
        const bool all_scalars =
            std::all_of(node.begin(), node.end(), [](const YAML::Node& n) { return n.IsScalar(); });
        if (all_scalars) {
            std::vector<std::string> keywords;
            for (const auto& item : node) {
                keywords.push_back(item.Scalar());
            }
            s.maps.push_back(keyword_map(node, std::move(keywords)));
        } else if (all_maps) {
            for (const auto& item : node) {
                selection_map map;
                read_map(item, map);
                s.maps.push_back(std::move(map));
            }
        } else {
            error(node,
                  "search identifier '" + s.name + "' mixes keywords and field maps in one list");
        }
    }

    selection_map keyword_map(const YAML::Node& at, std::vector<std::string> keywords) {
        field_test test;
        test.keywords = true;
        test.field = core::fields::message;
        test.kind = match_kind::contains;
        test.values = std::move(keywords);
        test.line = line_of(at);
        return selection_map{{std::move(test)}};
    }

    void read_map(const YAML::Node& node, selection_map& map) {
        if (node.size() == 0) {
            error(node, "empty selection map");
        }
        for (const auto& item : node) {
            field_test test;
            test.line = line_of(item.first);
            if (read_key(item.first, test)) {
                read_values(item.second, test);
            }
            map.tests.push_back(std::move(test));
        }
    }

    // Reads "field|modifier|modifier" (a key starting with "|" applies modifiers to keywords).
    bool read_key(const YAML::Node& key_node, field_test& test) {
        const std::string key = key_node.Scalar();
        std::vector<std::string> parts;
        std::stringstream stream(key);
        std::string part;
        while (std::getline(stream, part, '|')) {
            parts.push_back(part);
        }
        if (!key.empty() && key.back() == '|') {
            parts.emplace_back();
        }
        bool ok = true;
        test.field_name = parts.empty() ? std::string() : parts.front();
        if (test.field_name.empty()) {
            test.keywords = true; // '|all': keywords with modifiers
            test.field = core::fields::message;
            test.kind = match_kind::contains;
        } else if (auto id = catalog_.find(test.field_name)) {
            test.field = *id;
        } else {
            // A vendor field (Sigma: "use them as they appear in the log source").
            test.field = catalog_.add(test.field_name);
        }
        bool kind_set = false;
        bool after_re = false;
        auto set_kind = [&](match_kind kind, const std::string& name) {
            if (kind_set) {
                error(key_node,
                      "modifier '" + name + "' conflicts with an earlier one in '" + key + "'");
                ok = false;
            }
            kind_set = true;
            test.kind = kind;
        };
        static const std::map<std::string, match_kind> kinds{
            {"contains", match_kind::contains}, {"startswith", match_kind::startswith},
            {"endswith", match_kind::endswith}, {"re", match_kind::regex},
            {"exists", match_kind::exists},     {"cidr", match_kind::cidr}};
        static const std::map<std::string, value_encoding> encodings{
            {"base64", value_encoding::base64},   {"base64offset", value_encoding::base64offset},
            {"utf16le", value_encoding::utf16le}, {"wide", value_encoding::utf16le},
            {"utf16be", value_encoding::utf16be}, {"utf16", value_encoding::utf16},
            {"windash", value_encoding::windash}};
        static const std::map<std::string, compare_op> comparisons{{"lt", compare_op::lt},
                                                                   {"lte", compare_op::lte},
                                                                   {"gt", compare_op::gt},
                                                                   {"gte", compare_op::gte}};
        for (std::size_t i = 1; i < parts.size(); ++i) {
            const std::string& m = parts[i];
            if (auto k = kinds.find(m); k != kinds.end()) {
                set_kind(k->second, m);
                after_re = k->second == match_kind::regex;
            } else if (auto e = encodings.find(m); e != encodings.end()) {
                test.encodings.push_back(e->second);
            } else if (auto c = comparisons.find(m); c != comparisons.end()) {
                set_kind(match_kind::compare, m);
                test.compare = c->second;
            } else if (m == "all") {
                test.all = true;
            } else if (m == "cased") {
                test.cased = true;
            } else if (m == "neq") {
                test.negate = true;
            } else if (m == "expand") {
                test.expand = true;
            } else if (m == "fieldref") {
                test.fieldref = true;
            } else if (after_re && (m == "i" || m == "m" || m == "s")) {
                (m == "i" ? test.regex.caseless
                          : (m == "m" ? test.regex.multiline : test.regex.dotall)) = true;
            } else if (m == "minute" || m == "hour" || m == "day" || m == "week" || m == "month" ||
                       m == "year") {
                error(key_node, "time modifier '" + m + "' in '" + key + "' is not supported");
                ok = false;
            } else if (m.empty()) {
                error(key_node, "empty modifier in '" + key + "'");
                ok = false;
            } else {
                error(key_node, "unsupported modifier '" + m + "' in '" + key + "'");
                ok = false;
            }
        }
        // Combinations that have no meaning.
        const bool encoded = !test.encodings.empty();
        if (encoded && (test.kind == match_kind::regex || test.kind == match_kind::cidr ||
                        test.kind == match_kind::compare || test.kind == match_kind::exists)) {
            error(key_node, "value encodings (base64, utf16, windash) cannot be combined with '" +
                                parts.back() + "' in '" + key + "'");
            ok = false;
        }
        if (test.fieldref && (test.kind == match_kind::regex || test.kind == match_kind::cidr ||
                              test.kind == match_kind::compare || test.kind == match_kind::exists ||
                              encoded || test.expand)) {
            error(key_node, "'fieldref' combines only with contains, startswith, endswith, cased "
                            "and neq, in '" +
                                key + "'");
            ok = false;
        }
        if (test.expand && (test.kind == match_kind::regex || test.kind == match_kind::compare ||
                            test.kind == match_kind::exists)) {
            error(key_node,
                  "'expand' cannot be combined with '" + parts.back() + "' in '" + key + "'");
            ok = false;
        }
        if (test.keywords && (test.kind == match_kind::cidr || test.kind == match_kind::compare ||
                              test.kind == match_kind::exists || test.fieldref)) {
            error(key_node, "keywords take only string modifiers, not '" + key + "'");
            ok = false;
        }
        if (test.kind == match_kind::regex && test.cased) {
            warning(key_node, "'cased' has no effect on 're' (regular expressions are "
                              "case-sensitive unless 're|i')");
        }
        return ok;
    }

    void read_values(const YAML::Node& node, field_test& test) {
        if (test.kind == match_kind::exists) {
            if (!node.IsScalar() || (node.Scalar() != "true" && node.Scalar() != "false")) {
                error(node, "'exists' takes true or false");
                return;
            }
            test.exists = node.Scalar() == "true";
            return;
        }
        if (node.IsNull()) {
            if (test.kind != match_kind::equals || test.all || !test.encodings.empty() ||
                test.fieldref || test.expand) {
                error(node, "null cannot be combined with modifiers");
                return;
            }
            test.kind = match_kind::null;
            return;
        }
        if (node.IsScalar()) {
            test.values.push_back(node.Scalar());
        } else if (node.IsSequence()) {
            if (node.size() == 0) {
                error(node, "empty list of values for '" + test.field_name + "'");
                return;
            }
            for (const auto& item : node) {
                if (item.IsNull()) {
                    error(item, "null cannot be part of a list of values; put it in a "
                                "selection of its own");
                } else if (!item.IsScalar()) {
                    error(item, "values must be strings or numbers, not " + describe_type(item));
                } else {
                    test.values.push_back(item.Scalar());
                }
            }
        } else {
            error(node, "values of '" + test.field_name +
                            "' must be a string, a number or a list, not " + describe_type(node));
            return;
        }
        // Values that must parse as something else, checked here so that the error points at
        // the value.
        for (const auto& v : test.values) {
            if (test.kind == match_kind::cidr && !test.expand && !ip_network::parse(v)) {
                error(node, "'" + v + "' is not an IPv4 or IPv6 address or network");
            } else if (test.kind == match_kind::compare && !parse_number(v)) {
                error(node, "'" + v + "' is not a number (lt, lte, gt, gte compare numbers)");
            } else if (test.fieldref) {
                if (v.empty()) {
                    error(node, "'fieldref' needs a field name");
                    continue;
                }
                auto id = catalog_.find(v);
                test.referenced_fields.push_back(id ? *id : catalog_.add(v));
            } else if (!test.encodings.empty() && has_unescaped_wildcard(v) &&
                       !(test.encodings.size() == 1 &&
                         test.encodings[0] == value_encoding::windash)) {
                error(node, "'" + v + "' has wildcards, which cannot be encoded (base64, utf16)");
            }
        }
    }

    static bool has_unescaped_wildcard(const std::string& v) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] == '\\' && i + 1 < v.size() &&
                (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
                ++i;
            } else if (v[i] == '*' || v[i] == '?') {
                return true;
            }
        }
        return false;
    }

    core::field_catalog& catalog_;
    const logsource_map* logsources_;
    const std::string& file_;
    core::diagnostics& diags_;
    std::string rule_id_;
    bool failed_ = false;
};

} // namespace

namespace {

// Sigma allows custom attributes beside its own keys, so an unknown key at the top of a rule or
// in its logsource is taken as one, unless it is one or two letters from a Sigma key (`levle`,
// `detections`, `falsepositive`, `categroy`): then it is an error, since the rule would
// otherwise silently run without its level, detection or log source.
bool report_misspelt_keys(const YAML::Node& doc, const std::string& file,
                          core::diagnostics& diags) {
    const std::string rule_id =
        doc["id"] && doc["id"].IsScalar() ? doc["id"].Scalar() : std::string();
    bool ok = true;
    auto check = [&](const YAML::Node& map, std::initializer_list<std::string_view> known,
                     std::string_view where) {
        if (!map.IsMap()) {
            return;
        }
        for (const auto& entry : map) {
            const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
            if (std::find(known.begin(), known.end(), key) != known.end()) {
                continue;
            }
            if (auto near = parse::misspelling_of(key, known)) {
                core::diagnostic d;
                d.file = file;
                d.line = line_of(entry.first);
                d.column = entry.first.Mark().column + 1;
                d.rule_id = rule_id;
                d.reason = "unknown key '" + key + "' in " + std::string(where) +
                           " (did you mean '" + std::string(*near) +
                           "'? other unknown keys are taken as custom attributes)";
                d.code = "unknown_key";
                diags.add(std::move(d));
                ok = false;
            }
        }
    };
    check(doc,
          {"title",
           "id",
           "related",
           "name",
           "taxonomy",
           "status",
           "description",
           "license",
           "author",
           "references",
           "date",
           "modified",
           "logsource",
           "detection",
           "fields",
           "falsepositives",
           "level",
           "tags",
           "scope",
           "correlation",
           "generate",
           "action",
           "custom_attributes",
           "suppress"},
          "a rule");
    if (doc["logsource"]) {
        check(doc["logsource"], {"product", "category", "service", "definition"}, "'logsource'");
    }
    return ok;
}

} // namespace

std::vector<fs::path> sigma_loader::rule_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (it->is_directory() && (name == "tests" || name == "lists" || name.starts_with('.'))) {
            it.disable_recursion_pending();
            continue;
        }
        const auto ext = it->path().extension().string();
        if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) {
            files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

load_result sigma_loader::load_directory(const fs::path& dir, core::diagnostics& diags) const {
    return load_directories({dir}, diags);
}

load_result sigma_loader::load_directories(const std::vector<fs::path>& dirs,
                                           core::diagnostics& diags) const {
    load_result result;
    std::set<std::string> seen_ids;
    for (const auto& dir : dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            diags.error(dir.string(), 0, "", "not a directory", "io");
            continue;
        }
        for (const auto& file : rule_files(dir)) {
            load_result one = load_file(file, diags);
            result.files += one.files;
            result.rejected += one.rejected;
            auto keep = [&](auto& rule, auto& into) {
                if (!seen_ids.insert(rule.id).second) {
                    diags.error(rule.file, rule.line, rule.id,
                                "duplicate rule id (another rule file already uses it)",
                                "duplicate");
                    ++result.rejected;
                    return;
                }
                into.push_back(std::move(rule));
            };
            for (auto& rule : one.rules) {
                keep(rule, result.rules);
            }
            for (auto& rule : one.correlations) {
                if (rule.suppression) {
                    result.correlations.push_back(std::move(rule)); // its rule's id, checked
                    continue;
                }
                keep(rule, result.correlations);
            }
        }
    }
    return result;
}

load_result sigma_loader::load_file(const fs::path& file, core::diagnostics& diags) const {
    std::error_code size_error;
    const std::uintmax_t size = fs::file_size(file, size_error);
    if (!size_error && size > max_file_bytes) {
        diags.error(file.string(), 0, "",
                    "the file is " + std::to_string(size) +
                        " bytes; a rule file may have at most " + std::to_string(max_file_bytes) +
                        " (put long value lists in an IOC list file under rules/lists/)",
                    "limit");
        load_result failed;
        failed.files = 1;
        failed.rejected = 1;
        return failed;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        diags.error(file.string(), 0, "", "cannot read the file");
        load_result failed;
        failed.files = 1;
        failed.rejected = 1;
        return failed;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return load_text(buffer.str(), file.string(), diags);
}

load_result sigma_loader::load_text(std::string_view yaml, const std::string& file_name,
                                    core::diagnostics& diags) const {
    load_result result;
    result.files = 1;
    const std::size_t errors_before = diags.error_count();
    auto read = parse::read_yaml_documents(yaml, file_name, diags);
    // A file with a duplicate key is refused whole: which of the two values was meant is not
    // for vigil to guess (a second `condition:` was once silently ignored).
    if (!read || diags.error_count() > errors_before) {
        result.rejected = 1;
        return result;
    }
    const std::vector<YAML::Node>& documents = *read;
    std::set<std::string> seen_ids;
    for (const auto& doc : documents) {
        if (doc.IsNull()) {
            continue; // an empty document, e.g. after a trailing "---"
        }
        if (doc.IsMap() && !report_misspelt_keys(doc, file_name, diags)) {
            ++result.rejected;
            continue;
        }
        if (doc.IsMap() && doc["correlation"]) {
            correlation_rule rule;
            if (!read_correlation(doc, file_name, diags, rule)) {
                ++result.rejected;
            } else if (!seen_ids.insert(rule.id).second) {
                diags.error(file_name, rule.line, rule.id, "duplicate rule id in the same file",
                            "duplicate");
                ++result.rejected;
            } else {
                result.correlations.push_back(std::move(rule));
            }
            continue;
        }
        sigma_rule rule;
        document_reader reader(catalog_, logsources_, file_name, diags);
        if (!reader.read(doc, rule)) {
            ++result.rejected;
            continue;
        }
        if (!seen_ids.insert(rule.id).second) {
            diags.error(file_name, rule.line, rule.id, "duplicate rule id in the same file",
                        "duplicate");
            ++result.rejected;
            continue;
        }
        if (const YAML::Node suppress = doc["suppress"]) {
            // The rule's alerts come from the correlation that suppresses them; the rule feeds
            // it by a name of its own.
            if (rule.name.empty()) {
                rule.name = "suppress:" + rule.id;
            }
            correlation_rule suppression;
            if (!read_suppression(suppress, rule, rule.name, diags, suppression)) {
                ++result.rejected;
                continue;
            }
            result.correlations.push_back(std::move(suppression));
        }
        result.rules.push_back(std::move(rule));
    }
    return result;
}

} // namespace vigil::rules
