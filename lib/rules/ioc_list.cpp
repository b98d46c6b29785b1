#include "rules/ioc_list.hpp"

#include "rules/ioc_feed.hpp"
#include "rules/ip_network.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace vigil::rules {

ioc_lists ioc_lists::load(const std::filesystem::path& dir, core::diagnostics& diags) {
    ioc_lists out;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return out;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".txt") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    for (const auto& file : files) {
        ioc_feed plain;
        plain.name = file.stem().string();
        plain.file = file;
        out.lists_[plain.name] = {plain.name, file.string(), read_feed(plain, now_ns, diags)};
    }
    // Feeds in their published formats (rules/lists/feeds.yaml).
    for (const ioc_feed& feed : read_feed_list(dir, diags)) {
        if (out.lists_.contains(feed.name)) {
            diags.error((dir / "feeds.yaml").string(), feed.line, "",
                        "feed '" + feed.name + "': a list of that name exists already (" +
                            out.lists_[feed.name].file + ")");
            continue;
        }
        out.lists_[feed.name] = {feed.name, feed.file.string(), read_feed(feed, now_ns, diags)};
    }
    return out;
}

const ioc_list* ioc_lists::find(const std::string& name) const {
    auto it = lists_.find(name);
    return it == lists_.end() ? nullptr : &it->second;
}

std::size_t ioc_lists::entries() const {
    std::size_t n = 0;
    for (const auto& [name, list] : lists_) {
        n += list.values.size();
    }
    return n;
}

ioc_kind classify_ioc(const std::string& value) {
    if (ip_network::parse(value)) {
        return ioc_kind::network;
    }
    // A domain: labels of letters, digits, '-' and '_' separated by dots, with a letter in the
    // last label (so that "1.2.3" or a version number is not one).
    const std::string_view v =
        value.starts_with("*.") ? std::string_view(value).substr(2) : std::string_view(value);
    if (v.find('.') == std::string_view::npos || v.front() == '.' || v.back() == '.') {
        return ioc_kind::exact;
    }
    for (char c : v) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
            return ioc_kind::exact;
        }
    }
    const std::string_view tld = v.substr(v.rfind('.') + 1);
    const bool has_letter = std::any_of(
        tld.begin(), tld.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    return has_letter ? ioc_kind::domain : ioc_kind::exact;
}

} // namespace vigil::rules
