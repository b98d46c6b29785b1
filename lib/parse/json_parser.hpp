#pragma once

#include "core/arena.hpp"
#include "parse/parse_error.hpp"
#include "parse/vendor_fields.hpp"

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

// Cuts JSON documents into vendor fields with simdjson On-Demand: nested objects are flattened to
// dotted paths ("Event.System.EventID"), array elements become several values of one field,
// numbers and booleans keep their JSON text, null is a present empty value, a key that repeats
// keeps every value. The record parser then applies the vendor mapping (schemas/mappings) that
// detects the document. Limits: nesting depth (deeper values are not read), field count, value
// length.
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

    // Cuts a buffer of any number of documents (concatenated, one per line, or separated by
    // whitespace) into `out`, one document at a time, and calls `on_document` after each with
    // its text and outcome (as flatten() returns it); a batch document (json_batch.hpp) gives
    // one call per record. `scratch` is reset before each document.
    using document_callback = std::function<void(std::string_view source, parse_error error)>;
    void for_each_document(std::string_view text, vendor_fields& out, core::arena& scratch,
                           const document_callback& on_document);

    static constexpr std::string_view parser_name = "json";

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace vigil::parse
