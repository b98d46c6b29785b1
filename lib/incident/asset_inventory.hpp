#pragma once

#include "alert/alert_terms.hpp"
#include "core/diagnostic.hpp"
#include "rules/ip_network.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::incident {

// One asset of the inventory: what an alert about it is enriched with.
struct asset {
    std::string name;
    std::string owner;
    std::string zone;
    unsigned criticality = 2; // 1 most critical ... 4 least
    std::string file;         // where it was defined, for messages
    int line = 0;
};

// The asset inventory (config `incidents.assets_dir`): YAML files of assets, each with the
// host names and networks that are it, a file per tenant (`tenant: NAME`; a file without one
// holds assets of every tenant, and of alerts without a tenant). Customers reuse private
// addresses and host names, so an alert's assets are looked up among its tenant's first.
// Loaded at start and with every rule reload; immutable once loaded, shared by the alert stage.
//
//   tenant: acme
//   assets:
//     - name: payroll database
//       hosts: [db-1, db-1.corp.example]
//       networks: [10.1.2.0/24, 10.1.3.7]
//       owner: finance IT
//       zone: datacenter
//       criticality: 1
class asset_inventory {
public:
    // Every *.yaml and *.yml file of `dir` (sorted by name). Problems (file:line: reason) go to
    // `diags`, all of them; an asset with an error is left out.
    [[nodiscard]] static std::shared_ptr<const asset_inventory>
    load_directory(const std::filesystem::path& dir, core::diagnostics& diags);
    // One file's text.
    void add(std::string_view yaml, const std::string& file, core::diagnostics& diags);

    // The asset of `tenant` ("" = the files without a tenant) a host name (case-insensitive)
    // or an address belongs to: the host's, else the most specific network's; a tenant's own
    // assets before the shared ones; null when none.
    [[nodiscard]] const asset* by_host(std::string_view tenant, std::string_view host) const;
    [[nodiscard]] const asset* by_address(std::string_view tenant, std::string_view address) const;
    // The most critical asset an alert involves (among its tenant's and the shared ones): its
    // hosts, then its destination addresses, then its source and sender addresses (the first
    // found wins a tie); null when none.
    [[nodiscard]] const asset* involved(const alert::alert_terms& terms) const;

    [[nodiscard]] std::size_t size() const { return assets_.size(); }

private:
    // The assets of one tenant (or the shared ones), by host name and by network.
    struct scope {
        std::unordered_map<std::string, std::size_t> hosts; // lower-case name -> asset
        rules::network_lookup networks;                     // -> asset
    };
    [[nodiscard]] const scope* scope_of(std::string_view tenant) const;
    [[nodiscard]] const asset* in_scope(const scope* s, std::string_view host,
                                        std::string_view address) const;

    std::vector<asset> assets_;
    std::unordered_map<std::string, scope> scopes_; // tenant ("" = shared) -> its assets
};

} // namespace vigil::incident
