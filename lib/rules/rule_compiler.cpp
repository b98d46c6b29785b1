#include "rules/rule_compiler.hpp"

#include "core/ascii.hpp"
#include "parse/envelope.hpp"
#include "parse/field_schema.hpp"
#include "rules/correlation_compiler.hpp"
#include "rules/ip_network.hpp"
#include "rules/sigma_loader.hpp"
#include "rules/sigma_pattern.hpp"
#include "rules/sigma_value.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <deque>
#include <hs.h>
#include <optional>
#include <set>
#include <string>

namespace vigil::rules {
namespace {

// The shortest required literal worth finding before a regular expression runs.
constexpr std::size_t min_prefilter_bytes = 3;

// The shortest literal outside `not` that the first stage decides even when it is no trigger.
constexpr std::size_t min_eager_literal_bytes = 6;

// A trigger set at least this likely to hit makes a rule a candidate for many events: its
// other patterns (outside `not`) are then decided by the first stage.
constexpr double common_trigger = 0.1;

// The most values one test may stand for after IOC lists are expanded into patterns.
constexpr std::size_t max_expanded_values = 200'000;

// What a predicate decides, before it has an id. Equal signatures share one predicate.
struct predicate_key {
    enum class kind : std::uint8_t {
        pattern,
        keyword_pattern,
        present,
        absent,
        absent_or_empty,
        exact,
        basename,
        cidr,
        suffix,
        compare,
        fieldref
    };
    predicate_key(kind t, core::field_id f) : type(t), field(f) {}

    kind type = kind::pattern;
    core::field_id field = 0;
    hs_expression expression;
    bool cased = false;
    std::vector<std::string> values; // exact, suffix: sorted, unique
    std::vector<ip_network> networks;
    compare_op op = compare_op::lt;
    double threshold = 0;
    core::field_id other = 0;
    match_kind ref_kind = match_kind::equals;
    std::string signature;

    void sign() {
        signature.clear();
        signature += static_cast<char>(type);
        signature.append(reinterpret_cast<const char*>(&field), sizeof field);
        signature += cased ? 'c' : 'i';
        switch (type) {
        case kind::pattern:
        case kind::keyword_pattern:
            signature += expression.pattern;
            signature += '\0';
            signature += std::to_string(expression.flags);
            break;
        case kind::exact:
        case kind::basename:
        case kind::suffix:
            for (const auto& v : values) {
                signature += v;
                signature += '\0';
            }
            break;
        case kind::cidr:
            for (const auto& n : networks) {
                signature.append(reinterpret_cast<const char*>(n.bytes.data()), n.bytes.size());
                signature += static_cast<char>(n.prefix);
            }
            break;
        case kind::compare:
            signature += static_cast<char>(op);
            signature.append(reinterpret_cast<const char*>(&threshold), sizeof threshold);
            break;
        case kind::fieldref:
            signature.append(reinterpret_cast<const char*>(&other), sizeof other);
            signature += static_cast<char>(ref_kind);
            break;
        default:
            break;
        }
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
    tree condition;
};

tree combine(condition_node::op type, std::vector<tree> children) {
    if (children.size() == 1) {
        return std::move(children.front());
    }
    return tree{type, 0, std::move(children)};
}

std::string describe(const logsource& s) {
    std::string out;
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string&>{"product", s.product},
          {"category", s.category},
          {"service", s.service}}) {
        if (!value.empty()) {
            out += (out.empty() ? "" : ", ") + std::string(name) + ": " + value;
        }
    }
    return out.empty() ? "(none)" : out;
}

// Turns one sigma_rule into predicate keys and a tree, checking every expression with
// Hyperscan. Returns nothing (with diagnostics) when the rule cannot be compiled.
class rule_preparer {
public:
    rule_preparer(const logsource_map& logsources, const ioc_lists& lists, core::diagnostics& diags)
        : logsources_(logsources), lists_(lists), diags_(diags) {}

    std::optional<prepared_rule> prepare(const sigma_rule& rule) {
        rule_ = &rule;
        ok_ = true;
        prepared_rule out;
        out.info = {
            rule.id,   rule.title,      rule.level, rule.status, rule.description, rule.author,
            rule.tags, rule.source,     {},         rule.file,   rule.line,        rule.name,
            false,     rule.level_given};
        out.info.classes = logsources_.classes_for(rule.source);
        if (out.info.classes.empty()) {
            fail(rule.line,
                 "log source (" + describe(rule.source) +
                     ") has no mapping in schemas/logsources.yaml",
                 "logsource");
        }
        keys_ = &out.keys;
        std::vector<tree> searches;
        for (const auto& s : rule.searches) {
            std::vector<tree> maps;
            for (const auto& map : s.maps) {
                std::vector<tree> tests;
                for (const auto& test : map.tests) {
                    tests.push_back(prepare_test(test));
                }
                maps.push_back(combine(condition_node::op::all_of, std::move(tests)));
            }
            searches.push_back(combine(condition_node::op::any_of, std::move(maps)));
        }
        if (!ok_) {
            return std::nullopt;
        }
        out.condition = substitute(rule.condition, searches);
        return out;
    }

private:
    void fail(int line, const std::string& reason, const std::string& code) {
        diags_.error(rule_->file, line, rule_->id, reason, code);
        ok_ = false;
    }

