#include "parse/vendor_mapping.hpp"

#include "core/ascii.hpp"
#include "parse/yaml_reader.hpp"

#include <algorithm>
#include <atomic>
#include <yaml-cpp/yaml.h>

namespace vigil::parse {
namespace {

constexpr std::string_view known_formats[] = {"json", "cef", "leef", "kv", "csv", "syslog"};

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t dot = path.find('.', start);
        if (dot == std::string_view::npos) {
            segments.emplace_back(path.substr(start));
            break;
        }
        segments.emplace_back(path.substr(start, dot - start));
        start = dot + 1;
    }
    return segments;
}

std::vector<std::string> scalars(const YAML::Node& node) {
    std::vector<std::string> out;
    if (!node) {
        return out; // a key that is not there
    }
    if (node.IsSequence()) {
        for (const auto& n : node) {
            out.push_back(n.Scalar());
        }
    } else if (node.IsScalar()) {
        out.push_back(node.Scalar());
    }
    return out;
}

vendor_mapping generic_mapping(std::string_view format) {
    vendor_mapping m;
    m.name = std::string(format);
    m.formats = {std::string(format)};
    if (format == "json") {
        m.timestamp_fields = {"@timestamp"};
    }
    return m;
}

// Reads a `when:` / `detect:` block: {exists: [...], equals: {f: v|[v]}, starts_with: {f: v}},
// or a plain list of fields that must exist.
bool read_conditions_unsorted(const YAML::Node& node, std::vector<vendor_mapping::condition>& out,
                              const std::string& file, core::diagnostics& diags);

} // namespace

