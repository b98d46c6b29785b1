#include "rules/correlation_compiler.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <string>

namespace vigil::rules {
namespace {

// What a name in `rules:` refers to.
struct reference {
    bool correlation = false;
    std::uint32_t index = 0; // detection rule index, or index into the input correlations
};

class union_find {
public:
    explicit union_find(std::size_t n) : parent_(n) {
        std::iota(parent_.begin(), parent_.end(), 0);
    }
    std::size_t find(std::size_t x) {
        while (parent_[x] != x) {
            parent_[x] = parent_[parent_[x]];
            x = parent_[x];
        }
        return x;
    }
    void unite(std::size_t a, std::size_t b) { parent_[find(a)] = find(b); }

private:
    std::vector<std::size_t> parent_;
};

std::string describe(const std::string& name) {
    return "'" + name + "'";
}

} // namespace

std::optional<std::uint32_t> correlation_set::find(const std::string& fingerprint) const {
    for (std::uint32_t i = 0; i < correlations_.size(); ++i) {
        if (correlations_[i].fingerprint == fingerprint) {
            return i;
        }
    }
    return std::nullopt;
}

std::size_t correlation_compiler::compile(std::vector<correlation_rule> rules,
                                          std::vector<rule_info>& infos,
                                          core::field_catalog& catalog, correlation_set& out,
                                          core::diagnostics& diags) {
    const auto detections = static_cast<std::uint32_t>(infos.size());
    std::map<std::string, reference> by_name;
    for (std::uint32_t i = 0; i < detections; ++i) {
        by_name[infos[i].id] = {false, i};
        if (!infos[i].name.empty()) {
            by_name.emplace(infos[i].name, reference{false, i});
        }
    }
    for (std::uint32_t i = 0; i < rules.size(); ++i) {
        for (const std::string* key : {&rules[i].id, &rules[i].name}) {
            if (key->empty()) {
                continue;
            }
            if (auto [it, added] = by_name.emplace(*key, reference{true, i}); !added) {
                if (!(it->second.correlation && it->second.index == i) && !rules[i].suppression) {
                    diags.warning(rules[i].file, rules[i].line, rules[i].id,
                                  "name " + describe(*key) +
                                      " is used by another rule too; "
                                      "references to it mean the other rule");
                }
            }
        }
    }

    // Resolve references; order the correlations so that each comes after those it refers to.
    enum class state : std::uint8_t { unvisited, visiting, done, failed };
    std::vector<state> states(rules.size(), state::unvisited);
    std::vector<std::uint32_t> order;
    auto fail = [&](std::uint32_t i, const std::string& reason) {
        diags.error(rules[i].file, rules[i].line, rules[i].id, reason, "correlation");
    };
    std::function<bool(std::uint32_t)> visit = [&](std::uint32_t i) -> bool {
        if (states[i] == state::done) {
            return true;
        }
        if (states[i] == state::failed) {
            return false;
        }
        if (states[i] == state::visiting) {
            fail(i, "correlation rules refer to each other in a cycle");
            return false;
        }
        states[i] = state::visiting;
        bool ok = true;
        for (const auto& name : rules[i].rules) {
            auto it = by_name.find(name);
            if (it == by_name.end()) {
                fail(i, "refers to " + describe(name) +
                            ", which is neither the id nor the name of a loaded rule (rules with "
                            "errors are not loaded)");
                ok = false;
                continue;
            }
            if (it->second.correlation && !visit(it->second.index)) {
                if (states[i] == state::visiting) {
                    fail(i, "refers to correlation " + describe(name) + ", which was rejected");
                }
                ok = false;
            }
        }
        states[i] = ok ? state::done : state::failed;
        if (ok) {
            order.push_back(i);
        }
        return ok;
    };
    for (std::uint32_t i = 0; i < rules.size(); ++i) {
        visit(i);
    }

    std::vector<std::int64_t> compiled_index(rules.size(), -1);
    out.feeds_.assign(detections, {});
    out.silent_.assign(detections, false);
    std::vector<std::uint8_t> detection_generate(detections, 0); // 1 silent, 2 generate
    struct pending_consumer {
        std::uint32_t from; // compiled correlation
        correlation_feed feed;
    };
    std::vector<pending_consumer> chained;
    std::vector<std::uint8_t> correlation_generate;

    for (std::uint32_t i : order) {
        const correlation_rule& rule = rules[i];
        bool ok = true;
        compiled_correlation c;
        c.type = rule.type;
        c.timespan_ns = rule.timespan_ns;
        c.suppress_ns = rule.suppress_ns;
        c.across_tenants = rule.across_tenants;
        c.suppression = rule.suppression;
        c.condition = rule.condition;
        c.rule_count = static_cast<std::uint32_t>(rule.rules.size());
        c.key_names = rule.group_by;
        c.fingerprint = rule.fingerprint;
        if (rule.rules.size() > 64 || rule.group_by.size() > 32) {
            fail(i, "a correlation takes at most 64 rules and 32 group-by fields");
            ok = false;
        }
        switch (rule.type) {
        case correlation_type::event_count:
        case correlation_type::value_count:
        case correlation_type::value_sum:
            c.eager = rule.condition.lower_bounds_only();
            break;
        case correlation_type::temporal:
        case correlation_type::temporal_ordered:
            c.eager = true;
            break;
        default:
            c.eager = false;
        }
        if (rule.type == correlation_type::temporal) {
            c.minimum_count =
                rule.condition.empty() ? c.rule_count : rule.condition.minimum_count();
        } else if (rule.type == correlation_type::temporal_ordered) {
            c.minimum_count = c.rule_count;
        } else {
            c.minimum_count = rule.condition.empty() ? 1 : rule.condition.minimum_count();
        }
        for (const auto& [alias, per_rule] : rule.aliases) {
            if (std::find(rule.group_by.begin(), rule.group_by.end(), alias) ==
                    rule.group_by.end() &&
                std::find(rule.condition.fields.begin(), rule.condition.fields.end(), alias) ==
                    rule.condition.fields.end()) {
                diags.warning(rule.file, rule.line, rule.id,
                              "alias " + describe(alias) + " is not used in group-by or field");
            }
            for (const auto& [name, field] : per_rule) {
                if (std::find(rule.rules.begin(), rule.rules.end(), name) == rule.rules.end()) {
                    fail(i, "alias " + describe(alias) + " names rule " + describe(name) +
                                ", which is not in this correlation's rules");
                    ok = false;
                }
            }
        }
        // The field a name stands for in the events of the rule referred to as `ref_name`.
        auto field_name_for = [&](const std::string& name, const std::string& ref_name,
                                  const std::string& ref_id) -> std::optional<std::string> {
            auto alias = rule.aliases.find(name);
            if (alias == rule.aliases.end()) {
                return name;
            }
            for (const std::string* key : {&ref_name, &ref_id}) {
                if (auto it = alias->second.find(*key); it != alias->second.end()) {
                    return it->second;
                }
            }
            return std::nullopt;
        };

        std::vector<std::pair<reference, correlation_feed>> feeds;
        for (std::size_t pos = 0; pos < rule.rules.size() && ok; ++pos) {
            const reference ref = by_name.at(rule.rules[pos]);
            if (ref.correlation && compiled_index[ref.index] < 0) {
                fail(i,
                     "refers to correlation " + describe(rule.rules[pos]) + ", which was rejected");
                ok = false;
                break;
            }
            auto existing = std::find_if(feeds.begin(), feeds.end(), [&](const auto& f) {
                return f.first.correlation == ref.correlation && f.first.index == ref.index;
            });
            if (existing != feeds.end()) {
                existing->second.slots |= std::uint64_t{1} << pos;
                continue;
            }
            correlation_feed feed;
            feed.slots = std::uint64_t{1} << pos;
            const std::string& written = rule.rules[pos];
            const std::string ref_id = ref.correlation ? rules[ref.index].id : infos[ref.index].id;
            const std::string ref_name =
                ref.correlation ? rules[ref.index].name : infos[ref.index].name;
            auto resolve = [&](const std::string& name, std::vector<core::field_id>& fields,
                               std::vector<std::uint8_t>& positions) {
                auto field = field_name_for(name, ref_name.empty() ? written : ref_name, ref_id);
                if (!field) {
                    fail(i, "alias " + describe(name) + " names no field for rule " +
                                describe(written));
                    ok = false;
                    return;
                }
                if (!ref.correlation) {
                    auto id = catalog.find(*field);
                    fields.push_back(id ? *id : catalog.add(*field));
                    return;
                }
                const auto& source = rules[ref.index].group_by;
                auto at = std::find(source.begin(), source.end(), *field);
                if (at == source.end()) {
                    fail(i, describe(*field) + " is not a group-by field of correlation " +
                                describe(written) + ", so it cannot be read from its alerts");
                    ok = false;
                    return;
                }
                positions.push_back(static_cast<std::uint8_t>(at - source.begin()));
            };
            for (const auto& g : rule.group_by) {
                resolve(g, feed.key_fields, feed.key_from);
            }
            for (const auto& f : rule.condition.fields) {
                resolve(f, feed.value_fields, feed.value_from);
            }
            feeds.emplace_back(ref, std::move(feed));
        }
        if (!ok) {
            states[i] = state::failed;
            continue;
        }
        // A correlation that refers to a rejected one was already failed by visit(); here every
        // reference is compiled.
        const auto index = static_cast<std::uint32_t>(out.correlations_.size());
        compiled_index[i] = index;
        rule_info info;
        info.id = rule.id;
        info.name = rule.name;
        info.title = rule.title;
        info.level = rule.level.empty() ? "medium" : rule.level;
        info.level_given = !rule.level.empty();
        info.status = rule.status;
        info.description = rule.description;
        info.author = rule.author;
        info.tags = rule.tags;
        info.file = rule.file;
        info.line = rule.line;
        info.correlation = true;
        c.rule = static_cast<std::uint32_t>(infos.size());
        infos.push_back(std::move(info));
        out.correlations_.push_back(std::move(c));
        correlation_generate.push_back(0);
        for (auto& [ref, feed] : feeds) {
            feed.correlation = index;
            if (!ref.correlation) {
                detection_generate[ref.index] |= rule.generate ? 2 : 1;
                out.feeds_[ref.index].push_back(std::move(feed));
            } else {
                const auto from = static_cast<std::uint32_t>(compiled_index[ref.index]);
                correlation_generate[from] |= rule.generate ? 2 : 1;
                chained.push_back({from, std::move(feed)});
            }
        }
    }
    const auto rejected =
        static_cast<std::size_t>(std::count(states.begin(), states.end(), state::failed));

    for (auto& [from, feed] : chained) {
        out.correlations_[from].consumers.push_back(std::move(feed));
    }
    for (std::uint32_t r = 0; r < detections; ++r) {
        out.silent_[r] = detection_generate[r] == 1;
    }
    for (std::uint32_t c = 0; c < out.correlations_.size(); ++c) {
        auto& corr = out.correlations_[c];
        corr.alerts = correlation_generate[c] != 1;
    }

    // Routing: key positions linked by chaining are one value; a chain's shard is chosen by the
    // values every correlation of the chain carries.
    std::vector<std::size_t> first_position;
    std::size_t positions = 0;
    for (const auto& c : out.correlations_) {
        first_position.push_back(positions);
        positions += c.key_names.size();
    }
    union_find values(positions);
    union_find chains(out.correlations_.size());
    for (std::uint32_t c = 0; c < out.correlations_.size(); ++c) {
        for (const auto& feed : out.correlations_[c].consumers) {
            chains.unite(c, feed.correlation);
            for (std::size_t j = 0; j < feed.key_from.size(); ++j) {
                values.unite(first_position[feed.correlation] + j,
                             first_position[c] + feed.key_from[j]);
            }
        }
    }
    for (std::uint32_t c = 0; c < out.correlations_.size(); ++c) {
        auto& corr = out.correlations_[c];
        std::vector<std::pair<std::size_t, std::uint8_t>> shared; // value class, position
        for (std::size_t j = 0; j < corr.key_names.size(); ++j) {
            const std::size_t cls = values.find(first_position[c] + j);
            bool everywhere = true;
            for (std::uint32_t other = 0; other < out.correlations_.size() && everywhere; ++other) {
                if (other == c || chains.find(other) != chains.find(c)) {
                    continue;
                }
                bool found = false;
                for (std::size_t k = 0; k < out.correlations_[other].key_names.size(); ++k) {
                    found = found || values.find(first_position[other] + k) == cls;
                }
                everywhere = found;
            }
            if (everywhere) {
                shared.emplace_back(cls, static_cast<std::uint8_t>(j));
            }
        }
        std::sort(shared.begin(), shared.end());
        shared.erase(std::unique(shared.begin(), shared.end(),
                                 [](const auto& a, const auto& b) { return a.first == b.first; }),
                     shared.end());
        for (const auto& s : shared) {
            corr.route.push_back(s.second);
        }
    }
    return rejected;
}

std::vector<core::field_id> correlation_compiler::fields_read(const correlation_set& set) {
    std::vector<core::field_id> fields;
    for (const auto& feeds : set.feeds_) {
        for (const auto& feed : feeds) {
            fields.insert(fields.end(), feed.key_fields.begin(), feed.key_fields.end());
            fields.insert(fields.end(), feed.value_fields.begin(), feed.value_fields.end());
        }
    }
    std::sort(fields.begin(), fields.end());
    fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
    return fields;
}

} // namespace vigil::rules