    tree add(predicate_key key) {
        key.sign();
        keys_->push_back(std::move(key));
        return tree{condition_node::op::predicate, keys_->size() - 1, {}};
    }

    tree join(const field_test& test, std::vector<tree> parts) {
        if (parts.empty()) {
            // Every value was dropped (a value that cannot be encoded): nothing can match.
            predicate_key never{predicate_key::kind::exact, test.field};
            return add(std::move(never));
        }
        return combine(test.all ? condition_node::op::all_of : condition_node::op::any_of,
                       std::move(parts));
    }

    tree prepare_test(const field_test& test) {
        tree t = prepare_positive(test);
        if (test.negate) {
            return tree{condition_node::op::negate, 0, {std::move(t)}};
        }
        return t;
    }

    tree prepare_positive(const field_test& test) {
        using kind = predicate_key::kind;
        switch (test.kind) {
        case match_kind::exists:
            return add(predicate_key(test.exists ? kind::present : kind::absent, test.field));
        case match_kind::null:
            return add(predicate_key(kind::absent_or_empty, test.field));
        case match_kind::compare: {
            std::vector<tree> parts;
            for (const auto& v : test.values) {
                predicate_key key{kind::compare, test.field};
                key.op = test.compare;
                key.threshold = parse_number(v).value_or(0);
                parts.push_back(add(std::move(key)));
            }
            return join(test, std::move(parts));
        }
        case match_kind::regex: {
            std::vector<tree> parts;
            for (const auto& v : test.values) {
                if (auto hazard = regex_hazard(v)) {
                    fail(test.line, "regular expression '" + v + "': " + *hazard, "regex");
                    continue;
                }
                predicate_key key{test.keywords ? kind::keyword_pattern : kind::pattern,
                                  test.field};
                key.expression = build_regex(v, test.regex);
                if (check(key.expression, test, v)) {
                    parts.push_back(add(std::move(key)));
                }
            }
            return join(test, std::move(parts));
        }
        default:
            break;
        }
        if (test.fieldref) {
            std::vector<tree> parts;
            for (std::size_t i = 0; i < test.referenced_fields.size(); ++i) {
                predicate_key key{kind::fieldref, test.field};
                key.other = test.referenced_fields[i];
                key.ref_kind = test.kind;
                key.cased = test.cased;
                parts.push_back(add(std::move(key)));
            }
            return join(test, std::move(parts));
        }
        if (test.expand) {
            if (auto typed = prepare_ioc_lookup(test)) {
                return std::move(*typed);
            }
        }
        if (test.kind == match_kind::cidr) {
            predicate_key key{kind::cidr, test.field};
            std::vector<tree> parts;
            for (const auto& v : expanded_values(test)) {
                auto net = ip_network::parse(v);
                if (!net) {
                    fail(test.line, "'" + v + "' is not an IPv4 or IPv6 address or network",
                         "value");
                    continue;
                }
                if (test.all) {
                    predicate_key one{kind::cidr, test.field};
                    one.networks = {*net};
                    parts.push_back(add(std::move(one)));
                } else {
                    key.networks.push_back(*net);
                }
            }
            if (!key.networks.empty()) {
                std::sort(key.networks.begin(), key.networks.end());
                key.networks.erase(std::unique(key.networks.begin(), key.networks.end()),
                                   key.networks.end());
                parts.push_back(add(std::move(key)));
            }
            return join(test, std::move(parts));
        }
        return prepare_strings(test, expanded_values(test));
    }

    // Plain, contains, startswith, endswith, with encodings: exact values go to one hash-set
    // predicate (per value with |all), everything else to Hyperscan.
    tree prepare_strings(const field_test& test, const std::vector<std::string>& values) {
        using kind = predicate_key::kind;
        std::vector<tree> parts;
        // Exact values, and endswith '\\name' as a lookup of the last path component.
        predicate_key exact{kind::exact, test.field};
        exact.cased = test.cased;
        predicate_key basename{kind::basename, test.field};
        basename.cased = test.cased;
        for (const auto& v : values) {
            std::vector<tree> variants;
            predicate_key own_exact{kind::exact, test.field};
            own_exact.cased = test.cased;
            predicate_key own_basename{kind::basename, test.field};
            own_basename.cased = test.cased;
            for (const auto& variant : prepare_value(v, test.encodings)) {
                if (!test.keywords && variant.is_literal()) {
                    std::string literal = variant.literal();
                    if (test.kind == match_kind::equals) {
                        (test.all ? own_exact : exact)
                            .values.push_back(test.cased ? literal : core::ascii::folded(literal));
                        continue;
                    }
                    if (test.kind == match_kind::endswith && literal.size() > 1 &&
                        literal[0] == '\\' && literal.find('\\', 1) == std::string::npos) {
                        literal.erase(0, 1);
                        (test.all ? own_basename : basename)
                            .values.push_back(test.cased ? literal : core::ascii::folded(literal));
                        continue;
                    }
                }
                predicate_key key{test.keywords ? kind::keyword_pattern : kind::pattern,
                                  test.field};
                key.expression = build_expression(variant, test.kind, test.cased);
                if (check(key.expression, test, v)) {
                    variants.push_back(add(std::move(key)));
                }
            }
            for (predicate_key* own : {&own_exact, &own_basename}) {
                if (!own->values.empty()) {
                    variants.push_back(add(std::move(*own)));
                }
            }
            if (test.all) {
                if (variants.empty()) {
                    predicate_key never{kind::exact, test.field};
                    variants.push_back(add(std::move(never)));
                }
                parts.push_back(combine(condition_node::op::any_of, std::move(variants)));
            } else {
                for (auto& t : variants) {
                    parts.push_back(std::move(t));
                }
            }
        }
        for (predicate_key* key : {&exact, &basename}) {
            if (!key->values.empty()) {
                std::sort(key->values.begin(), key->values.end());
                key->values.erase(std::unique(key->values.begin(), key->values.end()),
                                  key->values.end());
                parts.push_back(add(std::move(*key)));
            }
        }
        return join(test, std::move(parts));
    }

