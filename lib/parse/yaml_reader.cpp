#include "parse/yaml_reader.hpp"

#include <fstream>
#include <sstream>
#include <unordered_map>
#include <yaml-cpp/depthguard.h>

namespace vigil::parse {

namespace {

// Nodes looked at for duplicate keys, at most: aliases share nodes, and a document of nested
// aliases ("billion laughs") would otherwise be walked for ever.
constexpr std::size_t max_nodes_checked = 1'000'000;

void report_duplicate_keys(const YAML::Node& root, const std::string& file,
                           core::diagnostics& diags) {
    std::vector<YAML::Node> pending{root};
    std::size_t checked = 0;
    while (!pending.empty() && checked < max_nodes_checked) {
        const YAML::Node node = pending.back();
        pending.pop_back();
        ++checked;
        if (node.IsSequence()) {
            for (const auto& item : node) {
                pending.push_back(item);
            }
        } else if (node.IsMap()) {
            std::unordered_map<std::string, int> first_line;
            for (const auto& entry : node) {
                if (entry.first.IsScalar()) {
                    const auto mark = entry.first.Mark();
                    auto [at, inserted] = first_line.emplace(entry.first.Scalar(), mark.line + 1);
                    if (!inserted) {
                        core::diagnostic d;
                        d.file = file;
                        d.line = mark.line + 1;
                        d.column = mark.column + 1;
                        d.reason = "duplicate key '" + entry.first.Scalar() + "' (first at line " +
                                   std::to_string(at->second) + ")";
                        d.code = "duplicate_key";
                        diags.add(std::move(d));
                    }
                }
                pending.push_back(entry.second);
            }
        }
    }
}

} // namespace

std::string yaml_error_reason(const YAML::Exception& e) {
    if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
        return "invalid YAML: nested more than 2000 levels deep";
    }
    return "invalid YAML: " + e.msg;
}

std::optional<std::vector<YAML::Node>>
read_yaml_documents(std::string_view text, const std::string& file, core::diagnostics& diags) {
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(std::string(text));
    } catch (const YAML::Exception& e) {
        core::diagnostic d;
        d.file = file;
        d.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        d.column = e.mark.line >= 0 && e.mark.column >= 0 ? e.mark.column + 1 : 0;
        d.reason = yaml_error_reason(e);
        d.code = "yaml";
        diags.add(std::move(d));
        return std::nullopt;
    }
    for (const auto& doc : documents) {
        report_duplicate_keys(doc, file, diags);
    }
    return documents;
}

std::optional<YAML::Node> read_yaml(std::string_view text, const std::string& file,
                                    core::diagnostics& diags) {
    auto documents = read_yaml_documents(text, file, diags);
    if (!documents) {
        return std::nullopt;
    }
    return documents->empty() ? YAML::Node() : documents->front();
}

std::optional<YAML::Node> read_yaml_file(const std::string& file, core::diagnostics& diags) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    if (in) {
        text << in.rdbuf();
    }
    if (!in || in.bad()) {
        diags.error(file, 0, "", "cannot read the file", "io");
        return std::nullopt;
    }
    return read_yaml(text.str(), file, diags);
}

} // namespace vigil::parse
