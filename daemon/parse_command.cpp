#include "parse_command.hpp"

#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "core/clock.hpp"
#include "core/json_writer.hpp"
#include "core/time_zone.hpp"
#include "parse/record_parser.hpp"
#include "rules/rule_compiler.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace vigil::daemon {
namespace {

// Writes `name: value` pairs as one JSON object; a name that repeats becomes an array.
template <typename Pairs, typename NameOf>
void write_fields(core::json_writer& w, const Pairs& pairs, NameOf name_of) {
    std::vector<std::string_view> names;
    for (const auto& p : pairs) {
        const std::string_view n = name_of(p);
        if (std::find(names.begin(), names.end(), n) == names.end()) {
            names.push_back(n);
        }
    }
    w.begin_object();
    for (const auto n : names) {
        std::vector<std::string_view> values;
        for (const auto& p : pairs) {
            if (name_of(p) == n) {
                values.push_back(p.value);
            }
        }
        w.key(n);
        if (values.size() == 1) {
            w.value(values.front());
        } else {
            w.begin_array();
            for (const auto v : values) {
                w.value(v);
            }
            w.end_array();
        }
    }
    w.end_object();
}

void write_list(core::json_writer& w, std::string_view key, const std::vector<std::string>& v) {
    if (v.empty()) {
        return;
    }
    w.key(key);
    if (v.size() == 1) {
        w.value(v.front());
        return;
    }
    w.begin_array();
    for (const auto& s : v) {
        w.value(s);
    }
    w.end_array();
}

std::string describe(const core::event& e, const parse::vendor_fields& vendor,
                     const rules::rule_schema& schema) {
    std::string out;
    core::json_writer w(out);
    w.begin_object();
    w.field("parser", e.parser);
    w.field("mapping", e.mapping);
    if (auto c = schema.logsources.classify(e)) {
        // A device's own log source (CEF/LEEF headers) even when no rule names it yet.
        const rules::logsource_class cls = schema.logsources.describe(*c, e);
        w.key("logsource").begin_object();
        w.field("class", cls.name);
        write_list(w, "product", cls.products);
        write_list(w, "category", cls.categories);
        write_list(w, "service", cls.services);
        w.end_object();
    } else {
        w.key("logsource").null();
    }
    if (e.time_ns) {
        w.field("@timestamp", core::format_rfc3339(*e.time_ns));
    }
    if (!e.parse_error.empty()) {
        w.field("parse_error", e.parse_error);
    }
    w.key("fields");
    write_fields(w, e.fields(), [&](const core::field_value& f) {
        return schema.catalog.name(f.id);
    });
    w.key("vendor");
    std::vector<parse::vendor_field> own(vendor.items().begin() + static_cast<std::ptrdiff_t>(vendor.seeded()),
                                         vendor.items().end());
    write_fields(w, own, [](const parse::vendor_field& f) { return f.name; });
    w.end_object();
    return out;
}

// Adds to the catalog the field names the event's mapping gives its vendor fields that the
// catalog does not know yet.
void learn_field_names(const core::event& e, const parse::vendor_fields& vendor,
                       rules::rule_schema& schema) {
    const parse::vendor_mapping* mapping = schema.mappings.find(e.mapping);
    std::string buffer;
    for (std::size_t i = vendor.seeded(); i < vendor.items().size(); ++i) {
        const std::string_view path = vendor.items()[i].name;
        const std::string_view name = mapping ? mapping->field_name(path, buffer) : path;
        if (!name.empty() && !schema.catalog.find(name)) {
            schema.catalog.add(name);
        }
    }
}

} // namespace

int run_parse_command(const parse_command_options& options) {
    const auto format = parse::parse_record_format(options.format);
    if (!format) {
        std::cerr << "vigil parse: unknown format '" << options.format
                  << "' (auto, syslog, rfc5424, rfc3164, cef, leef, json, kv or csv)\n";
        return 2;
    }
    std::shared_ptr<const core::time_zone> zone;
    if (!options.timezone.empty()) {
        auto loaded = core::time_zone::load(options.timezone);
        if (!loaded) {
            std::cerr << "vigil parse: --timezone: " << loaded.error() << "\n";
            return 2;
        }
        zone = std::make_shared<const core::time_zone>(std::move(*loaded));
    }
    core::diagnostics diags;
    rules::rule_schema schema = rules::load_rule_schema(options.schemas_dir, diags);
    if (diags.has_errors()) {
        std::cerr << diags.to_string();
        return 2;
    }
    if (!options.mapping.empty() && schema.mappings.find(options.mapping) == nullptr) {
        std::cerr << "vigil parse: no mapping named '" << options.mapping << "' in "
                  << (options.schemas_dir / "mappings").string() << "\n";
        return 2;
    }
    std::string input;
    if (options.file) {
        std::ifstream in(*options.file, std::ios::binary);
        if (!in) {
            std::cerr << "vigil parse: cannot read " << options.file->string() << "\n";
            return 1;
        }
        input.assign(std::istreambuf_iterator<char>(in), {});
    } else {
        input.assign(std::istreambuf_iterator<char>(std::cin), {});
    }

    parse::record_parser_config config;
    config.format = *format;
    config.mapping = options.mapping;
    config.rfc3164.year = options.rfc3164_year;
    if (zone) {
        config.rfc3164.zone = std::move(zone);
    }
    const parse::field_projection everything;
    core::arena scratch;
    core::event e;
    const std::int64_t now = core::system_clock::instance().now_ns();
    auto each_event = [&](parse::record_parser& parser, const auto& fn) {
        if (*format == parse::record_format::json) {
            // JSON documents may span lines: read the input as a stream of documents.
            parser.parse_documents(input, now, schema.mappings, schema.catalog, scratch,
                                   [&](core::event& doc, parse::parse_error) { fn(doc); });
            return;
        }
        std::size_t start = 0;
        while (start < input.size()) {
            std::size_t end = input.find('\n', start);
            if (end == std::string::npos) {
                end = input.size();
            }
            const std::string_view line(input.data() + start, end - start);
            start = end + 1;
            if (line.empty() || line == "\r") {
                continue;
            }
            core::raw_record record{line, core::source_kind::file, now, {}};
            scratch.reset();
            (void)parser.parse(record, schema.mappings, schema.catalog, everything, e, scratch);
            fn(e);
        }
    };
    // The daemon keeps only the fields some rule or the schema names; here every field a
    // mapping gives is shown, so a first pass adds the names no rule has named yet. (A parser
    // remembers which names the catalog lacks: the second pass has a parser of its own.)
    parse::record_parser learner(config);
    each_event(learner, [&](const core::event& event) {
        learn_field_names(event, learner.vendor(), schema);
    });
    parse::record_parser parser(config);
    each_event(parser, [&](const core::event& event) {
        std::cout << describe(event, parser.vendor(), schema) << "\n";
    });
    return 0;
}

} // namespace vigil::daemon
