#include "rules/yaml_fields.hpp"

#include "parse/yaml_reader.hpp"

#include <algorithm>
#include <array>

namespace vigil::rules {

int line_of(const YAML::Node& node) {
    return parse::line_of(node);
}

std::string describe_type(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Null:
        return "null";
    case YAML::NodeType::Scalar:
        return "a string";
    default:
        return "nothing";
    }
}

std::string optional_string(const YAML::Node& map, const char* key, const yaml_error& error) {
    const YAML::Node node = map[key];
    if (!node || node.IsNull()) {
        return {};
    }
    if (!node.IsScalar()) {
        error(node, std::string("'") + key + "' must be a string, not " + describe_type(node));
        return {};
    }
    return node.Scalar();
}

std::vector<std::string> string_list(const YAML::Node& map, const char* key,
                                     const yaml_error& error) {
    std::vector<std::string> out;
    const YAML::Node node = map[key];
    if (!node || node.IsNull()) {
        return out;
    }
    if (node.IsScalar()) {
        out.push_back(node.Scalar());
        return out;
    }
    if (!node.IsSequence()) {
        error(node, std::string("'") + key + "' must be a list of strings");
        return out;
    }
    for (const auto& item : node) {
        if (!item.IsScalar()) {
            error(item, std::string("'") + key + "' must be a list of strings");
            continue;
        }
        out.push_back(item.Scalar());
    }
    return out;
}

std::optional<int> sigma_level_rank(std::string_view level) {
    static constexpr std::array<std::string_view, 5> levels{"informational", "low", "medium",
                                                            "high", "critical"};
    const auto* it = std::find(levels.begin(), levels.end(), level);
    return it == levels.end() ? std::nullopt : std::optional<int>(int(it - levels.begin()));
}

bool is_sigma_level(std::string_view level) {
    return sigma_level_rank(level).has_value();
}

bool is_sigma_status(std::string_view status) {
    static constexpr std::array<std::string_view, 5> statuses{"stable", "test", "experimental",
                                                              "deprecated", "unsupported"};
    return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

} // namespace vigil::rules
