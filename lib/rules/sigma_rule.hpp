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
    cidr,       // |cidr: the field is an IP address inside one of the networks
    compare,    // |lt, |lte, |gt, |gte: the field is a number compared with the value
};

// Transformations of a value before it is matched, applied in the order they are written.
enum class value_encoding : std::uint8_t {
    base64,       // |base64
    base64offset, // |base64offset: the three base64 renderings of the value at any offset
    utf16le,      // |utf16le, |wide
    utf16be,      // |utf16be
    utf16,        // |utf16: a byte order mark, then UTF-16LE
    windash,      // |windash: every -, /, en dash, em dash, horizontal bar stands for any of them
};

enum class compare_op : std::uint8_t { lt, lte, gt, gte };

// Flags of |re (|re|i, |re|m, |re|s).
struct regex_flags {
    bool caseless = false;
    bool multiline = false;
    bool dotall = false;
};

// One "field|modifiers: values" item of a selection map, or a keyword list (no field: the
// message, or the whole record when it has none). The values are ORed, or ANDed with |all.
struct field_test {
    std::string field_name; // as written in the rule ("" for keywords)
    core::field_id field = 0;
    bool keywords = false;
    match_kind kind = match_kind::equals;
    bool all = false;
    bool cased = false;
    bool negate = false;   // |neq: the field is none of the values
    bool expand = false;   // |expand: %name% placeholders are IOC lists
    bool fieldref = false; // |fieldref: each value names another field to compare with
    regex_flags regex;
    compare_op compare = compare_op::lt;
    std::vector<value_encoding> encodings;
    std::vector<std::string> values;
    std::vector<core::field_id> referenced_fields; // for |fieldref, one per value
    bool exists = true;                            // for match_kind::exists
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
    std::string name; // optional; correlation rules may refer to the rule by it
    std::string title;
    std::string status;
    std::string description;
    std::string author;
    std::string level;       // informational, low, medium, high, critical
    bool level_given = true; // false: `level` is the default, medium
    std::vector<std::string> tags;
    std::vector<std::string> references;
    std::vector<std::string> falsepositives;
    logsource source;
    std::vector<search> searches;
    condition_expr condition;

    std::string file;
    int line = 0; // line of the document's first key

    // Values in all its tests (what the loader's and the compiler's limits count).
    [[nodiscard]] std::size_t value_count() const {
        std::size_t values = 0;
        for (const auto& s : searches) {
            for (const auto& map : s.maps) {
                for (const auto& test : map.tests) {
                    values += test.values.size();
                }
            }
        }
        return values;
    }
};

} // namespace vigil::rules
