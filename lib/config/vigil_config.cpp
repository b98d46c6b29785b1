#include "config/vigil_config.hpp"

#include "core/civil_time.hpp"
#include "core/defaults.hpp"
#include "parse/yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace vigil::config {

using parse::line_of;
namespace {

// Walks one YAML map, handing each known key to its reader and reporting unknown keys.
class section_reader {
public:
    section_reader(const std::string& file, core::diagnostics& diags, std::string prefix)
        : file_(file), diags_(diags), prefix_(std::move(prefix)) {}

    section_reader& on(const std::string& key, std::function<void(const YAML::Node&)> reader) {
        readers_[key] = std::move(reader);
        return *this;
    }

    void read(const YAML::Node& node) {
        if (!node || node.IsNull()) {
            return;
        }
        if (!node.IsMap()) {
            error(node, (prefix_.empty() ? std::string("the configuration") : "'" + prefix_ + "'") +
                            " must be a map");
            return;
        }
        for (const auto& item : node) {
            const std::string key = item.first.Scalar();
            auto it = readers_.find(key);
            if (it == readers_.end()) {
                std::string known;
                for (const auto& [name, reader] : readers_) {
                    known += known.empty() ? name : ", " + name;
                }
                error(item.first,
                      "unknown key '" + qualified(key) + "' (known here: " + known + ")");
                continue;
            }
            it->second(item.second);
        }
    }

    std::string qualified(const std::string& key) const {
        return prefix_.empty() ? key : prefix_ + "." + key;
    }

