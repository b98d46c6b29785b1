#pragma once

#include "core/arena.hpp"
#include "core/event.hpp"
#include "core/field_catalog.hpp"
#include "parse/json_mapping.hpp"
#include "parse/parse_error.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace vigil::parse {

struct json_limits {
    std::size_t max_depth = 64;    // deeper values are not read (too_deep)
    std::size_t max_fields = 1024; // leaves after this many are not read (too_many_fields)
};

// Turns JSON documents into events with simdjson On-Demand: nested objects are flattened to
// dotted paths ("Event.System.EventID"), array elements become several values of one field,
// numbers and booleans keep their JSON text, null is a present empty value. The first mapping
// whose detect paths are all present renames the paths (schemas/mappings), and the field
// catalog resolves the names; paths the catalog does not know are not kept as fields (no rule
// can ask for them; event.original still holds the whole document).
//
// One per worker thread: it owns the simdjson parser, whose buffers the event's values point
// into until the next parse.
class json_parser {
public:
    explicit json_parser(json_limits limits = {});
    ~json_parser();
    json_parser(const json_parser&) = delete;
    json_parser& operator=(const json_parser&) = delete;

    // Parses a record that holds one JSON document.
    [[nodiscard]] parse_error parse(const core::raw_record& record,
                                    const json_mapping_set& mappings,
                                    const core::field_catalog& catalog, core::event& out,
                                    core::arena& scratch);

    // Parses a buffer of any number of documents (concatenated, one per line, or separated by
    // whitespace) and calls `on_event` once per document with its event and outcome.
    using event_callback = std::function<void(core::event&, parse_error)>;
    void parse_documents(std::string_view text, std::int64_t received_ns,
                         const json_mapping_set& mappings, const core::field_catalog& catalog,
                         core::arena& scratch, const event_callback& on_event);

    static constexpr std::string_view parser_name = "json";

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace vigil::parse
