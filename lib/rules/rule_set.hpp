#pragma once

#include "core/field_catalog.hpp"
#include "parse/json_mapping.hpp"
#include "rules/hyperscan_database.hpp"
#include "rules/ip_network.hpp"
#include "rules/logsource_map.hpp"
#include "rules/sigma_rule.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigil::rules {

// What alerts and listings need to know of a rule.
struct rule_info {
    std::string id;
    std::string title;
    std::string level;
    std::string status;
    std::string description;
    std::string author;
    std::vector<std::string> tags;
    logsource source;
    std::vector<class_id> classes; // the log source classes the rule applies to
    std::string file;
    int line = 0;
};

// A string-keyed hash map that finds string_view keys without building a string.
struct transparent_string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename T>
using string_map = std::unordered_map<std::string, T, transparent_string_hash, std::equal_to<>>;

// A predicate is one test of one field ("CommandLine contains ' -enc '", "EventID is 4688 or
// 4689"): the unit decided once per event. Conditions are boolean expressions over them. Ids
// are local to a class program.
using predicate_id = std::uint32_t;

// A boolean expression over predicates, stored flat; evaluated from a root.
struct condition_node {
    enum class op : std::uint8_t { predicate, all_of, any_of, negate };
    op type = op::predicate;
    std::uint32_t value = 0;       // predicate id for op::predicate
    std::uint32_t first_child = 0; // index into the program's child list
    std::uint32_t child_count = 0;
};

// A field whose absence or presence is itself a predicate (|exists, null).
struct presence_check {
    core::field_id field = 0;
    predicate_id predicate = 0;
    enum class when : std::uint8_t { present, absent, absent_or_empty } hit_when = when::present;
};

// Everything needed to match the events of one log source class against the rules that apply
// to it: class-local predicates, how each is decided, and the rules' conditions.
struct class_program {
    // A Hyperscan database and, for each of its expressions, the predicate it decides.
    // Databases are shared between classes whose expressions are the same.
    struct scan {
        std::shared_ptr<const hyperscan_database> database;
        std::vector<predicate_id> predicates;
    };
    // Exact values of one field: the (case-folded unless cased) value -> predicates.
    struct exact_table {
        core::field_id field = 0;
        bool cased = false;
        string_map<std::vector<predicate_id>> values;
    };
    // Networks of one field, by prefix length: masked address -> predicates.
    struct cidr_table {
        core::field_id field = 0;
        std::vector<std::uint8_t> prefixes; // distinct, descending
        std::map<std::pair<std::uint8_t, std::array<std::uint8_t, 16>>, std::vector<predicate_id>>
            networks;
    };
    // Domains of one field (IOC lists): a value matches a domain and its subdomains.
    struct suffix_table {
        core::field_id field = 0;
        string_map<std::vector<predicate_id>> domains;
    };
    struct compare_check {
        core::field_id field = 0;
        compare_op op = compare_op::lt;
        double threshold = 0;
        predicate_id predicate = 0;
    };
    struct fieldref_check {
        core::field_id field = 0;
        core::field_id other = 0;
        match_kind kind = match_kind::equals;
        bool cased = false;
        predicate_id predicate = 0;
    };

    std::vector<std::uint32_t> rules; // global index of each local rule
    std::size_t predicate_count = 0;

    std::vector<scan> scans;
    std::vector<std::int32_t> scan_by_field; // field id -> index into scans, or -1
    std::int32_t keyword_scan = -1;          // over message, or the whole record without one
    std::vector<exact_table> exact;
    std::vector<cidr_table> cidr;
    std::vector<suffix_table> suffix;
    std::vector<presence_check> presence;
    std::vector<compare_check> compares;
    std::vector<fieldref_check> fieldrefs;

    std::vector<std::uint32_t> roots; // per local rule
    std::vector<condition_node> nodes;
    std::vector<std::uint32_t> children;
    std::vector<std::uint32_t> always_evaluated;   // local rules true with no hit
    std::vector<std::uint32_t> rules_by_predicate; // CSR: local predicate -> local rules
    std::vector<std::uint32_t> rules_by_predicate_offsets;

    [[nodiscard]] std::span<const std::uint32_t> rules_using(predicate_id p) const {
        return {rules_by_predicate.data() + rules_by_predicate_offsets[p],
                rules_by_predicate_offsets[p + 1] - rules_by_predicate_offsets[p]};
    }

    template <typename HitFn>
    [[nodiscard]] bool evaluate(std::uint32_t local_rule, const HitFn& hit) const {
        return evaluate_node(roots[local_rule], hit);
    }

private:
    template <typename HitFn>
    bool evaluate_node(std::uint32_t index, const HitFn& hit) const {
        const condition_node& node = nodes[index];
        switch (node.type) {
        case condition_node::op::predicate:
            return hit(node.value);
        case condition_node::op::negate:
            return !evaluate_node(children[node.first_child], hit);
        case condition_node::op::all_of:
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                if (!evaluate_node(children[node.first_child + i], hit)) {
                    return false;
                }
            }
            return true;
        case condition_node::op::any_of:
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                if (evaluate_node(children[node.first_child + i], hit)) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }
};

// Size and shape of a compiled rule set, for `vigil rules check`.
struct rule_set_stats {
    std::map<std::string, std::size_t> patterns_per_field; // Hyperscan expressions (unique)
    std::size_t databases = 0;                             // unique Hyperscan databases
    std::size_t database_bytes = 0;
    std::size_t exact_values = 0;
    std::size_t networks = 0;
    std::size_t domains = 0;
    std::size_t classes_used = 0;
    double compile_ms = 0;
};

// The compiled, immutable rule set (DESIGN.md §5): the rules, the field catalog and JSON
// mappings they were compiled against, the log source classifier, and one program per class.
// Built on the control plane by rule_compiler, then shared read-only by all workers through a
// shared_ptr that reload swaps atomically.
class rule_set {
public:
    [[nodiscard]] const std::vector<rule_info>& rules() const { return rules_; }
    [[nodiscard]] const core::field_catalog& catalog() const { return *catalog_; }
    [[nodiscard]] const std::shared_ptr<const core::field_catalog>& catalog_ptr() const {
        return catalog_;
    }
    [[nodiscard]] const logsource_map& logsources() const { return logsources_; }
    [[nodiscard]] const parse::json_mapping_set& mappings() const { return mappings_; }
    [[nodiscard]] const std::vector<class_program>& programs() const { return programs_; }
    // A scratch that serves every database; workers clone it.
    [[nodiscard]] const hyperscan_scratch& scratch_prototype() const { return scratch_; }
    // Increases with every rule set a process builds; alerts record it.
    [[nodiscard]] std::uint64_t version() const { return version_; }
    [[nodiscard]] const rule_set_stats& stats() const { return stats_; }
    // Largest predicate and rule counts of any program (matchers size their state by them).
    [[nodiscard]] std::size_t max_predicates() const { return max_predicates_; }
    [[nodiscard]] std::size_t max_rules() const { return max_rules_; }

private:
    friend class rule_set_builder;
    friend class rule_compiler;

    std::vector<rule_info> rules_;
    std::shared_ptr<const core::field_catalog> catalog_;
    logsource_map logsources_;
    parse::json_mapping_set mappings_;
    std::vector<class_program> programs_;
    hyperscan_scratch scratch_;
    std::uint64_t version_ = 0;
    rule_set_stats stats_;
    std::size_t max_predicates_ = 0;
    std::size_t max_rules_ = 0;
};

} // namespace vigil::rules
