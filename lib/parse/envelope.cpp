#include "parse/envelope.hpp"

#include "parse/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <yaml-cpp/yaml.h>

namespace vigil::parse {
namespace {

void read_envelope(const YAML::Node& node, const std::string& file, core::diagnostics& diags,
                   std::vector<envelope>& out) {
    const std::size_t errors_before = diags.error_count();
    envelope e;
    e.file = file;
    e.line = line_of(node);
    if (!node.IsMap() || !node["name"]) {
        diags.error(file, e.line, "", "an envelope needs a 'name'");
        return;
    }
    e.name = node["name"].Scalar();
    report_unknown_keys(node, {"name", "detect", "unwrap", "record", "time"}, "an envelope", file,
                        "", diags);
    if (!node["detect"]) {
        diags.error(file, e.line, "", "envelope '" + e.name + "' needs a 'detect'");
    } else {
        read_mapping_conditions(node["detect"], e.detect, file, diags);
    }
    const YAML::Node unwrap = node["unwrap"];
    const YAML::Node record = node["record"];
    if (record && record.IsScalar() && !record.Scalar().empty() && !unwrap) {
        e.record_field = record.Scalar();
        e.record_field_hash = vendor_fields::hash_of(e.record_field);
        if (const YAML::Node time = node["time"]; time && time.IsScalar()) {
            e.time_field = time.Scalar();
            e.time_field_hash = vendor_fields::hash_of(e.time_field);
        }
    } else if (unwrap && unwrap.IsScalar() && !unwrap.Scalar().empty()) {
        e.prefix = unwrap.Scalar();
        if (!e.prefix.ends_with('.')) {
            e.prefix += '.';
        }
    } else if (unwrap && unwrap.IsMap() && unwrap["field"]) {
        report_unknown_keys(unwrap, {"field"}, "'unwrap'", file, "", diags);
        e.prefix_field = unwrap["field"].Scalar();
        e.prefix_field_hash = vendor_fields::hash_of(e.prefix_field);
    } else {
        diags.error(file, unwrap ? line_of(unwrap) : e.line, "",
                    "envelope '" + e.name +
                        "' needs either 'unwrap': a path prefix (\"data.\") or {field: NAME}, "
                        "the field whose value names the prefix; or 'record: NAME', the field "
                        "whose text is the record");
    }
    if (diags.error_count() == errors_before) {
        out.push_back(std::move(e));
    }
}

// The prefix `e` strips from `fields` (without its dot for prefix_field), or nothing.
std::string_view prefix_of(const envelope& e, const vendor_fields& fields) {
    if (!e.record_field.empty()) {
        return {}; // carries a record as text: nothing to rename
    }
    if (!e.prefix_field.empty()) {
        const std::uint32_t i = fields.first(e.prefix_field, e.prefix_field_hash);
        return i == vendor_fields::none ? std::string_view{} : fields.items()[i].value;
    }
    return std::string_view(e.prefix).substr(0, e.prefix.size() - 1);
}

bool under(std::string_view name, std::string_view prefix) {
    return name.size() > prefix.size() + 1 && name.starts_with(prefix) &&
           name[prefix.size()] == '.';
}

} // namespace

envelope_set envelope_set::parse(std::string_view yaml, const std::string& file_name,
                                 core::diagnostics& diags) {
    envelope_set set;
    auto document = read_yaml(yaml, file_name, diags);
    if (!document) {
        return set;
    }
    try {
        const YAML::Node root = *document;
        report_unknown_keys(root, {"envelopes"}, "the envelopes file", file_name, "", diags);
        const YAML::Node list = root.IsMap() ? root["envelopes"] : YAML::Node();
        if (!list || !list.IsSequence()) {
            diags.error(file_name, line_of(root), "", "expected a list 'envelopes'");
            return set;
        }
        for (const auto& node : list) {
            read_envelope(node, file_name, diags, set.items_);
        }
    } catch (const YAML::Exception& e) {
        diags.error(file_name, e.mark.line + 1, "", yaml_error_reason(e));
    }
    return set;
}

envelope_set envelope_set::load(const std::filesystem::path& file, core::diagnostics& diags) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        return {};
    }
    std::ifstream in(file);
    if (!in) {
        diags.error(file.string(), 0, "", "cannot read the file");
        return {};
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return parse(text, file.string(), diags);
}

std::size_t envelope_set::unwrap(vendor_fields& fields, unwrapped_list& unwrapped) const {
    std::size_t count = 0;
    bool progress = true;
    while (progress && count < max_depth) {
        progress = false;
        for (const envelope& e : items_) {
            if (std::find(unwrapped.begin(), unwrapped.begin() + count, &e) !=
                unwrapped.begin() + count) {
                continue;
            }
            const std::string_view prefix = prefix_of(e, fields);
            if (prefix.empty() || !vendor_mapping::all_hold(e.detect, fields)) {
                continue;
            }
            bool renamed = false;
            for (std::size_t i = 0; i < fields.size(); ++i) {
                const std::string_view name = fields.items()[i].name;
                if (under(name, prefix)) {
                    fields.rename(i, name.substr(prefix.size() + 1));
                    renamed = true;
                }
            }
            if (renamed) {
                fields.reindex();
                unwrapped[count++] = &e;
                progress = true;
                break;
            }
        }
    }
    return count;
}

const envelope* envelope_set::carried_record(const vendor_fields& fields,
                                             std::string_view& text) const {
    for (const envelope& e : items_) {
        if (e.record_field.empty()) {
            continue;
        }
        const std::uint32_t i = fields.first(e.record_field, e.record_field_hash);
        if (i != vendor_fields::none && vendor_mapping::all_hold(e.detect, fields)) {
            text = fields.items()[i].value;
            return &e;
        }
    }
    return nullptr;
}

} // namespace vigil::parse
