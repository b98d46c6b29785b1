#pragma once

#include "core/arena.hpp"
#include "core/event.hpp"
#include "core/field_catalog.hpp"
#include "parse/field_projection.hpp"
#include "parse/parse_error.hpp"
#include "parse/vendor_fields.hpp"
#include "parse/vendor_mapping.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace vigil::parse {

// Decides which JSON paths a parse needs (the projection): leaves it rejects are skipped
// without being unescaped or copied.
class json_path_filter {
public:
    virtual ~json_path_filter() = default;
    [[nodiscard]] virtual bool keep(std::string_view path) = 0;
};

// Turns JSON documents into events with simdjson On-Demand: nested objects are flattened to
// dotted paths ("Event.System.EventID"), array elements become several values of one field,
// numbers and booleans keep their JSON text, null is a present empty value, a key that repeats
// keeps every value. The first mapping that detects the document names the paths
// (schemas/mappings), and the field catalog resolves the names; paths the catalog does not know
// are not kept as fields (no rule can ask for them; event.original still holds the whole
// document). Limits: nesting depth (deeper values are not read), field count, value length.
//
// One per worker thread: it owns the simdjson parser, whose buffers the event's values point
// into until the next parse.
class json_parser {
public:
    explicit json_parser(parse_limits limits = {});
    ~json_parser();
    json_parser(const json_parser&) = delete;
    json_parser& operator=(const json_parser&) = delete;

    // Flattens one document into `out` (cleared first). Returns invalid_json, invalid_utf8,
    // not_an_object (a top level other than an object; nothing is kept), or a limit broken
    // (too_deep, too_many_fields, value_too_long; what was read is kept).
    [[nodiscard]] parse_error flatten(std::string_view text, vendor_fields& out,
                                      core::arena& scratch, json_path_filter* filter = nullptr);

    // Parses a record that holds one JSON document into an event.
    [[nodiscard]] parse_error parse(const core::raw_record& record,
                                    const vendor_mapping_set& mappings,
                                    const core::field_catalog& catalog, core::event& out,
                                    core::arena& scratch,
                                    const field_projection& projection = {});
    // The fields of the last record parse() read, under their JSON paths.
    [[nodiscard]] const vendor_fields& last_fields() const;

    // Parses a buffer of any number of documents (concatenated, one per line, or separated by
    // whitespace) and calls `on_event` once per document with its event and outcome.
    using event_callback = std::function<void(core::event&, parse_error)>;
    void parse_documents(std::string_view text, std::int64_t received_ns,
                         const vendor_mapping_set& mappings, const core::field_catalog& catalog,
                         core::arena& scratch, const event_callback& on_event);

    static constexpr std::string_view parser_name = "json";

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace vigil::parse
