#include "command_line.hpp"

namespace vigil::daemon {

std::optional<std::string> command_line::parse(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (!arg.starts_with("--") || arg == "--") {
            positional_.emplace_back(arg);
            continue;
        }
        std::string name(arg.substr(2));
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (flags_.contains(name)) {
            if (inline_value) {
                return "option --" + name + " takes no value";
            }
            set_flags_.insert(name);
        } else if (with_value_.contains(name)) {
            if (inline_value) {
                values_[name] = *inline_value;
            } else if (i + 1 < argc) {
                values_[name] = argv[++i];
            } else {
                return "option --" + name + " needs a value";
            }
        } else {
            return "unknown option --" + name;
        }
    }
    return std::nullopt;
}

std::optional<std::string> command_line::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) {
        return std::nullopt;
    }
    return it->second;
}

} // namespace vigil::daemon
