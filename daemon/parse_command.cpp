#include "parse_command.hpp"

#include "core/arena.hpp"
#include "core/civil_time.hpp"
#include "core/clock.hpp"
#include "core/json_writer.hpp"
#include "core/time_zone.hpp"
#include "parse/json_batch.hpp"
#include "parse/record_parser.hpp"
#include "rules/rule_compiler.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <span>
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

// What `vigil parse` reads events with: the schemas alone, or (--explain) the compiled rules,
// whose log source classes include those derived for the devices rules name.
struct parse_context {
    core::field_catalog catalog; // grows with the names mappings give (learn_field_names)
    const parse::vendor_mapping_set* mappings = nullptr;
    const rules::logsource_map* logsources = nullptr;
    std::shared_ptr<const rules::rule_set> rules; // --explain only
};

// --explain: which envelopes were taken off, the classes the event nearly fell into and the
// one it is in (with the tests that decided), and the rules that can meet it.
void write_explanation(core::json_writer& w, const core::event& e,
                       std::span<const parse::envelope* const> envelopes,
                       const parse_context& ctx) {
    w.key("explain").begin_object();
    w.key("envelopes").begin_array();
    for (const parse::envelope* env : envelopes) {
        w.value(env->name);
    }
    w.end_array();
    const auto checks = ctx.logsources->explain(e, ctx.catalog);
    w.key("classes").begin_array();
    std::optional<rules::class_id> chosen;
    for (const auto& k : checks) {
        w.begin_object();
        w.field("class", ctx.logsources->describe(k.id, e).name);
        w.field("matched", k.matched);
        w.key("held").begin_array();
        for (const auto& h : k.held) {
            w.value(h);
        }
        w.end_array();
        if (!k.matched) {
            w.field("failed", k.failed);
        } else {
            chosen = k.id;
        }
        w.end_object();
    }
    w.end_array();
    w.key("rules").begin_array();
    if (chosen) {
        for (const auto& rule : ctx.rules->rules()) {
            if (std::find(rule.classes.begin(), rule.classes.end(), *chosen) !=
                rule.classes.end()) {
                w.begin_object()
                    .field("id", rule.id)
                    .field("title", rule.title)
                    .field("level", rule.level)
                    .field("file", rule.file)
                    .end_object();
            }
        }
    }
    w.end_array();
    w.end_object();
}

std::string describe(const core::event& e, const parse::vendor_fields& vendor,
                     std::span<const parse::envelope* const> envelopes, const parse_context& ctx) {
    std::string out;
    core::json_writer w(out);
    w.begin_object();
    w.field("parser", e.parser);
    w.field("mapping", e.mapping);
    if (auto c = ctx.logsources->classify(e)) {
        // A device's own log source (CEF/LEEF headers) even when no rule names it yet.
        const rules::logsource_class cls = ctx.logsources->describe(*c, e);
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
        w.field("@timestamp", core::rfc3339(*e.time_ns).view());
    }
    if (!e.parse_error.empty()) {
        w.field("parse_error", e.parse_error);
    }
    w.key("fields");
    write_fields(w, e.fields(), [&](const core::field_value& f) { return ctx.catalog.name(f.id); });
    w.key("vendor");
    std::vector<parse::vendor_field> own(vendor.items().begin() +
                                             static_cast<std::ptrdiff_t>(vendor.seeded()),
                                         vendor.items().end());
    write_fields(w, own, [](const parse::vendor_field& f) { return f.name; });
    if (ctx.rules) {
        write_explanation(w, e, envelopes, ctx);
    }
    w.end_object();
    return out;
}

// Adds to the catalog the field names the event's mapping gives its vendor fields that the
// catalog does not know yet.
void learn_field_names(const core::event& e, const parse::vendor_fields& vendor,
                       parse_context& ctx) {
    const parse::vendor_mapping* mapping = ctx.mappings->find(e.mapping);
    std::string buffer;
    for (std::size_t i = vendor.seeded(); i < vendor.items().size(); ++i) {
        const std::string_view path = vendor.items()[i].name;
        const std::string_view name = mapping ? mapping->field_name(path, buffer) : path;
        if (!name.empty() && !ctx.catalog.find(name)) {
            ctx.catalog.add(name);
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
    parse_context ctx;
    if (options.explain) {
        // The rules' own catalog, mappings and classes: field ids and class ids agree with
        // theirs (the catalog copy only grows).
        auto compiled =
            rules::rule_compiler::load_directory(options.rules_dir, options.schemas_dir, 1, diags);
        if (!compiled.rules) {
            std::cerr << "vigil parse: --explain: the rules in " << options.rules_dir.string()
                      << " do not load:\n"
                      << diags.to_string();
            return 2;
        }
        ctx.rules = compiled.rules;
        ctx.catalog = ctx.rules->catalog();
        ctx.mappings = &ctx.rules->mappings();
        ctx.logsources = &ctx.rules->logsources();
    } else {
        ctx.catalog = schema.catalog;
        ctx.mappings = &schema.mappings;
        ctx.logsources = &schema.logsources;
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
    std::vector<std::string_view> elements;
    auto each_event = [&](parse::record_parser& parser, const auto& fn) {
        if (*format == parse::record_format::json) {
            // JSON documents may span lines: read the input as a stream of documents.
            parser.parse_documents(input, now, *ctx.mappings, ctx.catalog, scratch,
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
            // A batch document's records one by one, as workers split them.
            if (!parse::split_json_batch(line, elements)) {
                elements.assign(1, line);
            }
            for (const std::string_view element : elements) {
                core::raw_record record{element, core::source_kind::file, now, {}};
                scratch.reset();
                (void)parser.parse(record, *ctx.mappings, ctx.catalog, everything, e, scratch);
                fn(e);
            }
        }
    };
    // The daemon keeps only the fields some rule or the schema names; here every field a
    // mapping gives is shown, so a first pass adds the names no rule has named yet. (A parser
    // remembers which names the catalog lacks: the second pass has a parser of its own.)
    parse::record_parser learner(config);
    each_event(learner,
               [&](const core::event& event) { learn_field_names(event, learner.vendor(), ctx); });
    parse::record_parser parser(config);
    each_event(parser, [&](const core::event& event) {
        std::cout << describe(event, parser.vendor(), parser.unwrapped(), ctx) << "\n";
    });
    return 0;
}

} // namespace vigil::daemon
