#pragma once

#include "core/event.hpp"
#include "rules/hyperscan_database.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vigil::match {

// Matches events against a rule_set (DESIGN.md §5). One per worker thread: it owns a Hyperscan
// scratch and the per-event hit state, and holds a reference to the rule set it was given, so
// a reload never changes the set in the middle of a batch.
//
// Per event: the event is put into its log source class; only that class's program runs. The
// first stage decides the trigger predicates: each field that has a database is scanned once
// (keywords over the message, or the whole record when there is none), exact values, path
// basenames, networks and domains are looked up. Only the rules with a trigger hit (plus the
// rules that hold with no hit) have their condition evaluated, and each other predicate is
// decided when an evaluation first needs it.
class matcher {
public:
    explicit matcher(std::shared_ptr<const rules::rule_set> rules);
    matcher(const matcher&) = delete;
    matcher& operator=(const matcher&) = delete;

    // Switches to another rule set; call between batches.
    void use(std::shared_ptr<const rules::rule_set> rules);
    [[nodiscard]] const rules::rule_set& rules() const { return *rules_; }
    [[nodiscard]] const std::shared_ptr<const rules::rule_set>& rules_ptr() const { return rules_; }

    // Indices (into rules().rules()) of the rules that match `e`, ascending; valid until the
    // next call.
    [[nodiscard]] std::span<const std::uint32_t> match(const core::event& e);

    // The class of the last event matched, if it had one.
    [[nodiscard]] std::optional<rules::class_id> last_class() const { return last_class_; }

private:
    static int on_hyperscan_match(unsigned id, unsigned long long from, unsigned long long to,
                                  unsigned flags, void* context);
    void scan(const rules::class_program::scan& s, std::string_view value);
    // Whether the expression of a one-expression database matches `value`.
    [[nodiscard]] bool matches(const rules::hyperscan_database& database, std::string_view value);
    void hit(rules::predicate_id p);
    [[nodiscard]] bool is_hit(rules::predicate_id p) const {
        return (hit_bits_[p >> 6] >> (p & 63)) & 1u;
    }
    void run_first_stage(const rules::class_program& program, const core::event& e);
    // Decides predicate p of the current event, once.
    [[nodiscard]] bool holds(const rules::class_program& program, rules::predicate_id p,
                             const core::event& e);
    [[nodiscard]] bool decide(const rules::predicate_test& test, const core::event& e);
    // The values of `field` (or the keyword text), lower-cased, computed once per event.
    [[nodiscard]] std::span<const std::string> folded(core::field_id field, bool keywords,
                                                      const core::event& e);

    std::shared_ptr<const rules::rule_set> rules_;
    rules::hyperscan_scratch scratch_;
    const rules::class_program::scan* current_scan_ = nullptr;
    std::vector<std::uint64_t> hit_bits_;
    std::vector<rules::predicate_id> hit_list_;
    // Per-event state is stamped with the event's generation instead of being cleared.
    std::uint32_t generation_ = 0;
    std::vector<std::uint32_t> candidate_stamp_; // per local rule: generation it was queued
    std::vector<std::uint32_t> decided_stamp_;   // per predicate: generation it was decided
    struct folded_values {
        std::uint32_t generation = 0;
        std::size_t count = 0;
        std::vector<std::string> values;
    };
    std::vector<folded_values> folded_; // per field id, then one for the keyword text
    std::string fold_;                  // a value being looked up in an exact table
    std::vector<std::uint32_t> candidates_;
    std::vector<std::uint32_t> matches_;
    std::optional<rules::class_id> last_class_;
};

} // namespace vigil::match