    // `field|expand: '%list%'` (the whole value one placeholder, plain or cidr): the list's
    // entries are looked up by kind (networks by prefix, domains by suffix, the rest exactly)
    // instead of becoming patterns. Nothing when the values are not of that form.
    std::optional<tree> prepare_ioc_lookup(const field_test& test) {
        using kind = predicate_key::kind;
        if ((test.kind != match_kind::equals && test.kind != match_kind::cidr) || test.all ||
            !test.encodings.empty() || test.keywords) {
            return std::nullopt;
        }
        for (const auto& v : test.values) {
            auto names = placeholders(v);
            if (names.size() != 1 || v != "%" + names[0] + "%") {
                return std::nullopt;
            }
        }
        predicate_key exact{kind::exact, test.field};
        exact.cased = test.cased;
        predicate_key cidr{kind::cidr, test.field};
        predicate_key suffix{kind::suffix, test.field};
        for (const auto& v : test.values) {
            const std::string name = placeholders(v)[0];
            const ioc_list* list = lists_.find(name);
            if (!list) {
                fail(test.line,
                     "placeholder %" + name + "% has no IOC list (rules/lists/" + name + ".txt)",
                     "ioc_list");
                continue;
            }
            for (const auto& entry : list->values) {
                switch (test.kind == match_kind::cidr ? ioc_kind::network : classify_ioc(entry)) {
                case ioc_kind::network:
                    if (auto net = ip_network::parse(entry)) {
                        cidr.networks.push_back(*net);
                    } else {
                        fail(test.line, list->file + ": '" + entry + "' is not a network",
                             "ioc_list");
                    }
                    break;
                case ioc_kind::domain:
                    suffix.values.push_back(
                        core::ascii::folded(entry.starts_with("*.") ? entry.substr(2) : entry));
                    break;
                case ioc_kind::exact:
                    exact.values.push_back(test.cased ? entry : core::ascii::folded(entry));
                    break;
                }
            }
        }
        std::vector<tree> parts;
        for (predicate_key* key : {&exact, &cidr, &suffix}) {
            std::sort(key->values.begin(), key->values.end());
            key->values.erase(std::unique(key->values.begin(), key->values.end()),
                              key->values.end());
            std::sort(key->networks.begin(), key->networks.end());
            key->networks.erase(std::unique(key->networks.begin(), key->networks.end()),
                                key->networks.end());
            if (!key->values.empty() || !key->networks.empty()) {
                parts.push_back(add(std::move(*key)));
            }
        }
        return join(test, std::move(parts));
    }

    // The test's values with IOC list placeholders replaced by each entry (|expand).
    std::vector<std::string> expanded_values(const field_test& test) {
        if (!test.expand) {
            return test.values;
        }
        std::vector<std::string> out;
        for (const auto& v : test.values) {
            std::vector<std::string> current{v};
            for (const auto& name : placeholders(v)) {
                const ioc_list* list = lists_.find(name);
                if (!list) {
                    fail(test.line,
                         "placeholder %" + name + "% has no IOC list (rules/lists/" + name +
                             ".txt)",
                         "ioc_list");
                    return {};
                }
                std::vector<std::string> next;
                for (const auto& c : current) {
                    for (const auto& entry : list->values) {
                        next.push_back(rules::substitute(c, name, entry));
                    }
                }
                current = std::move(next);
                if (current.size() > max_expanded_values) {
                    fail(test.line,
                         "expanding '" + v + "' gives more than " +
                             std::to_string(max_expanded_values) + " values",
                         "ioc_list");
                    return {};
                }
            }
            out.insert(out.end(), current.begin(), current.end());
        }
        return out;
    }

