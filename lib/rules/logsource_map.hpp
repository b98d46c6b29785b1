#pragma once

#include "core/diagnostic.hpp"
#include "core/event.hpp"
#include "core/field_catalog.hpp"
#include "core/flat_string_map.hpp"
#include "core/string_hash.hpp"
#include "core/value_prefilter.hpp"
#include "parse/vendor_mapping.hpp"
#include "rules/sigma_rule.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace YAML {
class Node;
}

namespace vigil::rules {

using class_id = std::uint16_t;

// One class of events (schemas/logsources.yaml) and the Sigma log source values its events have.
struct logsource_class {
    std::string name;
    std::vector<std::string> products;
    std::vector<std::string> categories;
    std::vector<std::string> services;
    int line = 0;
    // A class whose log source comes from each event (`derive`): its events' product and service
    // are read from the fields named here. Its own values are empty.
    std::vector<core::field_id> derive_product;
    std::vector<core::field_id> derive_service;
    [[nodiscard]] bool derives() const { return !derive_product.empty(); }
};

// How a value read from an event becomes a Sigma log source value (`derive` classes): lower
// case, every run of characters other than a-z and 0-9 one "_", none at either end, at most
// 64 characters ("Acme Corp." -> "acme_corp", "Widget Firewall 3000" -> "widget_firewall_3000").
// Empty when nothing is left.
[[nodiscard]] std::string logsource_slug(std::string_view value);
inline constexpr std::size_t max_slug_bytes = 64;

// Puts events into log source classes and tells which classes a rule's `logsource` applies to
// (DESIGN.md §5: a rule only meets events of its log source). Built on the control plane; the
// event side (classify) runs on workers, read-only.
class logsource_map {
public:
    // Reads the classes; field names in `when` are resolved in `catalog` (and added to it when
    // they are vendor names it does not know yet). Vendor mappings that name a `logsource` add
    // a class each (events that mapping read), ahead of the file's classes.
    [[nodiscard]] static logsource_map load(const std::filesystem::path& file,
                                            core::field_catalog& catalog, core::diagnostics& diags,
                                            const parse::vendor_mapping_set* mappings = nullptr);
    [[nodiscard]] static logsource_map parse(std::string_view yaml, const std::string& file_name,
                                             core::field_catalog& catalog, core::diagnostics& diags,
                                             const parse::vendor_mapping_set* mappings = nullptr);

    [[nodiscard]] const std::vector<logsource_class>& classes() const { return classes_; }

    // The classes a rule with log source `source` applies to: every value the rule names is
    // among the class's values. A source that names a product and a service, no category, and
    // that no class of the file or of a mapping has, gets a class derived from the `derive`
    // class (events whose header names that product and service): the map adds it, so
    // classes() grows. Call only while the map is being built into a rule set (the loader and
    // the compiler do), never on one that workers already classify with.
    [[nodiscard]] std::vector<class_id> classes_for(const logsource& source) const;

    // The log source values of class `c` for event `e`: the class's own, or for a `derive` class
    // (the events of devices no rule names yet) those derived from the event.
    [[nodiscard]] logsource_class describe(class_id c, const core::event& e) const;

    // Every field some class's `when` tests.
    [[nodiscard]] std::vector<core::field_id> fields_used() const;

    // The first class whose `when` the event satisfies, or nothing.
    [[nodiscard]] std::optional<class_id> classify(const core::event& e) const;

    // Why an event is in its class (`vigil parse --explain`): the classes before it of which
    // the event met some tests but not all (the near misses, with the test that failed), then
    // the class it is in, with the tests it met. Slow (every class, every test); not for
    // workers.
    struct class_check {
        class_id id = 0;
        bool matched = false;
        std::vector<std::string> held; // "Channel = Security", "parser is rfc3164"
        std::string failed;            // "EventID is 4625, not 4688"; empty when matched
    };
    [[nodiscard]] std::vector<class_check> explain(const core::event& e,
                                                   const core::field_catalog& catalog) const;

private:
    // The classes of the file (its root), after the mappings' own.
    void read_classes(const YAML::Node& root, const std::string& file_name,
                      core::field_catalog& catalog, core::diagnostics& diags);
    struct condition {
        enum class kind : std::uint8_t { equals, exists, parser, mapping };
        kind type = kind::equals;
        core::field_id field = 0;
        std::vector<std::string> values;
    };
    // Classes by a value of their discriminating condition. A lookup first checks the value's
    // length and first byte against the keys', so the values of most events, which name no
    // class, are not hashed.
    class value_index {
    public:
        void add(const std::string& value, class_id c);
        [[nodiscard]] const std::vector<class_id>* find(std::string_view value) const {
            return keys_.may_equal(value) ? classes_.find(value) : nullptr;
        }
        // The earliest class any key leads to (none: past every class).
        [[nodiscard]] class_id first_class() const { return first_class_; }

    private:
        core::static_string_map<std::vector<class_id>> classes_;
        core::value_prefilter keys_;
        class_id first_class_ = std::numeric_limits<class_id>::max();
    };

    [[nodiscard]] static bool holds(const condition& cond, const core::event& e);
    // Whether an event that reached class `c` (through the class's index, or as an unindexed
    // class) and passed its parser gate meets the class's remaining tests.
    [[nodiscard]] bool satisfies(class_id c, const core::event& e) const;
    // The bit of the event's parser in parsers_allowed_.
    [[nodiscard]] std::uint64_t parser_bit(std::string_view parser) const;
    void build_index();
    // Fills parser_names_ and parsers_allowed_ from the classes' `parser:` tests.
    void build_parser_gates();
    // Writes the slug of the first value of `fields` in `e` that has one to `out` (at least
    // max_slug_bytes: on the worker's stack, no allocation per event); returns its length, 0
    // when there is none.
    [[nodiscard]] static std::size_t
    derived_value(const core::event& e, const std::vector<core::field_id>& fields, char* out);

    // Classes of the file and the mappings first, then derived ones (added by classes_for, so
    // mutable: see there). when_ and the indexes cover only the first `static_count_`.
    mutable std::vector<logsource_class> classes_;
    std::vector<std::vector<condition>> when_;
    // Per class: the parsers whose events it can hold (a bit per name in parser_names_; the
    // last bit for any parser no class names), and the tests left to check on an event that
    // reached it through its index (the key test held already) and whose parser it allows.
    std::vector<std::string> parser_names_;
    std::vector<std::uint64_t> parsers_allowed_;
    std::vector<std::vector<condition>> remaining_;
    class_id static_count_ = 0;
    std::optional<class_id> derive_class_; // the `derive` class, if the file has one
    // "product/service" -> the class derived for it.
    mutable core::string_map<class_id> derived_;
    // Each class is reachable through one discriminating condition: a field value, the
    // mapping, the parser or a field it requires; classes with none are always candidates.
    std::vector<std::pair<core::field_id, value_index>> by_field_;
    value_index by_parser_;
    value_index by_mapping_;
    // Classes with only presence tests, by the first field they require (ascending lists).
    std::vector<std::pair<core::field_id, std::vector<class_id>>> by_presence_;
    std::vector<class_id> unindexed_;
};

} // namespace vigil::rules
