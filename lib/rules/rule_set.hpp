#pragma once

#include "core/field_catalog.hpp"
#include "rules/hyperscan_database.hpp"
#include "rules/sigma_rule.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
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
    std::string file;
    int line = 0;
};

// A predicate is one test of one field ("message contains 'Invalid user'"): the unit that
// Hyperscan or a presence check decides per event. Rules are boolean expressions over them.
using predicate_id = std::uint32_t;

// A boolean expression over predicates, stored flat. Nodes are evaluated from `root`.
struct condition_node {
    enum class op : std::uint8_t { predicate, all_of, any_of, negate };
    op type = op::predicate;
    std::uint32_t value = 0;       // predicate id for op::predicate
    std::uint32_t first_child = 0; // index into rule_set's child list
    std::uint32_t child_count = 0;
};

// A field whose absence or presence is itself a predicate (|exists, null).
struct presence_check {
    core::field_id field = 0;
    predicate_id predicate = 0;
    enum class when : std::uint8_t { present, absent, absent_or_empty } hit_when = when::present;
};

// The compiled, immutable rule set (DESIGN.md §5): one Hyperscan database per field, presence
// checks, a condition per rule, and the index from predicates to the rules that use them. Built
// on the control plane by rule_compiler (through rule_set_builder), then shared read-only by all
// workers through a shared_ptr that reload swaps atomically.
class rule_set {
public:
    struct field_database {
        core::field_id field = 0;
        hyperscan_database database;
        std::size_t expressions = 0;
    };

    [[nodiscard]] const std::vector<rule_info>& rules() const { return rules_; }
    [[nodiscard]] std::size_t predicate_count() const { return predicate_count_; }
    [[nodiscard]] const std::vector<field_database>& databases() const { return databases_; }
    [[nodiscard]] const std::vector<presence_check>& presence_checks() const {
        return presence_checks_;
    }
    // Rules whose condition is true when none of their predicates hit (`not filter`): they are
    // evaluated for every event.
    [[nodiscard]] const std::vector<std::uint32_t>& always_evaluated() const {
        return always_evaluated_;
    }
    // The rules that use predicate `p`.
    [[nodiscard]] std::span<const std::uint32_t> rules_using(predicate_id p) const {
        return {rules_by_predicate_.data() + rules_by_predicate_offsets_[p],
                rules_by_predicate_offsets_[p + 1] - rules_by_predicate_offsets_[p]};
    }
    // Evaluates rule `rule`'s condition; `hit(p)` says whether predicate p hit.
    template <typename HitFn>
    [[nodiscard]] bool evaluate(std::uint32_t rule, const HitFn& hit) const {
        return evaluate_node(roots_[rule], hit);
    }
    // A scratch that serves every database; workers clone it.
    [[nodiscard]] const hyperscan_scratch& scratch_prototype() const { return scratch_; }
    // Increases with every rule set a process builds; alerts record it.
    [[nodiscard]] std::uint64_t version() const { return version_; }
    [[nodiscard]] std::size_t database_bytes() const;

private:
    friend class rule_set_builder;

    template <typename HitFn>
    bool evaluate_node(std::uint32_t index, const HitFn& hit) const {
        const condition_node& node = nodes_[index];
        switch (node.type) {
        case condition_node::op::predicate:
            return hit(node.value);
        case condition_node::op::negate:
            return !evaluate_node(children_[node.first_child], hit);
        case condition_node::op::all_of:
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                if (!evaluate_node(children_[node.first_child + i], hit)) {
                    return false;
                }
            }
            return true;
        case condition_node::op::any_of:
            for (std::uint32_t i = 0; i < node.child_count; ++i) {
                if (evaluate_node(children_[node.first_child + i], hit)) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }

    std::vector<rule_info> rules_;
    std::vector<std::uint32_t> roots_; // per rule, index into nodes_
    std::vector<condition_node> nodes_;
    std::vector<std::uint32_t> children_;
    std::size_t predicate_count_ = 0;
    std::vector<field_database> databases_;
    std::vector<presence_check> presence_checks_;
    std::vector<std::uint32_t> always_evaluated_;
    std::vector<std::uint32_t> rules_by_predicate_;
    std::vector<std::uint32_t> rules_by_predicate_offsets_; // predicate_count_ + 1 entries
    hyperscan_scratch scratch_;
    std::uint64_t version_ = 0;
};

} // namespace vigil::rules
