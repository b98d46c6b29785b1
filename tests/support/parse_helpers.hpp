#pragma once

#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "core/event.hpp"
#include "parse/syslog_parser.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::test {

// Parses one syslog record the way a worker does and keeps the results by field name, so a
// test can read them after the parser's views would have dangled.
struct parsed_record {
    parse::parse_error error = parse::parse_error::none;
    std::string parser;
    std::optional<std::int64_t> time_ns;
    std::map<std::string, std::string> fields;
    std::map<std::string, std::string> structured_data; // "sd-id/name" -> value

    [[nodiscard]] bool has(const std::string& name) const { return fields.contains(name); }
    [[nodiscard]] std::string get(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? std::string("<absent>") : it->second;
    }
    [[nodiscard]] std::string time() const {
        return time_ns ? core::format_rfc3339(*time_ns) : std::string("<none>");
    }
};

inline parsed_record parse_syslog(std::string_view line,
                                  parse::rfc3164_config config = parse::rfc3164_config{},
                                  std::int64_t received_ns = 1'795'000'000'000'000'000) {
    static thread_local core::arena scratch;
    static thread_local core::event e;
    const std::string copy(line);
    core::raw_record record{copy, core::source_kind::file, received_ns, {}};
    parse::syslog_parser parser(std::move(config));
    scratch.reset();
    parsed_record out;
    out.error = parser.parse(record, e, scratch);
    out.parser = std::string(e.parser);
    out.time_ns = e.time_ns;
    const auto& catalog = core::field_catalog::builtin();
    for (const auto& f : e.fields()) {
        out.fields[std::string(catalog.name(f.id))] = std::string(f.value);
    }
    for (const auto& p : e.structured_data()) {
        out.structured_data[std::string(p.sd_id) + "/" + std::string(p.name)] =
            std::string(p.value);
    }
    return out;
}

} // namespace vigil::test
