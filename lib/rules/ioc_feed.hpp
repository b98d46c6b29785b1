#pragma once

#include "core/diagnostic.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vigil::rules {

// An indicator feed in the format it is published in, declared in rules/lists/feeds.yaml and
// read into an IOC list of its name (ioc_list.hpp) when the rules load or reload:
//
//   feeds:
//     - name: c2_ips_feodo          # the list's name: rules use '%c2_ips_feodo%'
//       file: feodo_ipblocklist.csv # relative to rules/lists
//       format: csv                 # plain, csv, stix, misp
//       column: dst_ip              # csv: header name, or 1-based position
//     - {name: stix_c2, file: bundle.json, format: stix}
//     - {name: misp_c2, file: event.json, format: misp, types: [ip-dst, domain]}
//
// plain: one value per line, '#' comments (as a .txt list). csv: one column of a CSV file;
// a header may be the first line or a '#' comment line just before the data, as abuse.ch
// writes it; '#' lines are comments. stix: the indicators of a STIX 2.1 bundle whose pattern
// compares an observable's value (ipv4-addr, ipv6-addr, domain-name, url, email-addr,
// file:hashes.*) for equality, one value per comparison of an OR; revoked indicators and
// those past valid_until are left out. misp: the attributes (and object attributes) of a MISP
// event export (`{"Event": ...}`, a list of them, or `{"response": [...]}`) marked to_ids, of
// the listed `types` (default: addresses, domains, host names, URLs and hashes); composite
// values ("ip-dst|port", "domain|ip") give each address or name part.
struct ioc_feed {
    enum class format { plain, csv, stix, misp };
    std::string name;
    std::filesystem::path file;
    format kind = format::plain;
    std::string column;             // csv
    std::vector<std::string> types; // misp: attribute types; stix: observable types (empty: all)
    int line = 0;                   // in feeds.yaml
};

// Reads rules/lists/feeds.yaml (`dir` is rules/lists); no file means no feeds. Errors name the
// file, line and reason.
[[nodiscard]] std::vector<ioc_feed> read_feed_list(const std::filesystem::path& dir,
                                                   core::diagnostics& diags);

// The indicator values of `feed`; `now_ns` decides which STIX indicators have expired. Entries
// that cannot be read are reported (file, line or object, reason) and left out.
[[nodiscard]] std::vector<std::string> read_feed(const ioc_feed& feed, std::int64_t now_ns,
                                                 core::diagnostics& diags);

} // namespace vigil::rules