// Orders the conditions cheapest first (presence and equality before scans of the text): all
// must hold, so the order changes only the cost.
bool read_mapping_conditions(const YAML::Node& node, std::vector<vendor_mapping::condition>& out,
                             const std::string& file, core::diagnostics& diags) {
    const bool ok = read_conditions_unsorted(node, out, file, diags);
    for (auto& c : out) {
        c.field_hash = vendor_fields::hash_of(c.field);
        for (const std::string_view v : c.values) {
            c.prefilter.add(v);
        }
        if (c.type == vendor_mapping::condition::kind::contains && !c.values.empty()) {
            std::string_view prefix = c.values.front();
            std::string_view suffix = c.values.front();
            for (const std::string_view v : c.values) {
                std::size_t n = 0;
                while (n < prefix.size() && n < v.size() && prefix[n] == v[n]) {
                    ++n;
                }
                prefix = prefix.substr(0, n);
                n = 0;
                while (n < suffix.size() && n < v.size() &&
                       suffix[suffix.size() - 1 - n] == v[v.size() - 1 - n]) {
                    ++n;
                }
                suffix = suffix.substr(suffix.size() - n);
            }
            if (prefix.size() >= 2 && prefix.size() >= suffix.size()) {
                c.common_prefix = std::string(prefix);
            } else if (suffix.size() >= 2) {
                c.common_suffix = std::string(suffix);
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return static_cast<int>(a.type) < static_cast<int>(b.type);
    });
    return ok;
}

namespace {

bool read_conditions_unsorted(const YAML::Node& node, std::vector<vendor_mapping::condition>& out,
                              const std::string& file, core::diagnostics& diags) {
    using kind = vendor_mapping::condition::kind;
    if (node.IsSequence()) {
        for (const auto& f : node) {
            out.push_back({kind::exists, f.Scalar(), 0, {}, {}, {}, {}});
        }
        return true;
    }
    if (!node.IsMap()) {
        diags.error(file, line_of(node), "",
                    "'detect' and 'when' are a list of fields or a map of exists/equals/"
                    "starts_with");
        return false;
    }
    bool ok = true;
    for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        if (key == "exists") {
            for (const auto& f : scalars(entry.second)) {
                out.push_back({kind::exists, f, 0, {}, {}, {}, {}});
            }
        } else if ((key == "equals" || key == "starts_with" || key == "contains") &&
                   entry.second.IsMap()) {
            const kind k = key == "equals"        ? kind::equals
                           : key == "starts_with" ? kind::starts_with
                                                  : kind::contains;
            for (const auto& test : entry.second) {
                out.push_back({k, test.first.Scalar(), 0, scalars(test.second), {}, {}, {}});
            }
        } else {
            diags.error(file, line_of(entry.first), "",
                        "unknown test '" + key + "' (exists, equals, starts_with or contains)");
            ok = false;
        }
    }
    return ok;
}

bool holds(const vendor_mapping::condition& c, const vendor_fields& fields) {
    using kind = vendor_mapping::condition::kind;
    for (std::uint32_t i = fields.first(c.field, c.field_hash); i != vendor_fields::none;
         i = fields.next(i)) {
        const std::string_view value = fields.items()[i].value;
        switch (c.type) {
        case kind::exists:
            return true;
        case kind::equals:
            if (!c.prefilter.may_equal(value)) {
                break;
            }
            for (const auto& v : c.values) {
                if (value == v) {
                    return true;
                }
            }
            break;
        case kind::starts_with:
            if (!c.prefilter.may_start(value)) {
                break;
            }
            for (const auto& v : c.values) {
                if (value.starts_with(v)) {
                    return true;
                }
            }
            break;
        case kind::contains:
            if (!c.common_prefix.empty()) {
                // One search for the shared start, then each value at each place it occurs.
                for (std::size_t at = core::ascii::find(value, c.common_prefix);
                     at != std::string_view::npos;) {
                    const std::string_view rest = value.substr(at);
                    for (const auto& v : c.values) {
                        if (rest.starts_with(v)) {
                            return true;
                        }
                    }
                    const std::size_t next = core::ascii::find(rest.substr(1), c.common_prefix);
                    at = next == std::string_view::npos ? next : at + 1 + next;
                }
                break;
            }
            if (!c.common_suffix.empty()) {
                // One search for the shared end, then each value ending at each place it occurs.
                const std::size_t k = c.common_suffix.size();
                for (std::size_t at = core::ascii::find(value, c.common_suffix);
                     at != std::string_view::npos;) {
                    const std::size_t end = at + k;
                    for (const auto& v : c.values) {
                        if (v.size() <= end && value.substr(end - v.size(), v.size()) == v) {
                            return true;
                        }
                    }
                    const std::size_t next =
                        core::ascii::find(value.substr(at + 1), c.common_suffix);
                    at = next == std::string_view::npos ? next : at + 1 + next;
                }
                break;
            }
            for (const auto& v : c.values) {
                if (core::ascii::find(value, v) != std::string_view::npos) {
                    return true;
                }
            }
            break;
        }
    }
    return false;
}

void read_mapping(const YAML::Node& root, const std::string& file, core::field_catalog& catalog,
                  core::diagnostics& diags, vendor_mapping_set& set) {
    const std::size_t errors_before = diags.error_count();
    if (!root.IsMap() || !root["name"]) {
        diags.error(file, line_of(root), "", "a mapping needs a 'name'");
        return;
    }
    report_unknown_keys(root,
                        {"name", "formats", "detect", "extract", "columns", "timestamp",
                         "strip_spaces", "prefix_case", "unescape", "fields", "prefixes", "set",
                         "translate", "classify", "logsource"},
                        "a mapping", file, "", diags);
    vendor_mapping m;
    m.file = file;
    m.name = root["name"].Scalar();
    for (const auto f : known_formats) {
        if (m.name == f) {
            diags.error(file, line_of(root["name"]), "",
                        "'" + m.name + "' is a built-in generic mapping");
            return;
        }
    }
    m.formats = root["formats"] ? scalars(root["formats"]) : std::vector<std::string>{"json"};
    for (const auto& f : m.formats) {
        if (std::find(std::begin(known_formats), std::end(known_formats), f) ==
            std::end(known_formats)) {
            diags.error(file, line_of(root["formats"]), "",
                        "unknown format '" + f + "' (json, cef, leef, kv, csv or syslog)");
        }
    }
    if (const YAML::Node detect = root["detect"]) {
        read_mapping_conditions(detect, m.detect, file, diags);
    }
    if (m.detect.empty()) {
        diags.error(file, line_of(root), "", "a mapping needs a non-empty 'detect'");
    }
    m.finish_detect();
    if (const YAML::Node extract = root["extract"]) {
        for (const auto& step : extract) {
            report_unknown_keys(step, {"from", "when", "dissect", "kv", "labels"},
                                "an extract step", file, "", diags);
            vendor_mapping::extract_step s;
            s.from = step["from"] ? step["from"].Scalar() : "message";
            s.from_hash = vendor_fields::hash_of(s.from);
            if (step["when"]) {
                read_mapping_conditions(step["when"], s.when, file, diags);
            }
            if (step["dissect"]) {
                auto pattern = dissect_pattern::compile(step["dissect"].Scalar());
                if (!pattern) {
                    diags.error(file, line_of(step["dissect"]), "", pattern.error());
                    continue;
                }
                s.dissect = std::move(*pattern);
                s.first_field_hash = vendor_fields::hash_of(s.dissect->first_field());
            } else if (step["kv"]) {
                s.key_value = true;
            } else if (const YAML::Node labels = step["labels"]) {
                report_unknown_keys(labels, {"prefix"}, "'labels'", file, "", diags);
                s.labels_prefix = labels["prefix"] ? labels["prefix"].Scalar() : std::string();
            } else {
                diags.error(file, line_of(step), "",
                            "an extract step needs 'dissect', 'kv' or 'labels'");
                continue;
            }
            m.extract.push_back(std::move(s));
        }
    }
    if (const YAML::Node columns = root["columns"]) {
        report_unknown_keys(columns, {"select", "layouts"}, "'columns'", file, "", diags);
        vendor_mapping::column_layouts c;
        c.select = columns["select"] ? columns["select"].as<std::size_t>(0) : 0;
        if (const YAML::Node layouts = columns["layouts"]; layouts && layouts.IsMap()) {
            for (const auto& l : layouts) {
                c.layouts[l.first.Scalar()] = scalars(l.second);
            }
        } else {
            diags.error(file, line_of(columns), "", "'columns' needs 'layouts'");
        }
        m.columns = std::move(c);
    }
    if (const YAML::Node ts = root["timestamp"]) {
        if (ts.IsMap()) {
            report_unknown_keys(ts, {"field", "fields", "format"}, "'timestamp'", file, "", diags);
            m.timestamp_fields = scalars(ts["fields"] ? ts["fields"] : ts["field"]);
            if (ts["format"]) {
                auto format = time_pattern::compile(ts["format"].Scalar());
                if (!format) {
                    diags.error(file, line_of(ts["format"]), "", format.error());
                } else {
                    m.timestamp_format = std::move(*format);
                }
            }
        } else {
            m.timestamp_fields = {ts.Scalar()};
        }
    }
    if (root["strip_spaces"]) {
        m.strip_spaces = root["strip_spaces"].Scalar() == "true";
    }
    if (const YAML::Node pc = root["prefix_case"]) {
        if (pc.Scalar() == "upper_first") {
            m.prefix_upper_first = true;
        } else if (pc.Scalar() != "as_is") {
            diags.error(file, line_of(pc), "",
                        "unknown prefix_case '" + pc.Scalar() + "' (upper_first or as_is)");
        }
    }
    m.unescape = scalars(root["unescape"]);
    auto target = [&](const std::string& name) {
        if (!catalog.find(name)) {
            catalog.add(name);
        }
    };
    if (const YAML::Node fields = root["fields"]) {
        for (const auto& f : fields) {
            m.add_rename(f.first.Scalar(), f.second.Scalar());
            target(f.second.Scalar());
        }
    }
    if (const YAML::Node prefixes = root["prefixes"]) {
        for (const auto& p : prefixes) {
            m.add_prefix(p.first.Scalar(), p.second.IsNull() ? std::string() : p.second.Scalar());
        }
    }
    if (const YAML::Node constants = root["set"]) {
        for (const auto& c : constants) {
            m.constants.emplace_back(c.first.Scalar(), c.second.Scalar());
            target(c.first.Scalar());
        }
    }
    if (const YAML::Node translate = root["translate"]) {
        for (const auto& t : translate) {
            report_unknown_keys(t, {"from", "to", "values", "otherwise"}, "a translation", file, "",
                                diags);
            if (!t["from"] || !t["to"] || !t["values"] || !t["values"].IsMap()) {
                diags.error(file, line_of(t), "",
                            "a translation needs 'from', 'to' and a map 'values'");
                continue;
            }
            vendor_mapping::translation tr;
            tr.from = t["from"].Scalar();
            tr.to = t["to"].Scalar();
            for (const auto& v : t["values"]) {
                tr.values[v.first.Scalar()] = v.second.Scalar();
            }
            if (t["otherwise"]) {
                tr.otherwise = t["otherwise"].Scalar();
            }
            target(tr.to);
            m.translations.push_back(std::move(tr));
        }
    }
    if (const YAML::Node classify = root["classify"]) {
        for (const auto& item : classify) {
            report_unknown_keys(item, {"when", "set"}, "a classify case", file, "", diags);
            vendor_mapping::classification c;
            if (item["when"]) {
                read_mapping_conditions(item["when"], c.when, file, diags);
            }
            if (!item["set"] || !item["set"].IsMap()) {
                diags.error(file, line_of(item), "", "a classify case needs a map 'set'");
                continue;
            }
            for (const auto& kv : item["set"]) {
                c.constants.emplace_back(kv.first.Scalar(), kv.second.Scalar());
                target(kv.first.Scalar());
            }
            m.classify.push_back(std::move(c));
        }
    }
    if (const YAML::Node ls = root["logsource"]) {
        report_unknown_keys(ls, {"product", "category", "service"}, "'logsource'", file, "", diags);
        vendor_mapping::sigma_logsource l;
        l.products = scalars(ls["product"]);
        l.categories = scalars(ls["category"]);
        l.services = scalars(ls["service"]);
        m.logsource = std::move(l);
    }
    if (diags.error_count() == errors_before) {
        set.mappings.push_back(std::move(m));
    }
}

void add_generic_mappings(vendor_mapping_set& set) {
    for (const auto f : known_formats) {
        set.mappings.push_back(generic_mapping(f));
    }
    set.build_index();
}

} // namespace

