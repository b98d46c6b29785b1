#include "rules/rule_compiler.hpp"

#include "rules/sigma_loader.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

namespace vigil::rules {
namespace {

// What a predicate tests, before it has an id. Equal keys share one predicate.
struct predicate_key {
    core::field_id field = 0;
    enum class kind : std::uint8_t { pattern, present, absent, absent_or_empty };
    kind type = kind::pattern;
    hs_expression expression;

    auto tie() const { return std::tie(field, type, expression.pattern, expression.flags); }
    friend bool operator<(const predicate_key& a, const predicate_key& b) {
        return a.tie() < b.tie();
    }
};

// A rule's condition as a tree over the rule's predicate keys, before flattening.
struct tree {
    condition_node::op type = condition_node::op::predicate;
    std::size_t key = 0; // index into prepared_rule::keys for op::predicate
    std::vector<tree> children;
};

struct prepared_rule {
    rule_info info;
    std::vector<predicate_key> keys;
    std::vector<int> key_lines; // line of the test each key came from
    tree condition;
};

tree combine(condition_node::op type, std::vector<tree> children) {
    if (children.size() == 1) {
        return std::move(children.front());
    }
    return tree{type, 0, std::move(children)};
}

rule_info info_of(const sigma_rule& rule) {
    return {rule.id,     rule.title, rule.level,  rule.status, rule.description,
            rule.author, rule.tags,  rule.source, rule.file,   rule.line};
}

// Turns one sigma_rule into predicate keys and a tree, checking every expression with
// Hyperscan. Returns nothing (with diagnostics) if any expression is rejected.
class rule_preparer {
public:
    explicit rule_preparer(core::diagnostics& diags) : diags_(diags) {}

    std::optional<prepared_rule> prepare(const sigma_rule& rule) {
        prepared_rule out;
        out.info = info_of(rule);
        bool ok = true;
        std::vector<tree> searches;
        for (const auto& s : rule.searches) {
            std::vector<tree> maps;
            for (const auto& map : s.maps) {
                std::vector<tree> tests;
                for (const auto& test : map.tests) {
                    auto t = prepare_test(rule, test, out);
                    if (!t) {
                        ok = false;
                        continue;
                    }
                    tests.push_back(std::move(*t));
                }
                maps.push_back(combine(condition_node::op::all_of, std::move(tests)));
            }
            searches.push_back(combine(condition_node::op::any_of, std::move(maps)));
        }
        if (!ok) {
            return std::nullopt;
        }
        out.condition = substitute(rule.condition, searches);
        return out;
    }

private:
    std::optional<tree> prepare_test(const sigma_rule& rule, const field_test& test,
                                     prepared_rule& out) {
        auto add_key = [&](predicate_key key) {
            out.keys.push_back(std::move(key));
            out.key_lines.push_back(test.line);
            return tree{condition_node::op::predicate, out.keys.size() - 1, {}};
        };
        switch (test.kind) {
        case match_kind::exists:
            return add_key(
                {test.field,
                 test.exists ? predicate_key::kind::present : predicate_key::kind::absent,
                 {}});
        case match_kind::null:
            return add_key({test.field, predicate_key::kind::absent_or_empty, {}});
        default:
            break;
        }
        std::vector<tree> values;
        bool ok = true;
        for (const auto& value : test.values) {
            predicate_key key{test.field, predicate_key::kind::pattern,
                              build_expression(test, value)};
            if (auto error = check(key.expression)) {
                diags_.error(rule.file, test.line, rule.id,
                             "value '" + value + "' cannot be compiled: " + *error);
                ok = false;
                continue;
            }
            values.push_back(add_key(std::move(key)));
        }
        if (!ok) {
            return std::nullopt;
        }
        return combine(test.all ? condition_node::op::all_of : condition_node::op::any_of,
                       std::move(values));
    }

