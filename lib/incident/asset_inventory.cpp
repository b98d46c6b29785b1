#include "incident/asset_inventory.hpp"

#include "core/ascii.hpp"
#include "parse/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace vigil::incident {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(core::ascii::to_lower(c)); });
    return out;
}

// The scalars of a list (or one scalar); an error names the key.
std::optional<std::vector<std::string>> scalars(const YAML::Node& node) {
    std::vector<std::string> out;
    if (node.IsScalar()) {
        out.push_back(node.Scalar());
        return out;
    }
    if (!node.IsSequence()) {
        return std::nullopt;
    }
    for (const auto& item : node) {
        if (!item.IsScalar()) {
            return std::nullopt;
        }
        out.push_back(item.Scalar());
    }
    return out;
}

} // namespace

std::shared_ptr<const asset_inventory>
asset_inventory::load_directory(const std::filesystem::path& dir, core::diagnostics& diags) {
    auto inventory = std::make_shared<asset_inventory>();
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
            files.push_back(entry.path());
        }
    }
    if (ec) {
        diags.error(dir.string(), 0, "", "cannot read the asset directory: " + ec.message());
        return inventory;
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        inventory->add(text.str(), path.string(), diags);
    }
    return inventory;
}

void asset_inventory::add(std::string_view yaml, const std::string& file,
                          core::diagnostics& diags) {
    auto document = parse::read_yaml(yaml, file, diags);
    if (!document) {
        return;
    }
    const YAML::Node root = *document;
    const YAML::Node list = root.IsMap() ? root["assets"] : YAML::Node();
    if (!list || !list.IsSequence()) {
        diags.error(file, parse::line_of(root), "",
                    "an asset file is a map with 'assets': a list (and 'tenant': a name)");
        return;
    }
    for (const auto& member : root) {
        const std::string key = member.first.Scalar();
        if (key != "assets" && key != "tenant") {
            diags.error(file, parse::line_of(member.first), "",
                        "unknown key '" + key + "' (known: tenant, assets)");
        }
    }
    std::string tenant;
    if (const YAML::Node t = root["tenant"]) {
        if (!t.IsScalar() || t.Scalar().empty()) {
            diags.error(file, parse::line_of(t), "", "'tenant' must be a tenant's name");
            return;
        }
        tenant = t.Scalar();
    }
    scope& into = scopes_[tenant];
    for (const auto& item : list) {
        const int line = parse::line_of(item);
        if (!item.IsMap()) {
            diags.error(file, line, "",
                        "an asset is a map (name, hosts, networks, owner, zone, "
                        "criticality)");
            continue;
        }
        asset a;
        a.file = file;
        a.line = line;
        std::vector<std::string> hosts;
        std::vector<rules::ip_network> networks;
        bool ok = true;
        auto fail = [&](const YAML::Node& at, const std::string& reason) {
            diags.error(file, parse::line_of(at), "",
                        "asset" + (a.name.empty() ? std::string() : " '" + a.name + "'") + ": " +
                            reason);
            ok = false;
        };
        for (const auto& member : item) {
            const std::string key = member.first.Scalar();
            const YAML::Node& value = member.second;
            if (key == "name" || key == "owner" || key == "zone") {
                if (!value.IsScalar()) {
                    fail(value, "'" + key + "' must be a string");
                    continue;
                }
                (key == "name" ? a.name : key == "owner" ? a.owner : a.zone) = value.Scalar();
            } else if (key == "criticality") {
                const std::string text = value.IsScalar() ? value.Scalar() : std::string();
                if (text.size() != 1 || text[0] < '1' || text[0] > '4') {
                    fail(value, "'criticality' must be a number from 1 (most critical) to 4");
                    continue;
                }
                a.criticality = static_cast<unsigned>(text[0] - '0');
            } else if (key == "hosts" || key == "networks") {
                auto values = scalars(value);
                if (!values) {
                    fail(value, "'" + key + "' must be a list of " +
                                    (key == "hosts" ? "host names" : "networks or addresses"));
                    continue;
                }
                for (const auto& v : *values) {
                    if (key == "hosts") {
                        hosts.push_back(lower(v));
                    } else if (auto network = rules::ip_network::parse(v)) {
                        networks.push_back(*network);
                    } else {
                        fail(value, "'" + v + "' is not a network or address");
                    }
                }
            } else {
                fail(member.first,
                     "unknown key '" + key +
                         "' (known: name, hosts, networks, owner, zone, criticality)");
            }
        }
        if (a.name.empty()) {
            fail(item, "needs a 'name'");
        }
        if (hosts.empty() && networks.empty()) {
            fail(item, "needs 'hosts' or 'networks'");
        }
        if (!ok) {
            continue;
        }
        const std::size_t index = assets_.size();
        for (const auto& h : hosts) {
            if (auto [it, fresh] = into.hosts.try_emplace(h, index); !fresh) {
                const asset& other = assets_[it->second];
                diags.warning(file, line, "",
                              "host '" + h + "' is already asset '" + other.name + "' (" +
                                  other.file + ":" + std::to_string(other.line) +
                                  "); the first one stays");
            }
        }
        for (const auto& n : networks) {
            into.networks.add(n, index);
        }
        assets_.push_back(std::move(a));
    }
}

const asset_inventory::scope* asset_inventory::scope_of(std::string_view tenant) const {
    const auto it = scopes_.find(std::string(tenant));
    return it == scopes_.end() ? nullptr : &it->second;
}

const asset* asset_inventory::in_scope(const scope* s, std::string_view host,
                                       std::string_view address) const {
    if (s == nullptr) {
        return nullptr;
    }
    if (!host.empty() && !s->hosts.empty()) {
        const auto it = s->hosts.find(lower(host));
        return it == s->hosts.end() ? nullptr : &assets_[it->second];
    }
    if (!address.empty()) {
        const auto found = s->networks.find(address);
        return found ? &assets_[*found] : nullptr;
    }
    return nullptr;
}

const asset* asset_inventory::by_host(std::string_view tenant, std::string_view host) const {
    const asset* own = tenant.empty() ? nullptr : in_scope(scope_of(tenant), host, {});
    return own != nullptr ? own : in_scope(scope_of(""), host, {});
}

const asset* asset_inventory::by_address(std::string_view tenant, std::string_view address) const {
    const asset* own = tenant.empty() ? nullptr : in_scope(scope_of(tenant), {}, address);
    return own != nullptr ? own : in_scope(scope_of(""), {}, address);
}

const asset* asset_inventory::involved(const alert::alert_terms& terms) const {
    const asset* best = nullptr;
    auto consider = [&best](const asset* a) {
        if (a != nullptr && (best == nullptr || a->criticality < best->criticality)) {
            best = a;
        }
    };
    for (const auto& h : terms.hosts) {
        consider(by_host(terms.tenant, h));
    }
    for (const auto& d : terms.destinations) {
        consider(by_address(terms.tenant, d));
    }
    for (const auto& s : terms.sources) {
        consider(by_address(terms.tenant, s));
    }
    return best;
}

} // namespace vigil::incident
