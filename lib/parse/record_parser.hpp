#pragma once

#include "core/arena.hpp"
#include "core/event.hpp"
#include "core/field_catalog.hpp"
#include "core/raw_record.hpp"
#include "parse/cef_parser.hpp"
#include "parse/csv_parser.hpp"
#include "parse/envelope.hpp"
#include "parse/field_mapper.hpp"
#include "parse/field_projection.hpp"
#include "parse/json_parser.hpp"
#include "parse/kv_parser.hpp"
#include "parse/leef_parser.hpp"
#include "parse/parse_error.hpp"
#include "parse/projection_filter.hpp"
#include "parse/syslog_parser.hpp"
#include "parse/vendor_fields.hpp"
#include "parse/vendor_mapping.hpp"

#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil::parse {

// How a record (or the message of a syslog record) is laid out.
enum class record_format : std::uint8_t {
    auto_detect, // records: JSON, CEF, LEEF or syslog; messages: JSON, CEF, LEEF, kv, CSV or plain
    syslog,      // RFC 5424 or RFC 3164, told apart per record; as a payload: plain text
    rfc5424,
    rfc3164,
    cef,
    leef,
    json,
    kv,
    csv,
};

[[nodiscard]] std::string_view to_string(record_format format);
// "auto", "syslog", "plain" (= syslog), "rfc5424", "rfc3164", "cef", "leef", "json", "kv", "csv".
[[nodiscard]] std::optional<record_format> parse_record_format(std::string_view text);

// The parsers whose records the workers count (vigil_events_parsed_total{parser}).
inline constexpr std::array<std::string_view, 7> parser_names{"rfc5424", "rfc3164", "cef", "leef",
                                                              "json",    "kv",      "csv"};
// The index of `name` in parser_names (rfc3164's for an unknown name).
[[nodiscard]] std::size_t parser_index(std::string_view name);

struct record_parser_config {
    record_format format = record_format::auto_detect;  // the record
    record_format payload = record_format::auto_detect; // the message of a syslog record
    // Completes zone- and year-less timestamps (RFC 3164, vendor time formats, LEEF devTime): the
    // listener's zone, time.zones, syslog.rfc3164.year, time.max_future_skew. (Named after the
    // format that needs it most.)
    local_time_config rfc3164;
    parse_limits limits;
    std::string mapping; // a vendor mapping to use for every record instead of detecting one
};

// Turns any record into an event (DESIGN.md §2, the parse stage): picks the parser (the
// configured format, or detected: a JSON object, "CEF:", "LEEF:", else syslog), reads a syslog
// record's message with the payload parser (CEF or LEEF after any prefix, JSON, key=value,
// Palo Alto CSV, or plain text), then applies the vendor mapping that detects the record's
// fields. Every record becomes an event; a damaged one carries its parse error.
//
// One per worker thread: it owns the parsers, their buffers and the vendor fields of the last
// record, which the event's values may point into until the next parse().
class record_parser {
public:
    explicit record_parser(record_parser_config config);

    [[nodiscard]] parse_error parse(const core::raw_record& record,
                                    const vendor_mapping_set& mappings,
                                    const core::field_catalog& catalog,
                                    const field_projection& projection, core::event& out,
                                    core::arena& scratch);

    // Parses a buffer of JSON documents (concatenated, one per line, or pretty-printed one after
    // another: fixtures, regression data, `vigil parse --format json`) and calls `on_event`
    // with the event and outcome of each, every field kept. `scratch` is reset per document.
    using event_callback = std::function<void(core::event&, parse_error)>;
    void parse_documents(std::string_view text, std::int64_t received_ns,
                         const vendor_mapping_set& mappings, const core::field_catalog& catalog,
                         core::arena& scratch, const event_callback& on_event);

    // The fields of the last record under their vendor names (what `vigil parse` shows).
    [[nodiscard]] const vendor_fields& vendor() const { return fields_; }
    // The envelopes the last record was unwrapped from, outermost first.
    [[nodiscard]] std::span<const envelope* const> unwrapped() const {
        return {unwrapped_.data(), unwrapped_count_};
    }

private:
    // Reads `text` (a record or a syslog message) as `format`; `format_name` is set to the
    // mapping format of what was read.
    parse_error read_payload(std::string_view text, record_format format, core::event& out,
                             core::arena& scratch, std::string_view& format_name,
                             const local_time& local);
    // The time and host in front of a CEF/LEEF body that is not a syslog header
    // ("1493738863000 host.example.com ", "May 02 15:27:43.000 UTC host.example.com ").
    void read_prefix(std::string_view prefix, const core::raw_record& record, core::event& out,
                     core::arena& scratch);
    [[nodiscard]] record_format detect_payload(std::string_view message) const;
    // Applies the vendor mapping (`detected`, the configured one, or the first of `format_name`
    // that detects the fields) and marks the event with the record's first problem.
    parse_error map_fields(const vendor_mapping* detected, std::string_view format_name,
                           parse_error error, std::string_view text,
                           const vendor_mapping_set& mappings, const core::field_catalog& catalog,
                           const field_projection& projection, core::event& out,
                           core::arena& scratch, const local_time& local);

    // Parses the record a JSON record carries as text (`e`: its envelope) in its place.
    parse_error parse_carried(const core::raw_record& record, const envelope& e,
                              std::string_view carried, const vendor_mapping_set& mappings,
                              const core::field_catalog& catalog,
                              const field_projection& projection, core::event& out,
                              core::arena& scratch);

    record_parser_config config_;
    bool parsing_carried_ = false; // parse() is parsing the record a JSON record carries
    syslog_parser syslog_;
    cef_parser cef_;
    leef_parser leef_;
    kv_parser kv_;
    csv_parser csv_;
    json_parser json_;
    field_mapper mapper_;
    vendor_fields fields_;
    core::event prefix_event_;
    core::event document_event_;
    projection_filter filter_;
    const field_projection* projection_ = nullptr; // of the record being parsed
    envelope_set::unwrapped_list unwrapped_{};
    std::size_t unwrapped_count_ = 0;
};

} // namespace vigil::parse