    // Hyperscan's verdict on one expression, cached: SigmaHQ-style rule sets repeat values.
    bool check(const hs_expression& expression, const field_test& test, const std::string& value) {
        auto key = std::make_pair(expression.pattern, expression.flags);
        auto it = checked_.find(key);
        if (it == checked_.end()) {
            auto verdict = hyperscan_database::check(expression);
            it = checked_
                     .emplace(std::move(key),
                              verdict ? std::nullopt : std::optional(verdict.error()))
                     .first;
        }
        if (it->second) {
            fail(test.line, "value '" + value + "' cannot be compiled: " + *it->second, "pattern");
            return false;
        }
        return true;
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

    const logsource_map& logsources_;
    const ioc_lists& lists_;
    core::diagnostics& diags_;
    const sigma_rule* rule_ = nullptr;
    std::vector<predicate_key>* keys_ = nullptr;
    bool ok_ = true;
    std::map<std::pair<std::string, unsigned>, std::optional<std::string>> checked_;
};

// Rejected rules by the reason of each one's first error, over diagnostics from `first` on.
std::map<std::string, std::size_t> count_rejections(const core::diagnostics& diags,
                                                    std::size_t first) {
    std::map<std::string, std::size_t> out;
    std::set<std::pair<std::string, std::string>> counted; // (file, rule id)
    for (std::size_t i = first; i < diags.items().size(); ++i) {
        const auto& d = diags.items()[i];
        if (d.level == core::diagnostic::severity::error &&
            counted.insert({d.file, d.rule_id}).second) {
            ++out[d.code.empty() ? "rule" : d.code];
        }
    }
    return out;
}

} // namespace

// Assembles a rule_set from prepared rules (a friend of rule_set).
class rule_set_builder {
public:
    struct database_entry {
        std::shared_ptr<const hyperscan_database> database;
        std::string error; // when Hyperscan refused the set
        int error_index = -1;
    };

