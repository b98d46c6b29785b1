#include "rules/ioc_feed.hpp"

#include "core/arena.hpp"
#include "parse/csv_parser.hpp"
#include "parse/syslog_timestamp.hpp"
#include "parse/vendor_fields.hpp"
#include "parse/yaml_reader.hpp"
#include "rules/yaml_fields.hpp"

#include <algorithm>
#include <fstream>
#include <simdjson.h>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace vigil::rules {
namespace {

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::optional<std::string> read_text(const std::filesystem::path& file, core::diagnostics& diags) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        diags.error(file.string(), 0, "", "cannot read the IOC feed");
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The fields of one CSV line, split by the parser vigil reads CSV records with.
std::vector<std::string> csv_fields(std::string_view line) {
    parse::vendor_fields columns;
    core::arena scratch;
    (void)parse::csv_parser{}.parse(line, columns, scratch);
    std::vector<std::string> out;
    for (const auto& c : columns.items()) {
        out.push_back(trim(c.value));
    }
    return out;
}

std::vector<std::string> read_plain(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.resize(hash);
        }
        if (std::string v = trim(line); !v.empty()) {
            out.push_back(std::move(v));
        }
    }
    return out;
}

std::vector<std::string> read_csv(const ioc_feed& feed, const std::string& text,
                                  core::diagnostics& diags) {
    std::vector<std::string> out;
    const std::string file = feed.file.string();
    // A number names a position; a name is looked up in the header.
    std::optional<std::size_t> index;
    if (!feed.column.empty() && std::all_of(feed.column.begin(), feed.column.end(),
                                            [](char c) { return c >= '0' && c <= '9'; })) {
        index = std::stoul(feed.column) - 1;
    }
    std::istringstream in(text);
    std::string last_comment;
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (trim(line).empty()) {
            continue;
        }
        if (line.front() == '#') {
            last_comment = trim(std::string_view(line).substr(1));
            continue;
        }
        const std::vector<std::string> fields = csv_fields(line);
        if (!index) {
            // The header: this line, or the comment line just before the data.
            auto find_in =
                [&](const std::vector<std::string>& header) -> std::optional<std::size_t> {
                const auto it = std::find(header.begin(), header.end(), feed.column);
                return it == header.end()
                           ? std::nullopt
                           : std::optional(static_cast<std::size_t>(it - header.begin()));
            };
            if (auto at = find_in(fields)) {
                index = at;
                continue; // the header is not data
            }
            if (auto at = find_in(csv_fields(last_comment))) {
                index = at;
            } else {
                diags.error(file, line_no, "",
                            "no column named '" + feed.column + "' in the CSV header");
                return {};
            }
        }
        if (*index >= fields.size()) {
            diags.warning(file, line_no, "",
                          "IOC feed line has no column " + std::to_string(*index + 1) +
                              ": skipped");
            continue;
        }
        if (!fields[*index].empty()) {
            out.push_back(fields[*index]);
        }
    }
    return out;
}

// The values a STIX pattern compares an observable to for equality:
// "[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'evil.example']".
std::vector<std::pair<std::string, std::string>> stix_comparisons(std::string_view pattern) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t at = 0;
    while ((at = pattern.find('[', at)) != std::string_view::npos) {
        const std::size_t colon = pattern.find(':', at);
        const std::size_t eq = pattern.find('=', at);
        // The value's quote follows the '=' (a hash property is quoted too: hashes.'SHA-256').
        const std::size_t quote = eq == std::string_view::npos ? eq : pattern.find('\'', eq);
        const std::size_t close = pattern.find(']', at);
        if (colon == std::string_view::npos || eq == std::string_view::npos ||
            quote == std::string_view::npos || close == std::string_view::npos || eq > close ||
            colon > eq || std::string_view("!<>").find(pattern[eq - 1]) != std::string_view::npos) {
            ++at;
            continue;
        }
        std::string object(trim(pattern.substr(at + 1, colon - at - 1)));
        std::string property(trim(pattern.substr(colon + 1, eq - colon - 1)));
        std::string value;
        std::size_t i = quote + 1;
        for (; i < pattern.size(); ++i) {
            if (pattern[i] == '\\' && i + 1 < pattern.size()) {
                value += pattern[++i];
            } else if (pattern[i] == '\'') {
                break;
            } else {
                value += pattern[i];
            }
        }
        if (property == "value" || property.starts_with("hashes.")) {
            out.emplace_back(object, std::move(value));
        }
        at = i;
    }
    return out;
}

