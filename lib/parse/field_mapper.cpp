#include "parse/field_mapper.hpp"

#include "parse/label_text.hpp"
#include "parse/syslog_timestamp.hpp"

#include <algorithm>
#include <array>

namespace vigil::parse {
namespace {

// A mapping may meet any number of distinct vendor names (JSON keys come from the sender);
// past this many per mapping, names are resolved without being remembered.
constexpr std::size_t max_cached_names = 8192;

// Decodes the escapes of a value that was JSON-escaped twice (`unescape` in a mapping):
// \\ \" \/ \n \r \t; any other backslash stays as it is.
std::string_view decode_escapes(std::string_view value, core::arena& scratch) {
    char* out = scratch.allocate(value.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size()) {
            switch (value[i + 1]) {
            case '\\':
                c = '\\';
                ++i;
                break;
            case '"':
                c = '"';
                ++i;
                break;
            case '/':
                c = '/';
                ++i;
                break;
            case 'n':
                c = '\n';
                ++i;
                break;
            case 'r':
                c = '\r';
                ++i;
                break;
            case 't':
                c = '\t';
                ++i;
                break;
            default:
                break;
            }
        }
        out[n++] = c;
    }
    return {out, n};
}

} // namespace

core::field_id field_mapper::resolve(const vendor_mapping& mapping, name_cache& cache,
                                     const vendor_field& field,
                                     const core::field_catalog& catalog) {
    if (const core::field_id* cached = cache.find(field.name, field.name_hash)) {
        return *cached;
    }
    const auto id = catalog.find(mapping.field_name(field.name, buffer_));
    const core::field_id result = id ? *id : unknown;
    if (cache.size() < max_cached_names) {
        cache[field.name] = result;
    }
    return result;
}

void field_mapper::extract(const vendor_mapping& mapping, vendor_fields& fields,
                           core::arena& scratch) {
    // Steps read mostly the same field (the message): remember the last lookup. Fields are only
    // ever added, so a found field stays where it is.
    std::size_t cached_hash = 0;
    std::uint32_t cached_from = vendor_fields::none;
    bool cached = false;
    for (const auto& step : mapping.extract) {
        if (!cached || step.from_hash != cached_hash ||
            (cached_from != vendor_fields::none && fields.items()[cached_from].name != step.from)) {
            cached_from = fields.first(step.from, step.from_hash);
            cached_hash = step.from_hash;
            cached = cached_from != vendor_fields::none;
        }
        if (cached_from == vendor_fields::none) {
            continue;
        }
        const std::string_view text = fields.items()[cached_from].value;
        // Cheapest rejection first: the text must start with the pattern's leading literal.
        if (step.dissect && !text.starts_with(step.dissect->leading_literal())) {
            continue;
        }
        if (!step.when.empty() && !vendor_mapping::all_hold(step.when, fields)) {
            continue;
        }
        if (step.dissect) {
            // Alternatives for one message shape: once a step has cut its first field out,
            // later steps that would cut the same field are skipped.
            if (const auto& first = step.dissect->first_field();
                !first.empty() &&
                fields.first(first, step.first_field_hash) != vendor_fields::none) {
                continue;
            }
            step.dissect->apply(text, fields);
        } else if (step.key_value) {
            (void)kv_.parse(text, fields, scratch);
        } else if (step.labels_prefix) {
            extract_labels(text, *step.labels_prefix, fields, scratch);
        }
    }
}

void field_mapper::name_columns(const vendor_mapping& mapping, vendor_fields& fields) {
    const auto& columns = *mapping.columns;
    // Columns count after the fields seeded from the syslog header.
    const std::size_t first = fields.seeded();
    if (first + columns.select >= fields.size()) {
        return;
    }
    const auto layout = columns.layouts.find(fields.items()[first + columns.select].value);
    if (layout == columns.layouts.end()) {
        return;
    }
    const std::size_t n = std::min(layout->second.size(), fields.size() - first);
    for (std::size_t i = 0; i < n; ++i) {
        fields.rename(first + i, layout->second[i]);
    }
    fields.reindex();
}

