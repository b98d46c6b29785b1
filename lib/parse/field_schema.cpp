#include "parse/field_schema.hpp"

#include "parse/yaml_reader.hpp"

#include <fstream>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace vigil::parse {

namespace {

void read_fields(const YAML::Node& root, const std::string& file_name, core::diagnostics& diags,
                 core::field_catalog& fields) {
    auto* catalog = &fields;
    report_unknown_keys(root, {"fields"}, "the field schema", file_name, "", diags);
    const YAML::Node list = root["fields"];
    if (!list || !list.IsSequence()) {
        diags.error(file_name, line_of(root), "", "expected a list under 'fields'");
        return;
    }
    std::size_t index = 0;
    for (const auto& item : list) {
        const int line = line_of(item);
        if (!item.IsMap() || !item["name"] || !item["name"].IsScalar()) {
            diags.error(file_name, line, "", "each field needs a 'name'");
            ++index;
            continue;
        }
        const std::string name = item["name"].Scalar();
        report_unknown_keys(item, {"name", "type", "values", "evidence", "aliases"}, "a field",
                            file_name, "", diags);
        core::field_type type = core::field_type::string;
        if (item["type"]) {
            auto parsed = core::parse_field_type(item["type"].Scalar());
            if (!parsed) {
                diags.error(file_name, line, "",
                            "field '" + name + "': unknown type '" + item["type"].Scalar() +
                                "' (string, integer, number, ip, port, timestamp, hash, boolean)");
            } else {
                type = *parsed;
            }
        }
        if (index < core::fields::builtin_count &&
            catalog->name(static_cast<core::field_id>(index)) != name) {
            diags.error(file_name, line, "",
                        "the built-in syslog fields must come first, in order: expected '" +
                            std::string(catalog->name(static_cast<core::field_id>(index))) +
                            "' here, found '" + name + "'");
        }
        if (auto existing = catalog->find(name);
            existing && *existing >= core::fields::builtin_count) {
            diags.error(file_name, line, "", "field '" + name + "' is defined twice");
        }
        const core::field_id id = catalog->add(name, type);
        if (const YAML::Node values = item["values"]) {
            if (values.IsScalar() && (values.Scalar() == "few" || values.Scalar() == "many")) {
                catalog->set_few_values(id, values.Scalar() == "few");
            } else {
                diags.error(file_name, line_of(values), "",
                            "field '" + name + "': 'values' is 'few' or 'many'");
            }
        }
        if (const YAML::Node evidence = item["evidence"]) {
            if (evidence.IsScalar() &&
                (evidence.Scalar() == "true" || evidence.Scalar() == "false")) {
                catalog->set_evidence(id, evidence.Scalar() == "true");
            } else {
                diags.error(file_name, line_of(evidence), "",
                            "field '" + name + "': 'evidence' is true or false");
            }
        }
        if (const YAML::Node aliases = item["aliases"]) {
            for (const auto& alias : aliases) {
                if (!catalog->add_alias(alias.Scalar(), id)) {
                    diags.error(
                        file_name, line_of(alias), "",
                        "alias '" + alias.Scalar() + "' of '" + name + "' already names field '" +
                            std::string(catalog->name(*catalog->find(alias.Scalar()))) + "'");
                }
            }
        }
        ++index;
    }
}

} // namespace

std::shared_ptr<core::field_catalog>
parse_field_catalog(std::string_view yaml, const std::string& file_name, core::diagnostics& diags) {
    auto catalog = std::make_shared<core::field_catalog>();
    auto document = read_yaml(yaml, file_name, diags);
    if (!document) {
        return catalog;
    }
    try {
        read_fields(*document, file_name, diags, *catalog);
    } catch (const YAML::Exception& e) {
        // A node of the wrong kind where a map or list belongs.
        diags.error(file_name, e.mark.line + 1, "", yaml_error_reason(e));
    }
    return catalog;
}

std::shared_ptr<core::field_catalog> load_field_catalog(const std::filesystem::path& file,
                                                        core::diagnostics& diags) {
    std::ifstream in(file);
    if (!in) {
        diags.error(file.string(), 0, "", "cannot read the field schema");
        return std::make_shared<core::field_catalog>();
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse_field_catalog(buffer.str(), file.string(), diags);
}

} // namespace vigil::parse
