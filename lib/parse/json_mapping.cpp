#include "parse/json_mapping.hpp"

#include <algorithm>
#include <yaml-cpp/yaml.h>

namespace vigil::parse {
namespace {

int line_of(const YAML::Node& node) {
    return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
}

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

json_mapping generic_mapping() {
    json_mapping m;
    m.name = "json";
    m.timestamp_path = "@timestamp";
    return m;
}

} // namespace

void json_mapping::add_rename(std::string path, std::string field) {
    renames_[std::move(path)] = std::move(field);
}

void json_mapping::add_prefix(const std::string& prefix, std::string replacement) {
    std::string_view p = prefix;
    if (p.ends_with('.')) {
        p.remove_suffix(1);
    }
    prefixes_.push_back({split_path(p), std::move(replacement)});
}

std::string_view json_mapping::field_name(std::string_view path, std::string& buffer) const {
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

std::string_view json_mapping::field_name_without_spaces(std::string_view path,
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
            buffer.append(path.substr(at));
            return buffer;
        }
    }
    return path;
}

json_mapping_set json_mapping_set::generic_only() {
    json_mapping_set set;
    set.mappings.push_back(generic_mapping());
    return set;
}

json_mapping_set load_json_mappings(const std::filesystem::path& dir, core::diagnostics& diags) {
    json_mapping_set set;
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
        YAML::Node root;
        try {
            root = YAML::LoadFile(name);
        } catch (const YAML::Exception& e) {
            diags.error(name, e.mark.line + 1, "", "invalid YAML: " + e.msg);
            continue;
        }
        if (!root.IsMap() || !root["name"] || !root["detect"] || !root["detect"].IsSequence() ||
            root["detect"].size() == 0) {
            diags.error(name, line_of(root), "",
                        "a mapping needs 'name' and a non-empty list 'detect' of JSON paths");
            continue;
        }
        json_mapping m;
        m.name = root["name"].Scalar();
        if (m.name == "json") {
            diags.error(name, line_of(root["name"]), "", "'json' is the built-in generic mapping");
            continue;
        }
        for (const auto& d : root["detect"]) {
            m.detect.push_back(d.Scalar());
        }
        if (root["timestamp"]) {
            m.timestamp_path = root["timestamp"].Scalar();
        }
        if (root["strip_spaces"]) {
            m.strip_spaces = root["strip_spaces"].Scalar() == "true";
        }
        if (const YAML::Node fields = root["fields"]) {
            for (const auto& f : fields) {
                m.add_rename(f.first.Scalar(), f.second.Scalar());
            }
        }
        if (const YAML::Node prefixes = root["prefixes"]) {
            for (const auto& p : prefixes) {
                m.add_prefix(p.first.Scalar(),
                             p.second.IsNull() ? std::string() : p.second.Scalar());
            }
        }
        set.mappings.push_back(std::move(m));
    }
    set.mappings.push_back(generic_mapping());
    return set;
}

} // namespace vigil::parse