// Reads an optional member into `out`, leaving it as it is when absent or of another type.
template <typename T>
void read_optional(simdjson::simdjson_result<simdjson::dom::element> member, T& out) {
    T value{};
    if (member.get(value) == simdjson::SUCCESS) {
        out = value;
    }
}

std::optional<std::int64_t> rfc3339_ns(std::string_view text) {
    if (auto t = parse::read_rfc3339(text)) {
        return t->unix_ns;
    }
    return std::nullopt;
}

std::vector<std::string> read_stix(const ioc_feed& feed, simdjson::dom::element doc,
                                   std::int64_t now_ns, core::diagnostics& diags) {
    std::vector<std::string> out;
    const std::string file = feed.file.string();
    simdjson::dom::array objects;
    if (doc["objects"].get(objects)) {
        diags.error(file, 0, "", "a STIX bundle needs an 'objects' array");
        return out;
    }
    std::size_t position = 0;
    for (simdjson::dom::element object : objects) {
        ++position;
        std::string_view type, pattern, pattern_type = "stix", valid_until, id;
        read_optional(object["type"], type);
        if (type != "indicator") {
            continue;
        }
        read_optional(object["id"], id);
        const std::string where =
            id.empty() ? "object " + std::to_string(position) : std::string(id);
        bool revoked = false;
        read_optional(object["revoked"], revoked);
        read_optional(object["pattern_type"], pattern_type);
        if (revoked || pattern_type != "stix") {
            continue;
        }
        if (!object["valid_until"].get(valid_until)) {
            if (auto until = rfc3339_ns(valid_until); until && *until < now_ns) {
                continue; // expired
            }
        }
        if (object["pattern"].get(pattern)) {
            diags.warning(file, 0, "", where + ": indicator without a pattern: skipped");
            continue;
        }
        const auto comparisons = stix_comparisons(pattern);
        if (comparisons.empty()) {
            diags.warning(file, 0, "",
                          where + ": pattern compares no observable value for equality: skipped");
        }
        for (const auto& [object_type, value] : comparisons) {
            if (feed.types.empty() ||
                std::find(feed.types.begin(), feed.types.end(), object_type) != feed.types.end()) {
                out.push_back(value);
            }
        }
    }
    return out;
}

const std::vector<std::string> default_misp_types = {
    "ip-src",    "ip-dst",   "ip-src|port",   "ip-dst|port",   "domain",
    "domain|ip", "hostname", "hostname|port", "url",           "md5",
    "sha1",      "sha256",   "filename|md5",  "filename|sha1", "filename|sha256"};

// The parts of a composite MISP value that are indicators: "ip|port" -> ip, "domain|ip" ->
// both, "filename|sha256" -> the hash.
void add_misp_value(std::string_view type, std::string_view value, std::vector<std::string>& out) {
    const auto bar = type.find('|');
    if (bar == std::string_view::npos) {
        out.emplace_back(value);
        return;
    }
    const auto vbar = value.find('|');
    if (vbar == std::string_view::npos) {
        out.emplace_back(value);
        return;
    }
    const std::string_view first_type = type.substr(0, bar);
    const std::string_view second_type = type.substr(bar + 1);
    if (first_type != "filename") {
        out.emplace_back(value.substr(0, vbar));
    }
    if (second_type != "port") {
        out.emplace_back(value.substr(vbar + 1));
    }
}

void read_misp_attributes(simdjson::dom::element holder, const std::vector<std::string>& types,
                          std::vector<std::string>& out) {
    simdjson::dom::array attributes;
    if (!holder["Attribute"].get(attributes)) {
        for (simdjson::dom::element a : attributes) {
            std::string_view type, value;
            bool to_ids = false;
            if (a["type"].get(type) || a["value"].get(value)) {
                continue;
            }
            // to_ids is a boolean in exports, sometimes a string.
            if (std::string_view s; !a["to_ids"].get(s)) {
                to_ids = s == "1" || s == "true";
            } else {
                read_optional(a["to_ids"], to_ids);
            }
            if (to_ids && std::find(types.begin(), types.end(), type) != types.end()) {
                add_misp_value(type, value, out);
            }
        }
    }
    simdjson::dom::array objects;
    if (!holder["Object"].get(objects)) {
        for (simdjson::dom::element o : objects) {
            read_misp_attributes(o, types, out);
        }
    }
}