    // Hyperscan's verdict on one expression, cached: SigmaHQ-style rule sets repeat values.
    std::optional<std::string> check(const hs_expression& expression) {
        auto key = std::make_pair(expression.pattern, expression.flags);
        auto it = checked_.find(key);
        if (it == checked_.end()) {
            auto verdict = hyperscan_database::check(expression);
            it = checked_
                     .emplace(std::move(key),
                              verdict ? std::nullopt : std::optional(verdict.error()))
                     .first;
        }
        return it->second;
    }

    static tree substitute(const condition_expr& expr, const std::vector<tree>& searches) {
        switch (expr.type) {
        case condition_expr::kind::search_ref:
            return searches[expr.search];
        case condition_expr::kind::negate:
            return tree{
                condition_node::op::negate, 0, {substitute(expr.children.front(), searches)}};
        case condition_expr::kind::all_of:
        case condition_expr::kind::any_of: {
            std::vector<tree> children;
            for (const auto& c : expr.children) {
                children.push_back(substitute(c, searches));
            }
            return combine(expr.type == condition_expr::kind::all_of ? condition_node::op::all_of
                                                                     : condition_node::op::any_of,
                           std::move(children));
        }
        }
        return {};
    }

    core::diagnostics& diags_;
    std::map<std::pair<std::string, unsigned>, std::optional<std::string>> checked_;
};

} // namespace

// Assembles a rule_set from prepared rules (a friend of rule_set).
class rule_set_builder {
public:
    // Returns the index (into `rules`) of every rule that uses a predicate Hyperscan refused to
    // compile into its database, with the reason; empty when the set was built.
    static std::map<std::size_t, std::string> build(const std::vector<prepared_rule>& rules,
                                                    std::uint64_t version, rule_set& out) {
        out = rule_set{};
        out.version_ = version;
        std::map<predicate_key, predicate_id> ids;
        std::vector<const predicate_key*> keys_by_id;
        std::vector<std::vector<std::uint32_t>> users; // predicate -> rules
        std::vector<std::vector<std::size_t>> owners;  // predicate -> indices into `rules`

        auto flatten = [&](auto& self, const prepared_rule& rule, std::uint32_t rule_index,
                           const tree& t) -> std::uint32_t {
            condition_node node;
            node.type = t.type;
            if (t.type == condition_node::op::predicate) {
                const predicate_key& key = rule.keys[t.key];
                auto [it, inserted] =
                    ids.emplace(key, static_cast<predicate_id>(keys_by_id.size()));
                if (inserted) {
                    keys_by_id.push_back(&it->first);
                    users.emplace_back();
                    owners.emplace_back();
                }
                node.value = it->second;
                auto& u = users[it->second];
                if (u.empty() || u.back() != rule_index) {
                    u.push_back(rule_index);
                    owners[it->second].push_back(rule_index);
                }
            } else {
                std::vector<std::uint32_t> child_nodes;
                for (const auto& c : t.children) {
                    child_nodes.push_back(self(self, rule, rule_index, c));
                }
                node.first_child = static_cast<std::uint32_t>(out.children_.size());
                node.child_count = static_cast<std::uint32_t>(child_nodes.size());
                out.children_.insert(out.children_.end(), child_nodes.begin(), child_nodes.end());
            }
            out.nodes_.push_back(node);
            return static_cast<std::uint32_t>(out.nodes_.size() - 1);
        };

        for (std::uint32_t r = 0; r < rules.size(); ++r) {
            out.rules_.push_back(rules[r].info);
            out.roots_.push_back(flatten(flatten, rules[r], r, rules[r].condition));
        }
        out.predicate_count_ = keys_by_id.size();

        // One Hyperscan database per field; presence tests beside them.
        std::map<core::field_id, std::vector<hyperscan_database::entry>> per_field;
        for (predicate_id p = 0; p < keys_by_id.size(); ++p) {
            const predicate_key& key = *keys_by_id[p];
            using kind = predicate_key::kind;
            switch (key.type) {
            case kind::pattern:
                per_field[key.field].push_back({key.expression, p});
                break;
            case kind::present:
                out.presence_checks_.push_back({key.field, p, presence_check::when::present});
                break;
            case kind::absent:
                out.presence_checks_.push_back({key.field, p, presence_check::when::absent});
                break;
            case kind::absent_or_empty:
                out.presence_checks_.push_back(
                    {key.field, p, presence_check::when::absent_or_empty});
                break;
            }
        }
        std::map<std::size_t, std::string> failed;
        for (auto& [field, entries] : per_field) {
            auto db = hyperscan_database::compile(entries);
            if (!db) {
                // Blame the expression Hyperscan named, or every rule of the field if none.
                std::vector<predicate_id> blamed;
                if (db.error().index >= 0) {
                    blamed.push_back(entries[static_cast<std::size_t>(db.error().index)].id);
                } else {
                    for (const auto& e : entries) {
                        blamed.push_back(e.id);
                    }
                }
                for (predicate_id p : blamed) {
                    for (std::size_t r : owners[p]) {
                        failed.emplace(r, "pattern /" + keys_by_id[p]->expression.pattern +
                                              "/ cannot be compiled: " + db.error().message);
                    }
                }
                continue;
            }
            out.scratch_.reserve_for(*db);
            out.databases_.push_back({field, std::move(*db), entries.size()});
        }
        if (!failed.empty()) {
            return failed;
        }

        // Index predicates to rules (CSR), and find rules that hold with no hit at all.
        out.rules_by_predicate_offsets_.push_back(0);
        for (const auto& u : users) {
            out.rules_by_predicate_.insert(out.rules_by_predicate_.end(), u.begin(), u.end());
            out.rules_by_predicate_offsets_.push_back(
                static_cast<std::uint32_t>(out.rules_by_predicate_.size()));
        }
        for (std::uint32_t r = 0; r < out.rules_.size(); ++r) {
            if (out.evaluate(r, [](predicate_id) { return false; })) {
                out.always_evaluated_.push_back(r);
            }
        }
        return {};
    }
};

compile_result rule_compiler::compile(std::vector<sigma_rule> rules, std::uint64_t version,
                                      core::diagnostics& diags) {
    const auto started = std::chrono::steady_clock::now();
    compile_result result;
    rule_preparer preparer(diags);
    std::vector<prepared_rule> prepared;
    for (const auto& rule : rules) {
        if (auto p = preparer.prepare(rule)) {
            prepared.push_back(std::move(*p));
        } else {
            ++result.rejected;
        }
    }
    auto set = std::make_shared<rule_set>();
    // Hyperscan may still refuse a database as a whole (size, resources): leave out the rules it
    // blames and build again, until the set compiles.
    for (;;) {
        auto failed = rule_set_builder::build(prepared, version, *set);
        if (failed.empty()) {
            break;
        }
        std::vector<prepared_rule> kept;
        for (std::size_t i = 0; i < prepared.size(); ++i) {
            auto it = failed.find(i);
            if (it == failed.end()) {
                kept.push_back(std::move(prepared[i]));
                continue;
            }
            const rule_info& info = prepared[i].info;
            diags.error(info.file, info.line, info.id, it->second);
            ++result.rejected;
        }
        prepared = std::move(kept);
    }
    result.loaded = set->rules().size();
    result.rules = std::move(set);
    result.compile_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return result;
}

compile_result rule_compiler::load_directory(const std::filesystem::path& dir,
                                             std::uint64_t version, core::diagnostics& diags) {
    sigma_loader loader(core::field_catalog::builtin());
    load_result loaded = loader.load_directory(dir, diags);
    compile_result result = compile(std::move(loaded.rules), version, diags);
    result.rejected += loaded.rejected;
    result.files = loaded.files;
    return result;
}

std::size_t rule_set::database_bytes() const {
    std::size_t total = 0;
    for (const auto& db : databases_) {
        total += db.database.size_bytes();
    }
    return total;
}

} // namespace vigil::rules
