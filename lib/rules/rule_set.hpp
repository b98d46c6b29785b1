#pragma once

#include "core/field_catalog.hpp"
#include "parse/field_projection.hpp"
#include "parse/vendor_mapping.hpp"
#include "rules/correlation_set.hpp"
#include "rules/hyperscan_database.hpp"
#include "rules/ip_network.hpp"
#include "rules/logsource_map.hpp"
#include "rules/sigma_rule.hpp"
#include "rules/string_table.hpp"

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
    std::string name;         // Sigma `name`, when given
    bool correlation = false; // a correlation rule (its definition is in rule_set::correlations())
    bool level_given = true;  // false: `level` is the default, medium
};

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

// How one predicate is decided on its own, when a candidate rule's condition asks for it.
// Predicates of the first stage need no such work: every event decides them.
struct predicate_test {
    enum class kind : std::uint8_t {
        first_stage,     // decided for every event (a trigger, a network or domain lookup)
        literal,         // a byte string in the value: anywhere, at its start, end, or both
        pattern,         // a Hyperscan expression with a database of its own
        exact,           // the value is one of `values`
        basename,        // the value's last path component is one of `values`
        present,         // the field exists (|exists: true)
        absent,          // the field does not exist (|exists: false)
        absent_or_empty, // null
        compare,         // |lt, |lte, |gt, |gte
        fieldref         // against another field of the event (|fieldref)
    };
    kind type = kind::first_stage;
    bool keywords = false; // over the message (or the whole record), not `field`
    bool cased = false;
    bool anchor_start = false; // literal
    bool anchor_end = false;
    core::field_id field = 0;
    core::field_id other = 0; // fieldref
    match_kind ref_kind = match_kind::equals;
    compare_op op = compare_op::lt;
    double threshold = 0;
    std::string literal;             // case-folded unless cased
    std::vector<std::string> values; // exact, basename: sorted, case-folded unless cased
    std::shared_ptr<const hyperscan_database> database; // pattern
};

// Everything needed to match the events of one log source class against the rules that apply
// to it: class-local predicates, how each is decided, and the rules' conditions.
//
// Matching runs in two stages. The first decides, for every event, the predicates some rule
// cannot hold without (its trigger set, chosen at compile time as the least likely to hit):
// per-field Hyperscan databases, hash tables of exact values and path basenames, networks and
// domains. A rule with a trigger hit is a candidate; the second stage evaluates the
// candidates' conditions, deciding each remaining predicate only when the evaluation reaches
// it, once per event. Rules whose condition can hold with no hit at all (`not filter`) are
// candidates for every event.
struct class_program {
    // A Hyperscan database and, for each of its expressions, the predicate it decides.
    // Databases are shared between classes whose expressions are the same.
    struct scan {
        std::shared_ptr<const hyperscan_database> database;
        std::vector<predicate_id> predicates;
    };
    // Exact values of one field: the (case-folded unless cased) value -> predicates. A basename
    // table looks up the last path component instead (`endswith: '\\cmd.exe'`).
    struct exact_table {
        core::field_id field = 0;
        bool cased = false;
        bool basename = false;
        string_table values;
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
        string_table domains;
    };

    std::vector<std::uint32_t> rules; // global index of each local rule
    std::size_t predicate_count = 0;

    // First stage.
    std::vector<scan> scans;
    std::vector<std::int32_t> scan_by_field; // field id -> index into scans, or -1
    std::int32_t keyword_scan = -1;          // over message, or the whole record without one
    std::vector<exact_table> exact;
    std::vector<cidr_table> cidr;
    std::vector<suffix_table> suffix;
    std::vector<predicate_id> first_stage_tests; // presence, comparisons, field references

    // Second stage.
    std::vector<predicate_test> tests; // per predicate
    std::vector<std::uint32_t> roots;  // per local rule
    std::vector<condition_node> nodes;
    std::vector<std::uint32_t> children;
    std::vector<std::uint32_t> always_evaluated;   // local rules true with no hit
    std::vector<std::uint32_t> rules_by_predicate; // CSR: trigger predicate -> local rules
    std::vector<std::uint32_t> rules_by_predicate_offsets;

    [[nodiscard]] std::span<const std::uint32_t> rules_using(predicate_id p) const {
        return {rules_by_predicate.data() + rules_by_predicate_offsets[p],
                rules_by_predicate_offsets[p + 1] - rules_by_predicate_offsets[p]};
    }

    // Evaluates a rule's condition; `holds(p)` decides predicate p (evaluation short-circuits,
    // so it is asked only for the predicates the answer depends on).
    template <typename HoldsFn>
    [[nodiscard]] bool evaluate(std::uint32_t local_rule, const HoldsFn& holds) const {
        return evaluate_node(roots[local_rule], holds);
    }

private:
    template <typename HoldsFn>
    bool evaluate_node(std::uint32_t index, const HoldsFn& holds) const {
        const condition_node& node = nodes[index];
        switch (node.type) {
        case condition_node::op::predicate:
            return holds(node.value);
        case condition_node::op::negate:
            return !evaluate_node(children[node.first_child], holds);
        case condition_node::op::all_of:
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                if (!evaluate_node(children[node.first_child + i], holds)) {
                    return false;
                }
            }
            return true;
        case condition_node::op::any_of:
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                if (evaluate_node(children[node.first_child + i], holds)) {
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
    [[nodiscard]] const parse::vendor_mapping_set& mappings() const { return mappings_; }
    // The fields the rules and log source classes read: parsers leave the others out of the
    // event (DESIGN.md §4). Every field is kept when nothing was compiled.
    [[nodiscard]] const parse::field_projection& projection() const { return projection_; }
    [[nodiscard]] const std::vector<class_program>& programs() const { return programs_; }
    // The correlation rules and how detection rules feed them.
    [[nodiscard]] const correlation_set& correlations() const { return correlations_; }
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
    parse::vendor_mapping_set mappings_;
    parse::field_projection projection_;
    std::vector<class_program> programs_;
    correlation_set correlations_;
    hyperscan_scratch scratch_;
    std::uint64_t version_ = 0;
    rule_set_stats stats_;
    std::size_t max_predicates_ = 0;
    std::size_t max_rules_ = 0;
};

} // namespace vigil::rules