bool vendor_mapping::reads(std::string_view format) const {
    return std::find(formats.begin(), formats.end(), format) != formats.end();
}

bool vendor_mapping::all_hold(const std::vector<condition>& conditions,
                              const vendor_fields& fields) {
    return std::all_of(conditions.begin(), conditions.end(),
                       [&](const condition& c) { return holds(c, fields); });
}

void vendor_mapping::finish_detect() {
    detect_names = {};
    for (const auto& c : detect) {
        detect_names.add(c.field_hash);
    }
}

void vendor_mapping::add_rename(std::string path, std::string field) {
    renames_[std::move(path)] = std::move(field);
}

void vendor_mapping::add_prefix(const std::string& prefix, std::string replacement) {
    std::string_view p = prefix;
    if (p.ends_with('.')) {
        p.remove_suffix(1);
    }
    prefixes_.push_back({split_path(p), std::move(replacement)});
}

std::string_view vendor_mapping::field_name(std::string_view path, std::string& buffer) const {
    if (auto it = renames_.find(path); it != renames_.end()) {
        return it->second;
    }
    if (strip_spaces && path.find(' ') != std::string_view::npos) {
        std::string stripped;
        for (char c : path) {
            if (c != ' ') {
                stripped += c;
            }
        }
        const std::string_view named = field_name_without_spaces(stripped, buffer);
        if (named.data() != buffer.data()) {
            buffer.assign(named); // `stripped` dies here
        }
        return buffer;
    }
    return field_name_without_spaces(path, buffer);
}

