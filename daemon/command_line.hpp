#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::daemon {

// A small parser for "--name value", "--name=value" and "--flag" options plus positional
// arguments, shared by vigild and vigil. Unknown options are errors, so a typo never passes
// silently.
class command_line {
public:
    // `with_value` and `flags` name the accepted options (without "--").
    command_line(std::set<std::string> with_value, std::set<std::string> flags)
        : with_value_(std::move(with_value)), flags_(std::move(flags)) {}

    // Parses argv[first..]; returns an error message or nothing.
    [[nodiscard]] std::optional<std::string> parse(int argc, char** argv, int first);

    [[nodiscard]] std::optional<std::string> value(const std::string& name) const;
    [[nodiscard]] bool flag(const std::string& name) const { return set_flags_.contains(name); }
    [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }

private:
    std::set<std::string> with_value_;
    std::set<std::string> flags_;
    std::map<std::string, std::string> values_;
    std::set<std::string> set_flags_;
    std::vector<std::string> positional_;
};

} // namespace vigil::daemon