std::vector<std::string> read_misp(const ioc_feed& feed, simdjson::dom::element doc,
                                   core::diagnostics& diags) {
    std::vector<std::string> out;
    const std::string file = feed.file.string();
    const auto& types = feed.types.empty() ? default_misp_types : feed.types;
    std::size_t events = 0;
    auto one = [&](simdjson::dom::element e) {
        simdjson::dom::element event;
        if (!e["Event"].get(event)) {
            read_misp_attributes(event, types, out);
            ++events;
        }
    };
    simdjson::dom::array list;
    if (!doc["response"].get(list) || !doc.get(list)) {
        for (simdjson::dom::element e : list) {
            one(e);
        }
    } else {
        one(doc);
    }
    if (events == 0) {
        diags.error(file, 0, "", "no MISP event ({\"Event\": ...}) in the file");
    }
    return out;
}

} // namespace

std::vector<ioc_feed> read_feed_list(const std::filesystem::path& dir, core::diagnostics& diags) {
    std::vector<ioc_feed> out;
    const std::filesystem::path path = dir / "feeds.yaml";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return out;
    }
    const std::string file = path.string();
    auto document = parse::read_yaml_file(file, diags);
    if (!document) {
        return out;
    }
    const YAML::Node root = *document;
    parse::report_unknown_keys(root, {"feeds"}, "feeds.yaml", file, "", diags);
    const YAML::Node feeds = root["feeds"];
    if (!feeds || !feeds.IsSequence()) {
        diags.error(file, 1, "", "feeds.yaml needs a 'feeds' list");
        return out;
    }
    for (const auto& node : feeds) {
        parse::report_unknown_keys(node, {"name", "file", "format", "column", "types"}, "a feed",
                                   file, "", diags);
        ioc_feed f;
        f.line = line_of(node);
        f.name = node["name"] ? node["name"].Scalar() : "";
        const std::string name_or_position = f.name.empty() ? "a feed" : "feed '" + f.name + "'";
        if (f.name.empty() || !node["file"]) {
            diags.error(file, f.line, "", name_or_position + " needs 'name' and 'file'");
            continue;
        }
        f.file = dir / node["file"].Scalar();
        const std::string format = node["format"] ? node["format"].Scalar() : "plain";
        if (format == "plain") {
            f.kind = ioc_feed::format::plain;
        } else if (format == "csv") {
            f.kind = ioc_feed::format::csv;
        } else if (format == "stix") {
            f.kind = ioc_feed::format::stix;
        } else if (format == "misp") {
            f.kind = ioc_feed::format::misp;
        } else {
            diags.error(file, f.line, "",
                        name_or_position + ": unknown format '" + format +
                            "' (plain, csv, stix or misp)");
            continue;
        }
        if (node["column"]) {
            f.column = node["column"].Scalar();
        }
        if (f.kind == ioc_feed::format::csv && f.column.empty()) {
            diags.error(file, f.line, "", name_or_position + ": a csv feed needs 'column'");
            continue;
        }
        if (const YAML::Node types = node["types"]; types && types.IsSequence()) {
            for (const auto& t : types) {
                f.types.push_back(t.Scalar());
            }
        }
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<std::string> read_feed(const ioc_feed& feed, std::int64_t now_ns,
                                   core::diagnostics& diags) {
    const auto text = read_text(feed.file, diags);
    if (!text) {
        return {};
    }
    switch (feed.kind) {
    case ioc_feed::format::plain:
        return read_plain(*text);
    case ioc_feed::format::csv:
        return read_csv(feed, *text, diags);
    case ioc_feed::format::stix:
    case ioc_feed::format::misp:
        break;
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto error = parser.parse(*text).get(doc)) {
        diags.error(feed.file.string(), 0, "",
                    std::string("not JSON: ") + simdjson::error_message(error));
        return {};
    }
    return feed.kind == ioc_feed::format::stix ? read_stix(feed, doc, now_ns, diags)
                                               : read_misp(feed, doc, diags);
}

} // namespace vigil::rules