std::string_view vendor_mapping::field_name_without_spaces(std::string_view path,
                                                           std::string& buffer) const {
    if (auto it = renames_.find(path); it != renames_.end()) {
        return it->second;
    }
    for (const auto& rule : prefixes_) {
        std::size_t at = 0;
        bool matched = true;
        for (const auto& segment : rule.segments) {
            const std::size_t dot = path.find('.', at);
            if (dot == std::string_view::npos) {
                matched = false; // the prefix must leave at least one segment
                break;
            }
            if (segment != "*" && path.substr(at, dot - at) != segment) {
                matched = false;
                break;
            }
            at = dot + 1;
        }
        if (matched) {
            buffer.assign(rule.replacement);
            const std::size_t rest = buffer.size();
            buffer.append(path.substr(at));
            if (prefix_upper_first && rest < buffer.size()) {
                buffer[rest] = core::ascii::to_upper(buffer[rest]);
            }
            return buffer;
        }
    }
    return path;
}

bool vendor_mapping::unescapes(std::string_view path) const {
    return std::any_of(unescape.begin(), unescape.end(),
                       [&](const std::string& prefix) { return path.starts_with(prefix); });
}

vendor_mapping_set vendor_mapping_set::generic_only() {
    vendor_mapping_set set;
    add_generic_mappings(set);
    return set;
}