    void error(const YAML::Node& at, std::string reason) {
        diags_.error(file_, line_of(at), "", std::move(reason));
    }

private:
    const std::string& file_;
    core::diagnostics& diags_;
    std::string prefix_;
    std::map<std::string, std::function<void(const YAML::Node&)>> readers_;
};

// "whsec_" then padded base64 of at least 16 bytes.
bool valid_whsec(const std::string& secret) {
    if (!secret.starts_with("whsec_")) {
        return false;
    }
    const std::string_view key = std::string_view(secret).substr(6);
    if (key.size() < 24 || key.size() % 4 != 0) {
        return false;
    }
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char ch = key[i];
        const bool alnum = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                           (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
        if (!alnum && !(ch == '=' && i + 2 >= key.size())) {
            return false;
        }
    }
    return true;
}

template <typename Int>
std::optional<Int> to_int(const YAML::Node& node) {
    if (!node.IsScalar()) {
        return std::nullopt;
    }
    const std::string& text = node.Scalar();
    Int value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// rules_policy: a list of {folder, status: [..], min_level}; an empty list lets every rule run.
void read_rules_policy(section_reader& top, const YAML::Node& node, vigil_config& c) {
    const std::string shape = "'rules_policy' must be a list of {folder: DIR, status: [STATUS, "
                              "...], min_level: LEVEL}";
    if (!node.IsSequence() && !node.IsNull()) {
        top.error(node, shape);
        return;
    }
    rules::rule_policy policy;
    for (const auto& item : node) {
        if (!item.IsMap()) {
            top.error(item, shape);
            continue;
        }
        rules::rule_selection selection{"", {"stable", "test", "experimental"}, "informational"};
        bool valid = true;
        for (const auto& entry : item) {
            const std::string key = entry.first.as<std::string>();
            const YAML::Node& value = entry.second;
            if (key == "folder" && (value.IsScalar() || value.IsNull())) {
                selection.folder = value.IsNull() ? "" : value.Scalar();
            } else if (key == "status" && value.IsSequence()) {
                selection.statuses.clear();
                for (const auto& status : value) {
                    selection.statuses.push_back(status.IsScalar() ? status.Scalar() : "");
                }
            } else if (key == "min_level" && value.IsScalar()) {
                selection.min_level = value.Scalar();
            } else {
                top.error(value, "'rules_policy': unknown key or wrong type '" + key + "' (" +
                                     shape.substr(shape.find("must be ")) + ")");
                valid = false;
            }
        }
        if (auto error = rules::rule_policy::check(selection)) {
            top.error(item, "'rules_policy' (folder '" + selection.folder + "'): " + *error);
            valid = false;
        }
        if (valid) {
            policy.selections.push_back(std::move(selection));
        }
    }
    c.rules_policy = std::move(policy);
}

} // namespace

// incidents: {assets_dir: DIR, grades: {LEVEL: [G1, G2, G3, G4]}, default_criticality: N,
//             sla: {GRADE: {notify: D, contain: D, response_level: N}}}
void read_incidents(const YAML::Node& node, const std::string& file, core::diagnostics& diags,
                    vigil_config& c) {
    incident::incident_policy& policy = c.incidents.policy;
    section_reader incidents(file, diags, "incidents");
    section_reader grades(file, diags, "incidents.grades");
    section_reader sla(file, diags, "incidents.sla");
    for (std::size_t row = 0; row < incident::incident_policy::levels.size(); ++row) {
        const std::string level(incident::incident_policy::levels[row]);
        grades.on(level, [&grades, &policy, level, row](const YAML::Node& list) {
            std::array<alert::grade, incident::incident_policy::criticalities> parsed{};
            bool ok = list.IsSequence() && list.size() == parsed.size();
            for (std::size_t i = 0; ok && i < parsed.size(); ++i) {
                auto g = list[i].IsScalar() ? alert::parse_grade(list[i].Scalar()) : std::nullopt;
                ok = g.has_value();
                parsed[i] = g.value_or(alert::grade::IV);
            }
            if (!ok) {
                grades.error(list, "'incidents.grades." + level +
                                       "' must list four grades (I, II, III or IV), one per asset "
                                       "criticality 1 to 4");
                return;
            }
            policy.matrix[row] = parsed;
        });
    }
    for (alert::grade g :
         {alert::grade::I, alert::grade::II, alert::grade::III, alert::grade::IV}) {
        const std::string name(alert::to_string(g));
        incident::sla_target* wanted = &policy.sla[static_cast<std::size_t>(g) - 1];
        sla.on(name, [&file, &diags, name, wanted](const YAML::Node& item) {
            incident::sla_target& target = *wanted;
            section_reader one(file, diags, "incidents.sla." + name);
            auto duration = [&one](const std::string& key, std::int64_t& out) {
                return [&one, key, &out](const YAML::Node& value) {
                    auto d = value.IsScalar() ? core::parse_duration(value.Scalar())
                                              : std::expected<std::int64_t, std::string>(
                                                    std::unexpected("not a string"));
                    if (!d || *d <= 0) {
                        one.error(value, "'" + one.qualified(key) +
                                             "' must be a duration such as 30m or 4h");
                        return;
                    }
                    out = *d;
                };
            };
            one.on("notify", duration("notify", target.notify_ns))
                .on("contain", duration("contain", target.contain_ns))
                .on("response_level", [&one, &target](const YAML::Node& value) {
                    auto n = to_int<unsigned>(value);
                    if (!n || *n < 1 || *n > 4) {
                        one.error(value, "'" + one.qualified("response_level") +
                                             "' must be a number from 1 to 4");
                        return;
                    }
                    target.response_level = static_cast<std::uint8_t>(*n);
                });
            one.read(item);
        });
    }
    incidents.on("grades", [&grades](const YAML::Node& n) { grades.read(n); })
        .on("escalation_interval",
            [&incidents, &c](const YAML::Node& value) {
                auto d =
                    value.IsScalar()
                        ? core::parse_duration(value.Scalar())
                        : std::expected<std::int64_t, std::string>(std::unexpected("not a string"));
                if (!d || *d <= 0) {
                    incidents.error(value, "'incidents.escalation_interval' must be a duration "
                                           "such as 1s");
                    return;
                }
                c.incidents.escalation_interval_ns = *d;
            })
        .on("assets_dir",
            [&incidents, &c](const YAML::Node& value) {
                if (!value.IsScalar()) {
                    incidents.error(value, "'incidents.assets_dir' must be a directory");
                    return;
                }
                c.incidents.assets_dir = value.Scalar();
            })
        .on("sla", [&sla](const YAML::Node& n) { sla.read(n); })
        .on("default_criticality", [&incidents, &policy](const YAML::Node& value) {
            auto n = to_int<unsigned>(value);
            if (!n || *n < 1 || *n > incident::incident_policy::criticalities) {
                incidents.error(value, "'incidents.default_criticality' must be a number from 1 "
                                       "(most critical) to 4");
                return;
            }
            policy.default_criticality = *n;
        });
    incidents.read(node);
}

// tenants: [{name, listeners: [syslog.udp|syslog.tcp|syslog.tls|http|kafka], networks: [CIDR],
//            ingest_tokens: [T], kafka_topics: [T], read_token: T}]
void read_tenants(const YAML::Node& node, const std::string& file, core::diagnostics& diags,
                  vigil_config& c) {
    auto error = [&](const YAML::Node& at, const std::string& reason) {
        diags.error(file, line_of(at), "", reason);
    };
    if (!node.IsSequence()) {
        error(node, "'tenants' must be a list of {name, listeners, networks, ingest_tokens, "
                    "kafka_topics, read_token}");
        return;
    }
    static const std::vector<std::pair<std::string_view, core::source_kind>> listener_names = {
        {"syslog.udp", core::source_kind::syslog_udp},
        {"syslog.tcp", core::source_kind::syslog_tcp},
        {"syslog.tls", core::source_kind::syslog_tls},
        {"http", core::source_kind::http},
        {"kafka", core::source_kind::kafka}};
    std::map<core::source_kind, std::string> listener_owner;
    std::set<std::string> tokens;
    for (const auto& item : node) {
        incident::tenant_definition t;
        section_reader r(file, diags, "tenants[]");
        auto names = [&r](const std::string& key, auto each) {
            return [&r, key, each](const YAML::Node& list) {
                if (!list.IsSequence()) {
                    r.error(list, "'" + r.qualified(key) + "' must be a list");
                    return;
                }
                for (const auto& v : list) {
                    if (!v.IsScalar() || v.Scalar().empty()) {
                        r.error(v, "'" + r.qualified(key) + "' must be a list of strings");
                        continue;
                    }
                    each(v);
                }
            };
        };
        r.on("name",
             [&](const YAML::Node& v) {
                 const bool plain = v.IsScalar() && !v.Scalar().empty() &&
                                    std::all_of(v.Scalar().begin(), v.Scalar().end(), [](char ch) {
                                        return std::isalnum(static_cast<unsigned char>(ch)) ||
                                               ch == '-' || ch == '_' || ch == '.';
                                    });
                 if (!plain) {
                     r.error(v, "a tenant's 'name' may hold only letters, digits, '-', '_' and "
                                "'.' (it labels alerts and queries)");
                     return;
                 }
                 t.name = v.Scalar();
             })
            .on("listeners", names("listeners",
                                   [&](const YAML::Node& v) {
                                       auto it = std::find_if(
                                           listener_names.begin(), listener_names.end(),
                                           [&](const auto& n) { return n.first == v.Scalar(); });
                                       if (it == listener_names.end()) {
                                           r.error(v, "unknown listener '" + v.Scalar() +
                                                          "' (known: syslog.udp, syslog.tcp, "
                                                          "syslog.tls, http, kafka)");
                                           return;
                                       }
                                       t.listeners.push_back(it->second);
                                   }))
            .on("networks",
                names("networks",
                      [&](const YAML::Node& v) {
                          auto n = rules::ip_network::parse(v.Scalar());
                          if (!n) {
                              r.error(v, "'" + v.Scalar() + "' is not a network or address");
                              return;
                          }
                          t.networks.push_back(*n);
                      }))
            .on("ingest_tokens",
                names("ingest_tokens",
                      [&](const YAML::Node& v) { t.ingest_tokens.push_back(v.Scalar()); }))
            .on("kafka_topics",
                names("kafka_topics",
                      [&](const YAML::Node& v) { t.kafka_topics.push_back(v.Scalar()); }))
            .on("read_token", [&](const YAML::Node& v) {
                if (!v.IsScalar() || v.Scalar().empty()) {
                    r.error(v, "'tenants[].read_token' must be a string");
                    return;
                }
                t.read_token = v.Scalar();
            });
        r.read(item);
        if (t.name.empty()) {
            error(item, "a tenant needs a 'name'");
            continue;
        }
        for (auto kind : t.listeners) {
            if (auto [it, fresh] = listener_owner.try_emplace(kind, t.name); !fresh) {
                error(item, "tenant '" + t.name + "': listener " +
                                std::string(core::to_string(kind)) + " is already tenant '" +
                                it->second + "''s");
            }
        }
        auto unique_token = [&](const std::string& token) {
            if (!tokens.insert(token).second) {
                error(item, "tenant '" + t.name + "': a token is used twice");
            }
        };
        for (const auto& token : t.ingest_tokens) {
            unique_token(token);
        }
        if (!t.read_token.empty()) {
            unique_token(t.read_token);
        }
        for (const auto& other : c.tenants) {
            if (other.name == t.name) {
                error(item, "tenant '" + t.name + "' is defined twice");
            }
        }
        c.tenants.push_back(std::move(t));
    }
}

vigil_config default_config() {
    vigil_config c;
    c.data_dir = std::string(defaults::data_dir);
    c.rules_dir = std::string(defaults::rules_dir);
    c.schemas_dir = std::string(defaults::schemas_dir);
    c.syslog.udp = *core::listen_address::parse(defaults::syslog_udp_listen);
    c.syslog.tcp = *core::listen_address::parse(defaults::syslog_tcp_listen);
    c.syslog.max_frame_bytes = defaults::max_frame_bytes;
    c.syslog.udp_receive_buffer_bytes = defaults::udp_receive_buffer_bytes;
    c.syslog.rfc3164_timezone = "UTC";
    c.syslog.rfc3164_zone = std::make_shared<core::time_zone>(core::time_zone::utc());
    c.http.listen = *core::listen_address::parse(defaults::http_listen);
    return c;
}

std::expected<vigil_config, core::diagnostics> parse_config(std::string_view yaml,
                                                            const std::string& file_name) {
    core::diagnostics diags;
    vigil_config c = default_config();
    auto document = parse::read_yaml(yaml, file_name, diags);
    if (!document) {
        return std::unexpected(std::move(diags));
    }
    const YAML::Node root = *document;

    auto string_value = [&](section_reader& r, const std::string& key, auto assign) {
        return [&r, key, assign](const YAML::Node& node) {
            if (!node.IsScalar() || node.Scalar().empty()) {
                r.error(node, "'" + r.qualified(key) + "' must be a non-empty string");
                return;
            }
            assign(node.Scalar());
        };
    };
    // A whole number of at least `minimum`.
    auto count_value = [&](section_reader& r, const std::string& key, std::size_t& target,
                           std::size_t minimum) {
        return [&r, key, &target, minimum](const YAML::Node& node) {
            auto n = to_int<std::size_t>(node);
            if (!n || *n < minimum) {
                r.error(node, "'" + r.qualified(key) + "' must be a whole number of at least " +
                                  std::to_string(minimum));
                return;
            }
            target = *n;
        };
    };
    // A duration ("500ms", "5s", "2m") of at least `minimum` nanoseconds.
    auto duration_value = [&](section_reader& r, const std::string& key, std::int64_t& target,
                              std::int64_t minimum) {
        return [&r, key, &target, minimum](const YAML::Node& node) {
            auto d =
                node.IsScalar()
                    ? core::parse_duration(node.Scalar())
                    : std::expected<std::int64_t, std::string>(std::unexpected("not a string"));
            if (!d || *d < minimum) {
                r.error(node, "'" + r.qualified(key) +
                                  "' must be a duration such as 500ms, 5s or 2m" +
                                  (minimum > 0 ? " (more than zero)" : ""));
                return;
            }
            target = *d;
        };
    };
    auto address_value = [&](section_reader& r, const std::string& key,
                             std::optional<core::listen_address>& target) {
        return [&r, key, &target](const YAML::Node& node) {
            // null, "" or "off" switch a listener off.
            if (node.IsNull() ||
                (node.IsScalar() && (node.Scalar().empty() || node.Scalar() == "off"))) {
                target.reset();
                return;
            }
            if (!node.IsScalar()) {
                r.error(node, "'" + r.qualified(key) + "' must be host:port or off");
                return;
            }
            auto parsed = core::listen_address::parse(node.Scalar());
            if (!parsed) {
                r.error(node, "'" + r.qualified(key) + "': " + parsed.error());
                return;
            }
            target = *parsed;
        };
    };

    // A time zone name ("UTC", "+08:00", "local", "Europe/Berlin"), loaded now so that a bad one
    // is a configuration error rather than a surprise per record.
    auto zone_value = [&](section_reader& r, const std::string& key,
                          std::shared_ptr<const core::time_zone>& target) {
        return [&r, key, &target](const YAML::Node& node) {
            if (!node.IsScalar() || node.Scalar().empty()) {
                r.error(node, "'" + r.qualified(key) +
                                  "' must be a time zone such as UTC, "
                                  "+08:00, local or Europe/Berlin");
                return;
            }
            auto zone = core::time_zone::load(node.Scalar());
            if (!zone) {
                r.error(node, "'" + r.qualified(key) + "': " + zone.error());
                return;
            }
            target = std::make_shared<const core::time_zone>(std::move(*zone));
        };
    };

    section_reader top(file_name, diags, "");
    section_reader syslog(file_name, diags, "syslog");
    section_reader udp(file_name, diags, "syslog.udp");
    section_reader tcp(file_name, diags, "syslog.tcp");
    section_reader time(file_name, diags, "time");
    section_reader rfc3164(file_name, diags, "syslog.rfc3164");
    section_reader tls(file_name, diags, "syslog.tls");
    section_reader http(file_name, diags, "http");
    section_reader http_tls(file_name, diags, "http.tls");
    section_reader outputs(file_name, diags, "outputs");
    section_reader alerts(file_name, diags, "alerts");
    section_reader correlation(file_name, diags, "correlation");
    section_reader kafka(file_name, diags, "kafka");

    top.on("data_dir", string_value(top, "data_dir", [&](const std::string& v) { c.data_dir = v; }))
        .on("min_free_disk_bytes",
            [&](const YAML::Node& node) {
                auto n = to_int<std::uint64_t>(node);
                if (!n) {
                    top.error(node, "'min_free_disk_bytes' must be a number of bytes");
                    return;
                }
                c.min_free_disk_bytes = *n;
            })
        .on("rules_dir",
            string_value(top, "rules_dir", [&](const std::string& v) { c.rules_dir = v; }))
        .on("schemas_dir",
            string_value(top, "schemas_dir", [&](const std::string& v) { c.schemas_dir = v; }))
        .on("rules_watch",
            [&](const YAML::Node& node) {
                if (!node.IsScalar() || (node.Scalar() != "true" && node.Scalar() != "false")) {
                    top.error(node, "'rules_watch' must be true or false");
                    return;
                }
                c.rules_watch = node.Scalar() == "true";
            })
        .on("rules_watch_debounce_ms",
            [&](const YAML::Node& node) {
                auto n = to_int<unsigned>(node);
                if (!n || *n > 600'000) {
                    top.error(node, "'rules_watch_debounce_ms' must be a number of milliseconds up "
                                    "to 600000");
                    return;
                }
                c.rules_watch_debounce_ms = *n;
            })
        .on("rules_policy", [&](const YAML::Node& node) { read_rules_policy(top, node, c); })
        .on("workers",
            [&](const YAML::Node& node) {
                auto n = to_int<unsigned>(node);
                if (!n || *n > 256) {
                    top.error(node, "'workers' must be a number from 0 (one per core) to 256");
                    return;
                }
                c.workers = *n;
            })
        .on("log_level",
            [&](const YAML::Node& node) {
                static const std::map<std::string, core::log_level> levels{
                    {"debug", core::log_level::debug},
                    {"info", core::log_level::info},
                    {"warning", core::log_level::warning},
                    {"error", core::log_level::error}};
                auto it = node.IsScalar() ? levels.find(node.Scalar()) : levels.end();
                if (it == levels.end()) {
                    top.error(node, "'log_level' must be debug, info, warning or error");
                    return;
                }
                c.log_level = it->second;
            })
        .on("syslog", [&](const YAML::Node& node) { syslog.read(node); })
        .on("http", [&](const YAML::Node& node) { http.read(node); })
        .on("outputs", [&](const YAML::Node& node) { outputs.read(node); })
        .on("alerts", [&](const YAML::Node& node) { alerts.read(node); })
        .on("incidents", [&](const YAML::Node& node) { read_incidents(node, file_name, diags, c); })
        .on("tenants", [&](const YAML::Node& node) { read_tenants(node, file_name, diags, c); })
        .on("correlation", [&](const YAML::Node& node) { correlation.read(node); })
        .on("kafka", [&](const YAML::Node& node) { kafka.read(node); })
        .on("time", [&](const YAML::Node& node) { time.read(node); });

    // A syslog listener: "host:port" (or off), or {listen: host:port, timezone: ZONE}.
    auto listener_value = [&](section_reader& r, section_reader& map, const std::string& key,
                              std::optional<core::listen_address>& target) {
        return [&r, &map, key, &target,
                plain = address_value(r, key, target)](const YAML::Node& node) {
            if (node.IsMap()) {
                map.read(node);
            } else {
                plain(node);
            }
        };
    };
    udp.on("listen", address_value(udp, "listen", c.syslog.udp))
        .on("timezone", zone_value(udp, "timezone", c.syslog.udp_zone));
    tcp.on("listen", address_value(tcp, "listen", c.syslog.tcp))
        .on("timezone", zone_value(tcp, "timezone", c.syslog.tcp_zone));
    syslog.on("udp", listener_value(syslog, udp, "udp", c.syslog.udp))
        .on("tcp", listener_value(syslog, tcp, "tcp", c.syslog.tcp))
        .on("max_frame_bytes",
            [&](const YAML::Node& node) {
                auto n = to_int<std::size_t>(node);
                if (!n || *n < 256 || *n > 64 * 1024 * 1024) {
                    syslog.error(node, "'syslog.max_frame_bytes' must be a number from 256 to "
                                       "67108864");
                    return;
                }
                c.syslog.max_frame_bytes = *n;
            })
        .on("max_connections", count_value(syslog, "max_connections", c.syslog.max_connections, 1))
        .on("max_connections_per_client", count_value(syslog, "max_connections_per_client",
                                                      c.syslog.max_connections_per_client, 1))
        .on("idle_timeout", duration_value(syslog, "idle_timeout", c.syslog.idle_timeout_ns, 1))
        .on("max_unconfirmed_records",
            count_value(syslog, "max_unconfirmed_records", c.syslog.max_unconfirmed_records, 256))
        .on("udp_receive_buffer_bytes",
            [&](const YAML::Node& node) {
                auto n = to_int<int>(node);
                if (!n || *n < 4096) {
                    syslog.error(node, "'syslog.udp_receive_buffer_bytes' must be a number of at "
                                       "least 4096");
                    return;
                }
                c.syslog.udp_receive_buffer_bytes = *n;
            })
        .on("rfc3164", [&](const YAML::Node& node) { rfc3164.read(node); })
        .on("tls", [&](const YAML::Node& node) { tls.read(node); })
        .on("format",
            [&](const YAML::Node& node) {
                auto f = node.IsScalar() ? parse::parse_record_format(node.Scalar()) : std::nullopt;
                if (!f || *f == parse::record_format::csv || *f == parse::record_format::kv) {
                    syslog.error(node, "'syslog.format' must be auto, syslog, rfc5424, rfc3164, "
                                       "cef, leef or json");
                    return;
                }
                c.syslog.format = *f;
            })
        .on("payload", [&](const YAML::Node& node) {
            auto f = node.IsScalar() ? parse::parse_record_format(node.Scalar()) : std::nullopt;
            if (!f || *f == parse::record_format::rfc5424 || *f == parse::record_format::rfc3164) {
                syslog.error(node, "'syslog.payload' must be auto, plain, cef, leef, json, kv or "
                                   "csv");
                return;
            }
            c.syslog.payload = *f;
        });

    // A file vigild reads at start: missing or unreadable is an error at its key's line (it
    // once surfaced only as OpenSSL's reason when the listener started).
    auto readable_file = [&](section_reader& r, const std::string& key, std::string& target) {
        return [&r, key, &target, text = string_value(r, key, [&target](const std::string& v) {
                                      target = v;
                                  })](const YAML::Node& node) {
            text(node);
            if (!node.IsScalar() || node.Scalar().empty()) {
                return;
            }
            std::error_code ec;
            const std::filesystem::path path(node.Scalar());
            if (!std::filesystem::exists(path, ec)) {
                r.error(node, "'" + r.qualified(key) + "': no such file " + path.string());
            } else if (!std::filesystem::is_regular_file(path, ec) || !std::ifstream(path).good()) {
                r.error(node, "'" + r.qualified(key) + "': cannot read " + path.string());
            }
        };
    };
    tls.on("listen", address_value(tls, "listen", c.syslog.tls.listen))
        .on("certificate", readable_file(tls, "certificate", c.syslog.tls.certificate))
        .on("private_key", readable_file(tls, "private_key", c.syslog.tls.private_key))
        .on("client_ca", readable_file(tls, "client_ca", c.syslog.tls.client_ca))
        .on("timezone", zone_value(tls, "timezone", c.syslog.tls.zone));
    http_tls.on("certificate", readable_file(http_tls, "certificate", c.http.tls.certificate))
        .on("private_key", readable_file(http_tls, "private_key", c.http.tls.private_key))
        .on("client_ca", readable_file(http_tls, "client_ca", c.http.tls.client_ca));

    rfc3164
        .on("year",
            [&](const YAML::Node& node) {
                if (node.IsScalar() && node.Scalar() == "auto") {
                    c.syslog.rfc3164_year.reset();
                    return;
                }
                auto y = to_int<std::int64_t>(node);
                if (!y || *y < 1970 || *y > 9999) {
                    rfc3164.error(node,
                                  "'syslog.rfc3164.year' must be auto or a year such as 2026");
                    return;
                }
                c.syslog.rfc3164_year = *y;
            })
        .on("timezone", [&](const YAML::Node& node) {
            if (!node.IsScalar()) {
                rfc3164.error(node, "'syslog.rfc3164.timezone' must be a string");
                return;
            }
            auto zone = core::time_zone::load(node.Scalar());
            if (!zone) {
                rfc3164.error(node, "'syslog.rfc3164.timezone': " + zone.error());
                return;
            }
            c.syslog.rfc3164_timezone = node.Scalar();
            c.syslog.rfc3164_zone = std::make_shared<core::time_zone>(std::move(*zone));
        });

    http.on("listen", address_value(http, "listen", c.http.listen))
        .on("max_body_bytes", count_value(http, "max_body_bytes", c.http.max_body_bytes, 1024))
        .on("max_connections", count_value(http, "max_connections", c.http.max_connections, 1))
        .on("max_connections_per_client",
            count_value(http, "max_connections_per_client", c.http.max_connections_per_client, 1))
        .on("max_decompressed_bytes",
            count_value(http, "max_decompressed_bytes", c.http.max_decompressed_bytes, 1024))
        .on("max_compression_ratio",
            count_value(http, "max_compression_ratio", c.http.max_compression_ratio, 1))
        .on("ack_timeout", duration_value(http, "ack_timeout", c.http.ack_timeout_ns, 1))
        .on("request_timeout",
            duration_value(http, "request_timeout", c.http.request_timeout_ns, 1))
        .on("ingest_token", string_value(http, "ingest_token",
                                         [&](const std::string& v) { c.http.ingest_token = v; }))
        .on("hec_token",
            string_value(http, "hec_token", [&](const std::string& v) { c.http.hec_token = v; }))
        .on("api_read_token",
            string_value(http, "api_read_token",
                         [&](const std::string& v) { c.http.api_read_token = v; }))
        .on("api_write_token",
            string_value(http, "api_write_token",
                         [&](const std::string& v) { c.http.api_write_token = v; }))
        .on("metrics_token", string_value(http, "metrics_token",
                                          [&](const std::string& v) { c.http.metrics_token = v; }))
        .on("tls", [&](const YAML::Node& node) { http_tls.read(node); })
        .on("timezone", zone_value(http, "timezone", c.http.zone));

    correlation
        .on("shards",
            [&](const YAML::Node& node) {
                auto n = to_int<unsigned>(node);
                if (!n || *n > 256) {
                    correlation.error(node, "'correlation.shards' must be a number from 0 (as "
                                            "many as workers) to 256");
                    return;
                }
                c.correlation.shards = *n;
            })
        .on("allowed_lateness",
            duration_value(correlation, "allowed_lateness", c.correlation.allowed_lateness_ns, 0))
        .on("idle_timeout",
            duration_value(correlation, "idle_timeout", c.correlation.idle_timeout_ns, 1))
        .on("max_input_lag",
            duration_value(correlation, "max_input_lag", c.correlation.max_input_lag_ns, 1))
        .on("late_events",
            [&](const YAML::Node& node) {
                if (!node.IsScalar() ||
                    (node.Scalar() != "apply" && node.Scalar() != "dead_letter")) {
                    correlation.error(node,
                                      "'correlation.late_events' must be apply or dead_letter");
                    return;
                }
                c.correlation.late_events_dead_letter = node.Scalar() == "dead_letter";
            })
        .on("checkpoint_interval", duration_value(correlation, "checkpoint_interval",
                                                  c.correlation.checkpoint_interval_ns, 1))
        .on("max_keys", count_value(correlation, "max_keys", c.correlation.max_keys, 1))
        .on("max_keys_per_rule",
            count_value(correlation, "max_keys_per_rule", c.correlation.max_keys_per_rule, 1))
        .on("max_values_per_key",
            count_value(correlation, "max_values_per_key", c.correlation.max_values_per_key, 1))
        .on("evidence_per_alert",
            count_value(correlation, "evidence_per_alert", c.correlation.evidence_per_alert, 1));

    kafka
        .on("brokers",
            string_value(kafka, "brokers", [&](const std::string& v) { c.kafka.brokers = v; }))
        .on("group_id",
            string_value(kafka, "group_id", [&](const std::string& v) { c.kafka.group_id = v; }))
        .on("topics",
            [&](const YAML::Node& node) {
                if (!node.IsSequence() || node.size() == 0) {
                    kafka.error(node, "'kafka.topics' must be a list of topic names");
                    return;
                }
                for (const auto& t : node) {
                    if (!t.IsScalar() || t.Scalar().empty()) {
                        kafka.error(t, "'kafka.topics' must be a list of topic names");
                        return;
                    }
                    c.kafka.topics.push_back(t.Scalar());
                }
            })
        .on("commit_interval",
            duration_value(kafka, "commit_interval", c.kafka.commit_interval_ns, 1))
        .on("max_message_bytes",
            count_value(kafka, "max_message_bytes", c.kafka.max_message_bytes, 256))
        .on("dead_letter_cap", count_value(kafka, "dead_letter_cap", c.kafka.dead_letter_cap, 0))
        .on("timezone", zone_value(kafka, "timezone", c.kafka.zone))
        .on("properties", [&](const YAML::Node& node) {
            if (!node.IsMap()) {
                kafka.error(node, "'kafka.properties' must be a map of librdkafka settings");
                return;
            }
            for (const auto& p : node) {
                if (!p.second.IsScalar()) {
                    kafka.error(p.second,
                                "'kafka.properties." + p.first.Scalar() + "' must be a value");
                    continue;
                }
                c.kafka.properties.emplace_back(p.first.Scalar(), p.second.Scalar());
            }
        });

    time.on("max_future_skew",
            duration_value(time, "max_future_skew", c.time.max_future_skew_ns, 0))
        .on("zones", [&](const YAML::Node& node) {
            if (!node.IsSequence()) {
                time.error(node, "'time.zones' must be a list of {source: CIDR, timezone: ZONE} "
                                 "and {host: GLOB, timezone: ZONE}");
                return;
            }
            auto rules = std::make_shared<parse::source_zone_rules>();
            std::size_t index = 0;
            for (const auto& item : node) {
                const std::string at = "'time.zones[" + std::to_string(index++) + "]'";
                if (!item.IsMap()) {
                    time.error(item, at + " must be a map {source: CIDR, timezone: ZONE} or "
                                          "{host: GLOB, timezone: ZONE}");
                    continue;
                }
                const YAML::Node source = item["source"];
                const YAML::Node host = item["host"];
                const YAML::Node zone_name = item["timezone"];
                bool ok = true;
                for (const auto& kv : item) {
                    const std::string key = kv.first.Scalar();
                    if (key != "source" && key != "host" && key != "timezone") {
                        time.error(kv.first, at + ": unknown key '" + key +
                                                 "' (known here: host, source, timezone)");
                        ok = false;
                    }
                }
                if (source && host) {
                    time.error(item, at + " takes 'source' or 'host', not both");
                    ok = false;
                } else if (!source && !host) {
                    time.error(item, at + " needs 'source' (an address or network) or 'host' (a "
                                          "host name pattern)");
                    ok = false;
                }
                std::shared_ptr<const core::time_zone> zone;
                if (!zone_name) {
                    time.error(item, at + " needs 'timezone'");
                    ok = false;
                } else if (!zone_name.IsScalar() || zone_name.Scalar().empty()) {
                    time.error(zone_name, at + ": 'timezone' must be a time zone such as UTC, "
                                               "+08:00, local or Europe/Berlin");
                    ok = false;
                } else if (auto loaded = core::time_zone::load(zone_name.Scalar())) {
                    zone = std::make_shared<const core::time_zone>(std::move(*loaded));
                } else {
                    time.error(zone_name, at + ": " + loaded.error());
                    ok = false;
                }
                const YAML::Node& what = source ? source : host;
                if (what && !what.IsScalar()) {
                    time.error(what, at + ": '" + std::string(source ? "source" : "host") +
                                         "' must be a string");
                    continue;
                }
                if (!ok) {
                    continue;
                }
                const std::string problem = source ? rules->add_network(source.Scalar(), zone)
                                                   : rules->add_host(host.Scalar(), zone);
                if (!problem.empty()) {
                    time.error(what, at + ": " + problem);
                }
            }
            c.time.zones = rules->empty() ? nullptr : std::move(rules);
        });

    alerts.on("max_age", duration_value(alerts, "max_age", c.alerts.max_age_ns, 0))
        .on("max_bytes",
            [&](const YAML::Node& node) {
                auto n = to_int<std::uint64_t>(node);
                if (!n) {
                    alerts.error(node,
                                 "'alerts.max_bytes' must be a number of bytes (0: no limit)");
                    return;
                }
                c.alerts.max_bytes = *n;
            })
        .on("retention_interval",
            duration_value(alerts, "retention_interval", c.alerts.retention_interval_ns, 1))
        .on("rate_limit", [&](const YAML::Node& node) {
            auto n = to_int<std::uint64_t>(node);
            if (!n) {
                alerts.error(node, "'alerts.rate_limit' must be a number of alerts per rule and "
                                   "minute (0: no limit)");
                return;
            }
            c.alerts.rate_limit = *n;
        });

    // The keys every destination has (outputs.webhooks[], outputs.kafka).
    auto destination_keys = [&](section_reader& r, vigil_config::destination_section& d) {
        auto list = [&r](const std::string& key, std::vector<std::string>& target) {
            return [&r, key, &target](const YAML::Node& node) {
                if (!node.IsSequence()) {
                    r.error(node, "'" + r.qualified(key) + "' must be a list");
                    return;
                }
                for (const auto& item : node) {
                    if (!item.IsScalar() || item.Scalar().empty()) {
                        r.error(item, "'" + r.qualified(key) + "' must be a list of names");
                        return;
                    }
                    target.push_back(item.Scalar());
                }
            };
        };
        r.on("name", string_value(r, "name", [&d](const std::string& v) { d.name = v; }))
            .on("min_level",
                [&r, &d](const YAML::Node& node) {
                    static const std::vector<std::string> levels = {"informational", "low",
                                                                    "medium", "high", "critical"};
                    if (!node.IsScalar() ||
                        std::find(levels.begin(), levels.end(), node.Scalar()) == levels.end()) {
                        r.error(node, "'" + r.qualified("min_level") +
                                          "' must be informational, low, medium, high or critical");
                        return;
                    }
                    d.min_level = node.Scalar();
                })
            .on("rules", list("rules", d.rules))
            .on("tags", list("tags", d.tags))
            .on("tenants", list("tenants", d.tenants))
            .on("escalations",
                [&r, &d](const YAML::Node& node) {
                    if (!node.IsScalar() || (node.Scalar() != "true" && node.Scalar() != "false")) {
                        r.error(node, "'" + r.qualified("escalations") + "' must be true or false");
                        return;
                    }
                    d.escalations = node.Scalar() == "true";
                })
            .on("concurrency", count_value(r, "concurrency", d.concurrency, 1))
            .on("max_age", duration_value(r, "max_age", d.max_age_ns, 1))
            .on("initial_backoff", duration_value(r, "initial_backoff", d.initial_backoff_ns, 1))
            .on("max_backoff", duration_value(r, "max_backoff", d.max_backoff_ns, 1));
    };
    std::vector<std::string> destination_names;
    auto named = [&](const YAML::Node& at, const std::string& what, const std::string& name) {
        const bool plain = std::all_of(name.begin(), name.end(), [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
        });
        if (name.empty()) {
            diags.error(file_name, line_of(at), "", "'" + what + "' needs a 'name'");
        } else if (!plain) {
            diags.error(file_name, line_of(at), "",
                        "'" + what + "': the name '" + name +
                            "' may hold only letters, digits, '-', '_' and '.' (it labels metrics "
                            "and names the destination in the API)");
        } else if (std::find(destination_names.begin(), destination_names.end(), name) !=
                   destination_names.end()) {
            diags.error(file_name, line_of(at), "",
                        "'" + what + "': the name '" + name + "' is taken by another output");
        }
        destination_names.push_back(name);
    };
    outputs
        .on("stdout",
            [&](const YAML::Node& node) {
                if (!node.IsScalar() || (node.Scalar() != "true" && node.Scalar() != "false")) {
                    outputs.error(node, "'outputs.stdout' must be true or false");
                    return;
                }
                c.outputs.stdout_alerts = node.Scalar() == "true";
            })
        .on("webhooks",
            [&](const YAML::Node& node) {
                if (!node.IsSequence() && !node.IsNull()) {
                    outputs.error(node, "'outputs.webhooks' must be a list of destinations");
                    return;
                }
                for (std::size_t i = 0; i < node.size(); ++i) {
                    const std::string at = "outputs.webhooks[" + std::to_string(i) + "]";
                    section_reader hook(file_name, diags, at);
                    vigil_config::webhook_section w;
                    destination_keys(hook, w.delivery);
                    hook.on("url",
                            [&](const YAML::Node& url) {
                                if (!url.IsScalar() || !(url.Scalar().starts_with("http://") ||
                                                         url.Scalar().starts_with("https://"))) {
                                    hook.error(url, "'" + at +
                                                        ".url' must be an http:// or "
                                                        "https:// URL");
                                    return;
                                }
                                w.url = url.Scalar();
                            })
                        .on("format",
                            [&](const YAML::Node& format) {
                                static const std::vector<std::string> formats = {
                                    "generic", "slack", "wecom", "dingtalk", "feishu"};
                                if (!format.IsScalar() ||
                                    std::find(formats.begin(), formats.end(), format.Scalar()) ==
                                        formats.end()) {
                                    hook.error(format, "'" + at +
                                                           ".format' must be generic, "
                                                           "slack, wecom, dingtalk or feishu");
                                    return;
                                }
                                w.format = format.Scalar();
                            })
                        .on("secret", string_value(hook, "secret",
                                                   [&w](const std::string& v) { w.secret = v; }))
                        .on("allow_private",
                            [&](const YAML::Node& flag) {
                                if (!flag.IsScalar() ||
                                    (flag.Scalar() != "true" && flag.Scalar() != "false")) {
                                    hook.error(flag, "'" + at +
                                                         ".allow_private' must be true or "
                                                         "false");
                                    return;
                                }
                                w.allow_private = flag.Scalar() == "true";
                            })
                        .on("ca_file", string_value(hook, "ca_file",
                                                    [&w](const std::string& v) { w.ca_file = v; }))
                        .on("timeout",
                            duration_value(hook, "timeout", w.timeout_ns, 1'000'000'000));
                    hook.read(node[i]);
                    if (w.url.empty()) {
                        hook.error(node[i], "'" + at + "' needs a 'url'");
                    }
                    if (w.format == "generic" && !w.secret.empty() && !valid_whsec(w.secret)) {
                        hook.error(node[i], "'" + at +
                                                ".secret' must be whsec_ followed by "
                                                "base64 (a Standard Webhooks secret)");
                    }
                    named(node[i], at, w.delivery.name);
                    c.outputs.webhooks.push_back(std::move(w));
                }
            })
        .on("kafka", [&](const YAML::Node& node) {
            if (node.IsScalar() && node.Scalar() == "off") {
                return;
            }
            section_reader sink(file_name, diags, "outputs.kafka");
            vigil_config::kafka_alerts_section k;
            k.delivery.name = "kafka";
            k.delivery.concurrency = 8;
            destination_keys(sink, k.delivery);
            sink.on("brokers",
                    string_value(sink, "brokers", [&k](const std::string& v) { k.brokers = v; }))
                .on("topic",
                    string_value(sink, "topic", [&k](const std::string& v) { k.topic = v; }))
                .on("properties", [&](const YAML::Node& map) {
                    if (!map.IsMap()) {
                        sink.error(map, "'outputs.kafka.properties' must be a map of librdkafka "
                                        "settings");
                        return;
                    }
                    for (const auto& p : map) {
                        k.properties.emplace_back(p.first.Scalar(), p.second.Scalar());
                    }
                });
            sink.read(node);
            if (k.brokers.empty() || k.topic.empty()) {
                sink.error(node, "'outputs.kafka' needs 'brokers' and 'topic' (or off)");
            }
            named(node, "outputs.kafka", k.delivery.name);
            c.outputs.kafka = std::move(k);
        });

    top.read(root);
    if (c.kafka.brokers.empty() != c.kafka.topics.empty()) {
        diags.error(file_name, 0, "", "'kafka' needs both 'brokers' and 'topics' (or neither)");
    }
    if (c.syslog.tls.listen &&
        (c.syslog.tls.certificate.empty() || c.syslog.tls.private_key.empty())) {
        diags.error(
            file_name, 0, "",
            "'syslog.tls.listen' needs 'syslog.tls.certificate' and 'syslog.tls.private_key'");
    }
    if (c.http.tls.certificate.empty() != c.http.tls.private_key.empty()) {
        diags.error(file_name, 0, "", "'http.tls' needs both 'certificate' and 'private_key'");
    }
    if (diags.has_errors()) {
        return std::unexpected(std::move(diags));
    }
    return c;
}

parse::local_time_config local_time_for(const vigil_config& config, core::source_kind kind) {
    parse::local_time_config local;
    local.year = config.syslog.rfc3164_year;
    local.max_future_skew_ns = config.time.max_future_skew_ns;
    local.source_zones = config.time.zones;
    std::shared_ptr<const core::time_zone> zone;
    switch (kind) {
    case core::source_kind::syslog_udp:
        zone = config.syslog.udp_zone;
        break;
    case core::source_kind::syslog_tcp:
        zone = config.syslog.tcp_zone;
        break;
    case core::source_kind::syslog_tls:
        zone = config.syslog.tls.zone;
        break;
    case core::source_kind::http:
        zone = config.http.zone;
        break;
    case core::source_kind::kafka:
        zone = config.kafka.zone;
        break;
    case core::source_kind::file:
        break;
    }
    const bool syslog = kind == core::source_kind::syslog_udp ||
                        kind == core::source_kind::syslog_tcp ||
                        kind == core::source_kind::syslog_tls;
    if (!zone && syslog) {
        zone = config.syslog.rfc3164_zone;
    }
    if (zone) {
        local.zone = std::move(zone);
    }
    return local;
}

std::expected<vigil_config, core::diagnostics> load_config_file(const std::filesystem::path& file) {
    auto unreadable = [&](const std::string& why) {
        core::diagnostics diags;
        diags.error(file.string(), 0, "", "cannot read the configuration file: " + why);
        return std::unexpected(std::move(diags));
    };
    // A directory opens as a stream that reads nothing: it once started vigild on defaults.
    if (std::error_code ec; std::filesystem::is_directory(file, ec)) {
        return unreadable("it is a directory");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return unreadable(std::filesystem::exists(file) ? "permission denied or not a file"
                                                        : "no such file");
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
        return unreadable("read error");
    }
    return parse_config(buffer.str(), file.string());
}

std::optional<std::filesystem::path> default_config_path() {
    for (const char* candidate : {"packaging/vigil.yaml", "/etc/vigil/vigil.yaml"}) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec)) {
            return std::filesystem::path(candidate);
        }
    }
    return std::nullopt;
}

} // namespace vigil::config
