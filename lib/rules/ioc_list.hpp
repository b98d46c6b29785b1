#pragma once

#include "core/diagnostic.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vigil::rules {

// One IOC list: rules/lists/<name>.txt, one value per line, '#' starts a comment, or a feed in
// its published format declared in rules/lists/feeds.yaml (ioc_feed.hpp). Rules use it
// through an `expand` placeholder (`DestinationIp|expand: '%c2_ips%'`). Entries are matched
// by what they are: an IP address or CIDR network by prefix, a domain name by domain suffix
// (evil.example matches a.evil.example), anything else (hashes, user names) exactly.
struct ioc_list {
    std::string name;
    std::string file;
    std::vector<std::string> values;
};

// Every list of a rules directory, by name. Loaded with the rules and reloaded with them.
class ioc_lists {
public:
    [[nodiscard]] static ioc_lists load(const std::filesystem::path& dir, core::diagnostics& diags);
    [[nodiscard]] const ioc_list* find(const std::string& name) const;
    [[nodiscard]] std::size_t size() const { return lists_.size(); }
    [[nodiscard]] std::size_t entries() const;

private:
    std::map<std::string, ioc_list> lists_;
};

// How an IOC entry is matched.
enum class ioc_kind { network, domain, exact };
[[nodiscard]] ioc_kind classify_ioc(const std::string& value);

} // namespace vigil::rules