const vendor_mapping* vendor_mapping_set::find(std::string_view name) const {
    for (const auto& m : mappings) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

void vendor_mapping_set::build_index() {
    static std::atomic<std::uint64_t> built{0};
    identity_ = ++built;
    by_format_.clear();
    for (const auto f : known_formats) {
        format_index index{std::string(f), {}, mappings.size() - 1};
        for (std::size_t i = 0; i < mappings.size(); ++i) {
            if (mappings[i].reads(f) && !mappings[i].detect.empty()) {
                index.detectors.push_back({mappings[i].detect_names, i});
            }
        }
        // The generic mapping of the format (unreachable: the last, when there is none).
        for (std::size_t i = 0; i < mappings.size(); ++i) {
            if (mappings[i].detect.empty() && mappings[i].name == f) {
                index.generic = i;
                break;
            }
        }
        by_format_.push_back(std::move(index));
    }
}

const vendor_mapping_set::format_index*
vendor_mapping_set::of_format(std::string_view format) const {
    for (const auto& index : by_format_) {
        if (index.format == format) {
            return &index;
        }
    }
    return nullptr;
}

const vendor_mapping* vendor_mapping_set::detect(std::string_view format,
                                                 const vendor_fields& fields) const {
    if (const format_index* index = of_format(format)) {
        const vendor_fields::name_filter& names = fields.names();
        for (const detector& d : index->detectors) {
            if (names.may_have(d.names) &&
                vendor_mapping::all_hold(mappings[d.index].detect, fields)) {
                return &mappings[d.index];
            }
        }
    }
    return nullptr;
}

const vendor_mapping& vendor_mapping_set::choose(std::string_view format,
                                                 const vendor_fields& fields) const {
    if (const vendor_mapping* m = detect(format, fields)) {
        return *m;
    }
    if (const format_index* index = of_format(format)) {
        return mappings[index->generic];
    }
    for (const auto& m : mappings) { // a set whose index was not built
        if (m.detect.empty() && m.name == format) {
            return m;
        }
    }
    return mappings.back();
}

vendor_mapping_set parse_vendor_mapping(std::string_view yaml, const std::string& file_name,
                                        core::field_catalog& catalog, core::diagnostics& diags) {
    vendor_mapping_set set;
    if (auto root = read_yaml(yaml, file_name, diags)) {
        try {
            read_mapping(*root, file_name, catalog, diags, set);
        } catch (const YAML::Exception& e) {
            diags.error(file_name, e.mark.line + 1, "", yaml_error_reason(e));
        }
    }
    add_generic_mappings(set);
    return set;
}

vendor_mapping_set load_vendor_mappings(const std::filesystem::path& dir,
                                        core::field_catalog& catalog, core::diagnostics& diags) {
    vendor_mapping_set set;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(dir, ec)) {
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            const auto ext = entry.path().extension();
            if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const std::string name = file.string();
        if (auto root = read_yaml_file(name, diags)) {
            try {
                read_mapping(*root, name, catalog, diags, set);
            } catch (const YAML::Exception& e) {
                diags.error(name, e.mark.line + 1, "", yaml_error_reason(e));
            }
        }
    }
    add_generic_mappings(set);
    return set;
}

} // namespace vigil::parse
