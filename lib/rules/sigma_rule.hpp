#pragma once

#include "core/field_catalog.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vigil::rules {

// How a value is compared with a field (the Sigma modifiers that choose it).
enum class match_kind : std::uint8_t {
    equals,     // whole value, with * and ? wildcards
    contains,   // |contains
    startswith, // |startswith
    endswith,   // |endswith
    regex,      // |re (PCRE syntax as far as Hyperscan supports it)
    exists,     // |exists: true / false
    null,       // the value null: the field is absent or empty
};

// Flags of |re (|re|i, |re|m, |re|s).
struct regex_flags {
    bool caseless = false;
    bool multiline = false;
    bool dotall = false;
};

// One "field|modifiers: values" item of a selection map, or a keyword list (field = message).
// The values are ORed, or ANDed with |all.
struct field_test {
    std::string field_name; // as written in the rule ("" for keywords)
    core::field_id field = 0;
    match_kind kind = match_kind::equals;
    bool all = false;
    bool cased = false;
    regex_flags regex;
    std::vector<std::string> values;
    bool exists = true; // for match_kind::exists
    int line = 0;
};

// A selection map: its tests are ANDed.
struct selection_map {
    std::vector<field_test> tests;
};

// A search identifier of a detection (`selection`, `filter_main`, `keywords`): its maps are ORed.
struct search {
    std::string name;
    std::vector<selection_map> maps;
    int line = 0;
};

// The condition as a tree over search identifiers; `x of pattern` is already expanded.
struct condition_expr {
    enum class kind : std::uint8_t { search_ref, all_of, any_of, negate };
    kind type = kind::search_ref;
    std::size_t search = 0; // index into sigma_rule::searches for search_ref
    std::vector<condition_expr> children;
};

struct logsource {
    std::string product;
    std::string category;
    std::string service;
};

// A Sigma detection rule as loaded from YAML, validated but not yet compiled.
struct sigma_rule {
    std::string id;
    std::string title;
    std::string status;
    std::string description;
    std::string author;
    std::string level; // informational, low, medium, high, critical
    std::vector<std::string> tags;
    std::vector<std::string> references;
    std::vector<std::string> falsepositives;
    logsource source;
    std::vector<search> searches;
    condition_expr condition;

    std::string file;
    int line = 0; // line of the document's first key
};

} // namespace vigil::rules