    // Builds every class program. Returns the rules (indices into `rules`) that use a
    // predicate Hyperscan refused to compile into its database, with the reason; empty when the
    // set was built.
    static std::map<std::size_t, std::string> build(const std::vector<prepared_rule>& rules,
                                                    std::size_t class_count,
                                                    const core::field_catalog& catalog,
                                                    rule_set& out) {
        std::map<std::string, database_entry> databases; // expression set -> compiled database
        std::map<std::size_t, std::string> failed;
        out.programs_.assign(class_count, class_program{});
        out.rules_.clear();
        for (const auto& r : rules) {
            out.rules_.push_back(r.info);
        }
        std::vector<std::vector<std::uint32_t>> rules_of_class(class_count);
        for (std::uint32_t r = 0; r < rules.size(); ++r) {
            for (class_id c : rules[r].info.classes) {
                rules_of_class[c].push_back(r);
            }
        }
        for (std::size_t c = 0; c < class_count; ++c) {
            build_program(rules, rules_of_class[c], catalog, databases, out.programs_[c], failed);
        }
        if (!failed.empty()) {
            return failed;
        }
        for (const auto& [signature, entry] : databases) {
            out.scratch_.reserve_for(*entry.database);
            out.stats_.databases += 1;
            out.stats_.database_bytes += entry.database->size_bytes();
        }
        for (const auto& p : out.programs_) {
            out.max_predicates_ = std::max(out.max_predicates_, p.predicate_count);
            out.max_rules_ = std::max(out.max_rules_, p.rules.size());
            if (!p.rules.empty()) {
                ++out.stats_.classes_used;
            }
        }
        return {};
    }

private:
    static void build_program(const std::vector<prepared_rule>& rules,
                              const std::vector<std::uint32_t>& members,
                              const core::field_catalog& catalog,
                              std::map<std::string, database_entry>& databases, class_program& p,
                              std::map<std::size_t, std::string>& failed) {
        using kind = predicate_key::kind;
        std::map<std::string, predicate_id> ids;
        std::vector<const predicate_key*> key_of;
        std::vector<std::vector<std::uint32_t>> users;

        auto flatten = [&](auto& self, const prepared_rule& rule, std::uint32_t local_rule,
                           const tree& t) -> std::uint32_t {
            condition_node node;
            node.type = t.type;
            if (t.type == condition_node::op::predicate) {
                const predicate_key& key = rule.keys[t.key];
                auto [it, inserted] =
                    ids.emplace(key.signature, static_cast<predicate_id>(key_of.size()));
                if (inserted) {
                    key_of.push_back(&key);
                    users.emplace_back();
                }
                node.value = it->second;
                auto& u = users[it->second];
                if (u.empty() || u.back() != local_rule) {
                    u.push_back(local_rule);
                }
            } else {
                std::vector<std::uint32_t> child_nodes;
                for (const auto& c : t.children) {
                    child_nodes.push_back(self(self, rule, local_rule, c));
                }
                node.first_child = static_cast<std::uint32_t>(p.children.size());
                node.child_count = static_cast<std::uint32_t>(child_nodes.size());
                p.children.insert(p.children.end(), child_nodes.begin(), child_nodes.end());
            }
            p.nodes.push_back(node);
            return static_cast<std::uint32_t>(p.nodes.size() - 1);
        };
        for (std::uint32_t local = 0; local < members.size(); ++local) {
            const prepared_rule& rule = rules[members[local]];
            p.rules.push_back(members[local]);
            p.roots.push_back(flatten(flatten, rule, local, rule.condition));
        }
        // A regular expression's required literal stands in for it in trigger sets (a
        // predicate of its own, found by the first stage): the expression itself then runs only
        // for the candidates that reach it.
        std::deque<predicate_key> prefilters;
        std::vector<predicate_id> trigger_of(key_of.size());
        for (predicate_id id = 0; id < trigger_of.size(); ++id) {
            trigger_of[id] = id;
            const predicate_key& key = *key_of[id];
            if ((key.type != kind::pattern && key.type != kind::keyword_pattern) ||
                as_literal(key.expression)) {
                continue;
            }
            auto literal = required_literal(key.expression);
            if (!literal || literal->size() < min_prefilter_bytes) {
                continue;
            }
            predicate_key prefilter{key.type, key.field};
            prefilter.expression = contains_caseless(*literal);
            prefilter.sign();
            auto [it, inserted] =
                ids.emplace(prefilter.signature, static_cast<predicate_id>(key_of.size()));
            if (inserted) {
                key_of.push_back(&prefilters.emplace_back(std::move(prefilter)));
                users.emplace_back();
            }
            trigger_of[id] = it->second;
            auto& u = users[it->second]; // blamed with the expression if it cannot compile
            u.insert(u.end(), users[id].begin(), users[id].end());
        }
        p.predicate_count = key_of.size();

        // Trigger sets, indexed by predicate (CSR): a rule becomes a candidate only when a
        // predicate hits without which its condition cannot hold, chosen as the least likely to
        // hit. A rule without such a set (its condition holds with no hit, as `not filter`
        // does) is a candidate for every event.
        std::vector<double> weight(key_of.size());
        for (predicate_id id = 0; id < key_of.size(); ++id) {
            weight[id] = hit_likelihood(*key_of[id], catalog);
        }
        std::vector<std::vector<std::uint32_t>> triggered(key_of.size());
        std::vector<bool> first_stage(key_of.size(), false);
        std::vector<bool> eager(key_of.size(), false); // of rules with a common trigger
        for (std::uint32_t local = 0; local < p.rules.size(); ++local) {
            auto set = trigger_set(p, p.roots[local], trigger_of, weight);
            if (!set || p.evaluate(local, [](predicate_id) { return false; })) {
                p.always_evaluated.push_back(local);
                continue;
            }
            std::sort(set->begin(), set->end());
            set->erase(std::unique(set->begin(), set->end()), set->end());
            double likelihood = 0;
            for (predicate_id id : *set) {
                triggered[id].push_back(local);
                first_stage[id] = true;
                likelihood += weight[id];
            }
            if (likelihood >= common_trigger) {
                mark_positive(p, p.roots[local], false, eager);
            }
        }
        // Patterns outside `not` join the first stage too when they are long literals (in a
        // per-field database they cost next to nothing, where deciding a list of them one by
        // one for every candidate would not; short ones hit often and slow the databases
        // down), and all of them for a rule whose trigger is common (a web server's name):
        // most events would make it a candidate and need them.
        std::vector<bool> positive(key_of.size(), false);
        for (std::uint32_t local = 0; local < p.rules.size(); ++local) {
            mark_positive(p, p.roots[local], false, positive);
        }
        for (predicate_id id = 0; id < key_of.size(); ++id) {
            const predicate_key& key = *key_of[id];
            if (positive[id] && (key.type == kind::pattern || key.type == kind::keyword_pattern)) {
                auto literal = as_literal(key.expression);
                if (eager[id] || (literal && literal->bytes.size() >= min_eager_literal_bytes)) {
                    first_stage[id] = true;
                }
            }
        }
        p.rules_by_predicate_offsets.push_back(0);
        for (const auto& t : triggered) {
            p.rules_by_predicate.insert(p.rules_by_predicate.end(), t.begin(), t.end());
            p.rules_by_predicate_offsets.push_back(
                static_cast<std::uint32_t>(p.rules_by_predicate.size()));
        }

        // Compiles the expressions of `set` into one database, sorting `set` into the
        // database's id order; identical sets compile once for all classes. Null when Hyperscan
        // refuses the set, with the rules that use the expression it names blamed.
        auto compile_set =
            [&](std::vector<predicate_id>& set) -> std::shared_ptr<const hyperscan_database> {
            std::sort(set.begin(), set.end(), [&](predicate_id a, predicate_id b) {
                return key_of[a]->expression < key_of[b]->expression;
            });
            std::string signature;
            std::vector<hyperscan_database::entry> entries;
            for (std::size_t i = 0; i < set.size(); ++i) {
                const hs_expression& e = key_of[set[i]]->expression;
                signature += e.pattern;
                signature += '\0';
                signature += std::to_string(e.flags);
                signature += '\0';
                entries.push_back({e, static_cast<unsigned>(i)});
            }
            auto [it, inserted] = databases.try_emplace(signature);
            if (inserted) {
                auto db = hyperscan_database::compile(entries);
                if (db) {
                    it->second.database =
                        std::make_shared<const hyperscan_database>(std::move(*db));
                } else {
                    it->second.error = db.error().message;
                    it->second.error_index = db.error().index;
                }
            }
            if (!it->second.database) {
                // Blame the expression Hyperscan named, or every rule of the set if none.
                std::vector<predicate_id> blamed;
                if (it->second.error_index >= 0) {
                    blamed.push_back(set[static_cast<std::size_t>(it->second.error_index)]);
                } else {
                    blamed = set;
                }
                for (predicate_id b : blamed) {
                    for (std::uint32_t local : users[b]) {
                        failed.emplace(p.rules[local],
                                       "pattern /" + key_of[b]->expression.pattern +
                                           "/ cannot be compiled: " + it->second.error);
                    }
                }
            }
            return it->second.database;
        };

        // The first stage holds the triggers and every network and domain lookup (IOC lists:
        // large, and cheap per event); each other predicate gets a test of its own.
        std::map<core::field_id, std::vector<predicate_id>> patterns;
        std::vector<predicate_id> keyword_patterns;
        std::vector<string_table::builder> exact_values; // per p.exact table
        std::vector<string_table::builder> domains;      // per p.suffix table
        p.tests.resize(key_of.size());
        for (predicate_id id = 0; id < key_of.size(); ++id) {
            const predicate_key& key = *key_of[id];
            predicate_test& test = p.tests[id];
            test.field = key.field;
            test.cased = key.cased;
            switch (key.type) {
            case kind::pattern:
            case kind::keyword_pattern:
                if (first_stage[id]) {
                    (key.type == kind::pattern ? patterns[key.field] : keyword_patterns)
                        .push_back(id);
                    break;
                }
                test.keywords = key.type == kind::keyword_pattern;
                if (auto literal = as_literal(key.expression)) {
                    test.type = predicate_test::kind::literal;
                    test.literal = std::move(literal->bytes);
                    test.cased = literal->cased;
                    test.anchor_start = literal->anchor_start;
                    test.anchor_end = literal->anchor_end;
                } else {
                    std::vector<predicate_id> alone{id};
                    test.type = predicate_test::kind::pattern;
                    test.database = compile_set(alone);
                }
                break;
            case kind::exact:
            case kind::basename: {
                const bool basename = key.type == kind::basename;
                if (!first_stage[id]) {
                    test.type =
                        basename ? predicate_test::kind::basename : predicate_test::kind::exact;
                    test.values = key.values;
                    break;
                }
                auto table = std::find_if(p.exact.begin(), p.exact.end(), [&](const auto& t) {
                    return t.field == key.field && t.cased == key.cased && t.basename == basename;
                });
                if (table == p.exact.end()) {
                    p.exact.push_back({key.field, key.cased, basename, {}});
                    exact_values.emplace_back();
                    table = p.exact.end() - 1;
                }
                for (const auto& v : key.values) {
                    exact_values[static_cast<std::size_t>(table - p.exact.begin())].add(v, id);
                }
                break;
            }
            case kind::cidr: {
                auto table = std::find_if(p.cidr.begin(), p.cidr.end(),
                                          [&](const auto& t) { return t.field == key.field; });
                if (table == p.cidr.end()) {
                    p.cidr.push_back({key.field, {}, {}});
                    table = p.cidr.end() - 1;
                }
                for (const auto& n : key.networks) {
                    table->networks[{n.prefix, n.bytes}].push_back(id);
                    if (std::find(table->prefixes.begin(), table->prefixes.end(), n.prefix) ==
                        table->prefixes.end()) {
                        table->prefixes.push_back(n.prefix);
                    }
                }
                std::sort(table->prefixes.rbegin(), table->prefixes.rend());
                break;
            }
            case kind::suffix: {
                auto table = std::find_if(p.suffix.begin(), p.suffix.end(),
                                          [&](const auto& t) { return t.field == key.field; });
                if (table == p.suffix.end()) {
                    p.suffix.push_back({key.field, {}});
                    domains.emplace_back();
                    table = p.suffix.end() - 1;
                }
                for (const auto& v : key.values) {
                    domains[static_cast<std::size_t>(table - p.suffix.begin())].add(v, id);
                }
                break;
            }
            case kind::present:
            case kind::absent:
            case kind::absent_or_empty:
            case kind::compare:
            case kind::fieldref:
                test.type = key.type == kind::present  ? predicate_test::kind::present
                            : key.type == kind::absent ? predicate_test::kind::absent
                            : key.type == kind::absent_or_empty
                                ? predicate_test::kind::absent_or_empty
                            : key.type == kind::compare ? predicate_test::kind::compare
                                                        : predicate_test::kind::fieldref;
                test.op = key.op;
                test.threshold = key.threshold;
                test.other = key.other;
                test.ref_kind = key.ref_kind;
                if (first_stage[id]) {
                    p.first_stage_tests.push_back(id);
                }
                break;
            }
        }

        for (std::size_t i = 0; i < p.exact.size(); ++i) {
            p.exact[i].values = exact_values[i].build();
        }
        for (std::size_t i = 0; i < p.suffix.size(); ++i) {
            p.suffix[i].domains = domains[i].build();
        }

        // One first-stage database per field, and one for keywords.
        auto make_scan = [&](std::vector<predicate_id> set) -> std::int32_t {
            auto database = compile_set(set);
            if (!database) {
                return -1;
            }
            p.scans.push_back({std::move(database), std::move(set)});
            return static_cast<std::int32_t>(p.scans.size() - 1);
        };
        p.scan_by_field.assign(catalog.size(), -1);
        for (auto& [field, set] : patterns) {
            p.scan_by_field[field] = make_scan(std::move(set));
        }
        if (!keyword_patterns.empty()) {
            p.keyword_scan = make_scan(std::move(keyword_patterns));
        }
    }