void field_mapper::read_time(const vendor_mapping& mapping, const vendor_fields& fields,
                             core::event& out, core::arena& scratch, const local_time& local) {
    std::string_view text;
    if (mapping.timestamp_fields.size() == 1) {
        auto v = fields.find(mapping.timestamp_fields.front());
        if (!v) {
            return;
        }
        text = *v;
    } else {
        // Several fields ("date" and "time"): joined with one space.
        std::size_t size = 0;
        std::array<std::string_view, 4> parts{};
        std::size_t count = 0;
        for (const auto& name : mapping.timestamp_fields) {
            auto v = fields.find(name);
            if (!v || count == parts.size()) {
                return;
            }
            parts[count++] = *v;
            size += v->size() + 1;
        }
        char* joined = scratch.allocate(size);
        std::size_t at = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (i > 0) {
                joined[at++] = ' ';
            }
            parts[i].copy(joined + at, parts[i].size());
            at += parts[i].size();
        }
        text = {joined, at};
    }
    if (mapping.timestamp_format) {
        const std::string_view host = out.get(core::fields::host_name).value_or("");
        if (auto ns = mapping.timestamp_format->parse(text, local, host)) {
            out.time_ns = *ns;
        }
    } else if (auto ts = read_rfc3339(text); ts && ts->length == text.size()) {
        out.time_ns = ts->unix_ns;
    }
}

void field_mapper::resolve_targets(const vendor_mapping& mapping,
                                   const core::field_catalog& catalog, mapping_cache& cache) const {
    auto id_of = [&](const std::string& name) { return catalog.find(name).value_or(unknown); };
    for (const auto& c : mapping.constants) {
        cache.constants.push_back(id_of(c.first));
    }
    for (const auto& c : mapping.classify) {
        auto& ids = cache.classify.emplace_back();
        for (const auto& constant : c.constants) {
            ids.push_back(id_of(constant.first));
        }
    }
    for (const auto& t : mapping.translations) {
        cache.translations.emplace_back(id_of(t.to), id_of(t.from));
    }
    cache.targets_resolved = true;
}

void field_mapper::use(const vendor_mapping_set& mappings, const core::field_catalog& catalog) {
    if (mappings.identity() != cached_set_ || &catalog != cached_catalog_) {
        caches_.clear();
        cached_set_ = mappings.identity();
        cached_catalog_ = &catalog;
    }
}

void field_mapper::apply(const vendor_mapping& mapping, vendor_fields& fields,
                         const core::field_catalog& catalog, const field_projection& projection,
                         core::event& out, core::arena& scratch, const local_time& local) {
    out.mapping = mapping.name;
    if (mapping.columns) {
        name_columns(mapping, fields);
    }
    if (!mapping.extract.empty()) {
        extract(mapping, fields, scratch);
    }
    // A field the syslog header already set (message, host.name) is replaced by the first value
    // the mapping gives it; further values are added.
    ++generation_;
    if (written_.size() < catalog.size()) {
        written_.resize(catalog.size(), 0);
    }
    mapping_cache& cache = caches_[&mapping];
    if (!cache.targets_resolved) {
        resolve_targets(mapping, catalog, cache);
    }
    for (std::size_t i = fields.seeded(); i < fields.size(); ++i) {
        const vendor_field& f = fields.items()[i];
        const core::field_id id = resolve(mapping, cache.names, f, catalog);
        if (id == unknown || !projection.keeps(id)) {
            continue;
        }
        std::string_view value = f.value;
        if (!mapping.unescape.empty() && value.find('\\') != std::string_view::npos &&
            mapping.unescapes(f.name)) {
            value = decode_escapes(value, scratch);
        }
        if (written_[id] != generation_) {
            written_[id] = generation_;
            if (id != core::fields::event_original && out.get(id)) {
                out.set(id, value);
                continue;
            }
        }
        out.add(id, value);
    }
    auto keep = [&](core::field_id id) { return id != unknown && projection.keeps(id); };
    for (std::size_t i = 0; i < mapping.constants.size(); ++i) {
        if (keep(cache.constants[i])) {
            out.set(cache.constants[i], mapping.constants[i].second);
        }
    }
    for (std::size_t c = 0; c < mapping.classify.size(); ++c) {
        if (!vendor_mapping::all_hold(mapping.classify[c].when, fields)) {
            continue;
        }
        for (std::size_t i = 0; i < mapping.classify[c].constants.size(); ++i) {
            if (keep(cache.classify[c][i])) {
                out.set(cache.classify[c][i], mapping.classify[c].constants[i].second);
            }
        }
        break;
    }
    for (std::size_t i = 0; i < mapping.translations.size(); ++i) {
        const auto& t = mapping.translations[i];
        const auto [to, from_id] = cache.translations[i];
        if (!keep(to)) {
            continue;
        }
        std::optional<std::string_view> from = fields.find(t.from);
        if (!from && from_id != unknown) {
            from = out.get(from_id);
        }
        if (!from) {
            continue;
        }
        if (auto it = t.values.find(*from); it != t.values.end()) {
            out.set(to, it->second);
        } else if (t.otherwise) {
            out.set(to, *t.otherwise);
        }
    }
    if (!mapping.timestamp_fields.empty()) {
        read_time(mapping, fields, out, scratch, local);
    }
}

} // namespace vigil::parse
