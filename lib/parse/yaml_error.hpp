#pragma once

#include <string>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

namespace vigil::parse {

// The reason a YAML file (rules, mappings, schemas, config, fixtures) could not be read, as
// every reader's diagnostic gives it. yaml-cpp stops nesting at 2,000 levels with an exception
// whose message says only "bad file"; it is named for what it is.
inline std::string yaml_error_reason(const YAML::Exception& e) {
    if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
        return "invalid YAML: nested more than 2000 levels deep";
    }
    return "invalid YAML: " + e.msg;
}

} // namespace vigil::parse