    // Marks the predicates under node `index` that are not under an odd number of negations.
    static void mark_positive(const class_program& p, std::uint32_t index, bool negated,
                              std::vector<bool>& marks) {
        const condition_node& node = p.nodes[index];
        if (node.type == condition_node::op::predicate) {
            if (!negated) {
                marks[node.value] = true;
            }
            return;
        }
        const bool inner = node.type == condition_node::op::negate ? !negated : negated;
        for (std::uint32_t i = 0; i < node.child_count; ++i) {
            mark_positive(p, p.children[node.first_child + i], inner, marks);
        }
    }

    // A rough chance that a predicate hits an event, to choose trigger sets by: long literals
    // are rare, short ones, file extensions and regular expressions common; exact values and
    // lookups rare, unless the field takes few values; presence and comparisons likely.
    static double hit_likelihood(const predicate_key& key, const core::field_catalog& catalog) {
        using kind = predicate_key::kind;
        const bool few_values = key.type != kind::keyword_pattern && key.field < catalog.size() &&
                                catalog.few_values(key.field);
        const double per_value = few_values ? 0.3 : 0.02;
        switch (key.type) {
        case kind::pattern:
        case kind::keyword_pattern: {
            if (auto literal = as_literal(key.expression)) {
                const std::string& bytes = literal->bytes;
                if (literal->anchor_end && !literal->anchor_start && bytes.size() <= 5 &&
                    bytes.starts_with('.')) {
                    return 0.5; // a file extension
                }
                // Each further byte makes a literal rarer.
                const double p = 0.3 * std::pow(0.7, static_cast<double>(bytes.size()));
                return std::max(few_values ? per_value : 0.0, p);
            }
            // A regular expression without a usable required literal.
            return 0.5;
        }
        case kind::exact:
        case kind::basename:
        case kind::suffix:
        case kind::cidr: {
            // More values, more likely; but an IOC list of thousands still rarely hits.
            const std::size_t n = std::max<std::size_t>(
                1, key.type == kind::cidr ? key.networks.size() : key.values.size());
            return std::min(few_values ? 1.0 : 0.25, per_value * static_cast<double>(n));
        }
        case kind::present:
            return 0.9;
        default:
            return 0.5;
        }
    }

