#pragma once

#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "core/event.hpp"
#include "parse/record_parser.hpp"
#include "rules/rule_compiler.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::test {

// The shipped schemas (fields, log sources, vendor mappings), loaded once and shared.
inline const rules::rule_schema& shipped_parse_schema() {
    static const rules::rule_schema schema = [] {
        core::diagnostics diags;
        auto s = rules::load_rule_schema(std::string(VIGIL_SOURCE_DIR) + "/schemas", diags);
        if (diags.has_errors()) {
            throw std::runtime_error(diags.to_string());
        }
        return s;
    }();
    return schema;
}

// Vendor fields copied out of a parser's views, in order.
struct vendor_pairs {
    parse::parse_error error = parse::parse_error::none;
    std::vector<std::pair<std::string, std::string>> fields;

    // The first value under `name`, or "<absent>".
    [[nodiscard]] std::string get(const std::string& name) const {
        for (const auto& [n, v] : fields) {
            if (n == name) {
                return v;
            }
        }
        return "<absent>";
    }
};

inline vendor_pairs copy_pairs(parse::parse_error error, const parse::vendor_fields& fields) {
    vendor_pairs out;
    out.error = error;
    for (const auto& f : fields.items()) {
        out.fields.emplace_back(std::string(f.name), std::string(f.value));
    }
    return out;
}

// What the record parser made of one record, copied out of the parser's views.
struct parsed_event {
    parse::parse_error error = parse::parse_error::none;
    std::string parser;
    std::string mapping;
    std::string logsource_class; // "" when no class
    std::optional<std::int64_t> time_ns;
    std::multimap<std::string, std::string> fields;
    std::vector<std::pair<std::string, std::string>> vendor;

    [[nodiscard]] bool has(const std::string& name) const { return fields.contains(name); }
    // The first value of a canonical field, or "<absent>".
    [[nodiscard]] std::string get(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? std::string("<absent>") : it->second;
    }
    [[nodiscard]] std::vector<std::string> all(const std::string& name) const {
        std::vector<std::string> out;
        for (auto [it, end] = fields.equal_range(name); it != end; ++it) {
            out.push_back(it->second);
        }
        return out;
    }
    // The first value of a vendor field, or "<absent>".
    [[nodiscard]] std::string vendor_value(const std::string& name) const {
        for (const auto& [n, v] : vendor) {
            if (n == name) {
                return v;
            }
        }
        return "<absent>";
    }
    [[nodiscard]] std::string time() const {
        return time_ns ? core::format_rfc3339(*time_ns) : std::string("<none>");
    }
};

inline parsed_event parse_record(std::string_view text, parse::record_parser_config config = {},
                                 std::int64_t received_ns = 1'795'000'000'000'000'000) {
    const auto& schema = shipped_parse_schema();
    static thread_local core::arena scratch;
    static thread_local core::event e;
    const std::string copy(text);
    core::raw_record record{copy, core::source_kind::file, received_ns, {}};
    parse::record_parser parser(std::move(config));
    scratch.reset();
    parsed_event out;
    out.error = parser.parse(record, schema.mappings, schema.catalog, parse::field_projection{}, e,
                             scratch);
    out.parser = std::string(e.parser);
    out.mapping = std::string(e.mapping);
    out.time_ns = e.time_ns;
    if (auto c = schema.logsources.classify(e)) {
        out.logsource_class = schema.logsources.classes()[*c].name;
    }
    for (const auto& f : e.fields()) {
        out.fields.emplace(std::string(schema.catalog.name(f.id)), std::string(f.value));
    }
    for (std::size_t i = parser.vendor().seeded(); i < parser.vendor().size(); ++i) {
        const auto& f = parser.vendor().items()[i];
        out.vendor.emplace_back(std::string(f.name), std::string(f.value));
    }
    return out;
}

inline parse::record_parser_config with_year(std::int64_t year) {
    parse::record_parser_config c;
    c.rfc3164.year = year;
    return c;
}

} // namespace vigil::test