    // Predicates of which at least one hits whenever node `index` holds; nothing if the node
    // can hold without any positive hit. Of an AND, the child least likely to hit is taken.
    // `trigger_of` gives the predicate that stands in for each one (a prefilter, or itself).
    static std::optional<std::vector<predicate_id>>
    trigger_set(const class_program& p, std::uint32_t index,
                const std::vector<predicate_id>& trigger_of, const std::vector<double>& weight) {
        const condition_node& node = p.nodes[index];
        switch (node.type) {
        case condition_node::op::predicate:
            return std::vector<predicate_id>{trigger_of[node.value]};
        case condition_node::op::negate:
            return std::nullopt;
        case condition_node::op::any_of: {
            std::vector<predicate_id> all;
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                auto child = trigger_set(p, p.children[node.first_child + i], trigger_of, weight);
                if (!child) {
                    return std::nullopt;
                }
                all.insert(all.end(), child->begin(), child->end());
            }
            return all;
        }
        case condition_node::op::all_of: {
            std::optional<std::vector<predicate_id>> best;
            double best_cost = 0;
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                auto child = trigger_set(p, p.children[node.first_child + i], trigger_of, weight);
                if (!child) {
                    continue;
                }
                double cost = 0;
                for (predicate_id id : *child) {
                    cost += weight[id];
                }
                if (!best || cost < best_cost) {
                    best = std::move(child);
                    best_cost = cost;
                }
            }
            return best;
        }
        }
        return std::nullopt;
    }
};

rule_schema load_rule_schema(const std::filesystem::path& dir, core::diagnostics& diags) {
    rule_schema schema;
    auto catalog = parse::load_field_catalog(dir / "fields.yaml", diags);
    schema.catalog = *catalog;
    schema.mappings = parse::load_vendor_mappings(dir / "mappings", schema.catalog, diags);
    schema.mappings.envelopes = std::make_shared<const parse::envelope_set>(
        parse::envelope_set::load(dir / "envelopes.yaml", diags));
    schema.logsources =
        logsource_map::load(dir / "logsources.yaml", schema.catalog, diags, &schema.mappings);
    return schema;
}

compile_result rule_compiler::compile(std::vector<sigma_rule> rules, rule_schema schema,
                                      const ioc_lists& lists, std::uint64_t version,
                                      core::diagnostics& diags,
                                      std::vector<correlation_rule> correlations) {
    const auto started = std::chrono::steady_clock::now();
    compile_result result;
    const std::size_t first_diagnostic = diags.items().size();
    rule_preparer preparer(schema.logsources, lists, diags);
    std::vector<prepared_rule> prepared;
    // The whole set's tests are bounded too: compile time and memory grow with them (20,000
    // regular expressions take Hyperscan about 30 s), and many files each within the per-rule
    // limit once took minutes and gigabytes. Rules past the budget are left out, in load order.
    std::size_t values = 0;
    for (const auto& rule : rules) {
        if (values + rule.value_count() > max_values_per_set) {
            diags.error(rule.file, rule.line, rule.id,
                        "the rule set would hold more than " + std::to_string(max_values_per_set) +
                            " values with this rule, which is left out",
                        "limit");
            ++result.rejected;
            continue;
        }
        auto p = preparer.prepare(rule);
        if (!p) {
            ++result.rejected;
            continue;
        }
        values += rule.value_count();
        prepared.push_back(std::move(*p));
    }
    auto set = std::make_shared<rule_set>();
    const std::size_t class_count = schema.logsources.classes().size();
    // Hyperscan may still refuse a database as a whole (size, resources): leave out the rules it
    // blames and build again, until the set compiles.
    for (;;) {
        auto failed = rule_set_builder::build(prepared, class_count, schema.catalog, *set);
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
            diags.error(info.file, info.line, info.id, it->second, "pattern");
            ++result.rejected;
        }
        prepared = std::move(kept);
        *set = rule_set{};
    }
    result.rejected += correlation_compiler::compile(std::move(correlations), set->rules_,
                                                     schema.catalog, set->correlations_, diags);
    for (core::field_id id : correlation_compiler::fields_read(set->correlations_)) {
        set->projection_.keep(id);
    }
    // Only rules that raise alerts of their own need a level: the rules a correlation refers
    // to carry none (correlation specification).
    auto warn_level = [&](const rule_info& info) {
        if (!info.level_given) {
            diags.warning(info.file, info.line, info.id, "no 'level'; using medium");
        }
    };
    for (std::uint32_t r = 0; r < set->rules_.size(); ++r) {
        if (!set->rules_[r].correlation && set->correlations_.alerts(r)) {
            warn_level(set->rules_[r]);
        }
    }
    for (const auto& c : set->correlations_.correlations()) {
        if (c.alerts) {
            warn_level(set->rules_[c.rule]);
        }
    }
    // Statistics: unique Hyperscan expressions per field, table sizes. The projection: every
    // field a predicate reads, a log source class tests, a syslog parser makes, or alerts keep
    // as evidence (fields.yaml `evidence: true`).
    for (core::field_id id = 0; id < schema.catalog.size(); ++id) {
        if (id < core::fields::builtin_count || schema.catalog.evidence(id)) {
            set->projection_.keep(id);
        }
    }
    for (core::field_id id : schema.logsources.fields_used()) {
        set->projection_.keep(id);
    }
    std::set<std::string> seen;
    for (const auto& r : prepared) {
        for (const auto& key : r.keys) {
            set->projection_.keep(key.field);
            if (key.type == predicate_key::kind::fieldref) {
                set->projection_.keep(key.other);
            }
            if (!seen.insert(key.signature).second) {
                continue;
            }
            switch (key.type) {
            case predicate_key::kind::pattern:
                ++set->stats_.patterns_per_field[std::string(schema.catalog.name(key.field))];
                break;
            case predicate_key::kind::keyword_pattern:
                ++set->stats_.patterns_per_field["(keywords)"];
                break;
            case predicate_key::kind::exact:
            case predicate_key::kind::basename:
                set->stats_.exact_values += key.values.size();
                break;
            case predicate_key::kind::cidr:
                set->stats_.networks += key.networks.size();
                break;
            case predicate_key::kind::suffix:
                set->stats_.domains += key.values.size();
                break;
            default:
                break;
            }
        }
    }
    result.rejected_by_reason = count_rejections(diags, first_diagnostic);
    set->version_ = version;
    set->catalog_ = std::make_shared<const core::field_catalog>(std::move(schema.catalog));
    set->logsources_ = std::move(schema.logsources);
    set->mappings_ = std::move(schema.mappings);
    result.loaded = set->rules().size();
    result.compile_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    set->stats_.compile_ms = result.compile_ms;
    result.lists = lists.size();
    result.list_entries = lists.entries();
    result.rules = std::move(set);
    return result;
}

compile_result rule_compiler::load_directory(const std::filesystem::path& rules_dir,
                                             const std::filesystem::path& schemas_dir,
                                             std::uint64_t version, core::diagnostics& diags,
                                             const rule_policy& policy) {
    return load_directories({rules_dir}, rules_dir / "lists", schemas_dir, version, diags, policy);
}

compile_result rule_compiler::load_directories(const std::vector<std::filesystem::path>& rule_dirs,
                                               const std::filesystem::path& lists_dir,
                                               const std::filesystem::path& schemas_dir,
                                               std::uint64_t version, core::diagnostics& diags,
                                               const rule_policy& policy) {
    rule_schema schema = load_rule_schema(schemas_dir, diags);
    const ioc_lists lists = ioc_lists::load(lists_dir, diags);
    const std::size_t first_rule_diagnostic = diags.items().size();
    sigma_loader loader(schema.catalog, &schema.logsources);
    load_result loaded = loader.load_directories(rule_dirs, diags);
    const policy_result selected = apply_rule_policy(policy, rule_dirs, loaded);
    compile_result result = compile(std::move(loaded.rules), std::move(schema), lists, version,
                                    diags, std::move(loaded.correlations));
    result.rejected += loaded.rejected;
    result.files = loaded.files;
    result.outside_policy = selected.left_out;
    result.kept_as_inputs = selected.kept_as_inputs;
    result.outside_policy_why = selected.why;
    result.rejected_by_reason = count_rejections(diags, first_rule_diagnostic);
    return result;
}

} // namespace vigil::rules
