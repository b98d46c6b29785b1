#include "parse/json_parser.hpp"

#include "parse/syslog_timestamp.hpp"

#include <simdjson.h>
#include <string>
#include <vector>

namespace vigil::parse {
namespace {

namespace od = simdjson::ondemand;

struct leaf {
    std::string_view path;
    std::string_view value;
};

std::string_view trim_token(std::string_view token) {
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t')) {
        token.remove_suffix(1);
    }
    return token;
}

} // namespace

struct json_parser::impl {
    json_limits limits;
    od::parser parser;
    std::string padded;
    std::string path;
    std::string name_buffer;
    std::vector<leaf> leaves;
    core::arena* scratch = nullptr;
    parse_error limit_error = parse_error::none;

    void add_leaf(std::string_view value) {
        if (leaves.size() >= limits.max_fields) {
            limit_error = parse_error::too_many_fields;
            return;
        }
        leaves.push_back({scratch->copy(path), value});
    }

    // Flattens `value` under the current path. Returns a simdjson error for invalid JSON.
    simdjson::error_code walk(od::value value, std::size_t depth) {
        if (depth > limits.max_depth) {
            limit_error = parse_error::too_deep;
            return simdjson::SUCCESS; // unread; the iterator skips it
        }
        od::json_type type;
        if (auto e = value.type().get(type); e) {
            return e;
        }
        switch (type) {
        case od::json_type::object: {
            od::object object;
            if (auto e = value.get_object().get(object); e) {
                return e;
            }
            for (auto field : object) {
                std::string_view key;
                if (auto e = field.unescaped_key().get(key); e) {
                    return e;
                }
                const std::size_t mark = path.size();
                if (!path.empty()) {
                    path += '.';
                }
                path += key;
                od::value child;
                if (auto e = field.value().get(child); e) {
                    return e;
                }
                if (auto e = walk(child, depth + 1); e) {
                    return e;
                }
                path.resize(mark);
            }
            return simdjson::SUCCESS;
        }
        case od::json_type::array: {
            od::array array;
            if (auto e = value.get_array().get(array); e) {
                return e;
            }
            for (auto element : array) {
                od::value child;
                if (auto e = element.get(child); e) {
                    return e;
                }
                if (auto e = walk(child, depth + 1); e) {
                    return e;
                }
            }
            return simdjson::SUCCESS;
        }
        case od::json_type::string: {
            std::string_view text;
            if (auto e = value.get_string().get(text); e) {
                return e;
            }
            add_leaf(text);
            return simdjson::SUCCESS;
        }
        case od::json_type::null:
            add_leaf({});
            // Consume the token so that the iterator moves on.
            return value.is_null().error();
        case od::json_type::number:
        case od::json_type::boolean: {
            add_leaf(trim_token(value.raw_json_token()));
            return simdjson::SUCCESS;
        }
        }
        return simdjson::INCORRECT_TYPE;
    }

    // Flattens one document into `leaves`.
    simdjson::error_code flatten(auto& document) {
        leaves.clear();
        path.clear();
        limit_error = parse_error::none;
        od::json_type type;
        if (auto e = document.type().get(type); e) {
            return e;
        }
        if (type != od::json_type::object && type != od::json_type::array) {
            return simdjson::TAPE_ERROR; // a bare scalar is not an event
        }
        od::value root;
        if (auto e = document.get_value().get(root); e) {
            return e;
        }
        return walk(root, 1);
    }

    // Applies the first mapping that detects the document and fills `out`.
    void fill(const json_mapping_set& mappings, const core::field_catalog& catalog,
              core::event& out) {
        const json_mapping* chosen = &mappings.mappings.back();
        for (const auto& m : mappings.mappings) {
            bool all = !m.detect.empty();
            for (const auto& path_wanted : m.detect) {
                bool found = false;
                for (const auto& l : leaves) {
                    if (l.path == path_wanted) {
                        found = true;
                        break;
                    }
                }
                all = all && found;
            }
            if (all) {
                chosen = &m;
                break;
            }
        }
        out.mapping = chosen->name;
        for (const auto& l : leaves) {
            if (!chosen->timestamp_path.empty() && l.path == chosen->timestamp_path) {
                if (auto ts = read_rfc3339(l.value); ts && ts->length == l.value.size()) {
                    out.time_ns = ts->unix_ns;
                }
            }
            const std::string_view name = chosen->field_name(l.path, name_buffer);
            if (auto id = catalog.find(name)) {
                out.add(*id, l.value);
            }
        }
    }

    void mark_error(core::event& out, parse_error error, std::string_view text) {
        out.parse_error = to_string(error);
        out.set(core::fields::error_type, out.parse_error);
        if (!out.get(core::fields::message)) {
            out.set(core::fields::message, text);
        }
    }
};

json_parser::json_parser(json_limits limits) : impl_(std::make_unique<impl>()) {
    impl_->limits = limits;
}

json_parser::~json_parser() = default;

parse_error json_parser::parse(const core::raw_record& record, const json_mapping_set& mappings,
                               const core::field_catalog& catalog, core::event& out,
                               core::arena& scratch) {
    impl& self = *impl_;
    self.scratch = &scratch;
    out.clear();
    out.raw = &record;
    out.parser = parser_name;
    std::string_view text = record.bytes;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    out.set(core::fields::event_original, text);
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: copy into a padded buffer.
    self.padded.assign(text);
    self.padded.append(simdjson::SIMDJSON_PADDING, '\0');
    od::document document;
    simdjson::error_code error =
        self.parser.iterate(self.padded.data(), text.size(), self.padded.size()).get(document);
    if (!error) {
        error = self.flatten(document);
    }
    if (error) {
        self.leaves.clear();
        self.mark_error(out, parse_error::invalid_json, text);
        return parse_error::invalid_json;
    }
    self.fill(mappings, catalog, out);
    if (self.limit_error != parse_error::none) {
        self.mark_error(out, self.limit_error, text);
    }
    return self.limit_error;
}

void json_parser::parse_documents(std::string_view text, std::int64_t received_ns,
                                  const json_mapping_set& mappings,
                                  const core::field_catalog& catalog, core::arena& scratch,
                                  const event_callback& on_event) {
    impl& self = *impl_;
    self.padded.assign(text);
    self.padded.append(simdjson::SIMDJSON_PADDING, '\0');
    od::document_stream stream;
    core::event e;
    if (self.parser
            .iterate_many(self.padded.data(), text.size(),
                          std::max<std::size_t>(text.size(), 1 << 16))
            .get(stream)) {
        core::raw_record record{text, core::source_kind::file, received_ns, {}};
        e.clear();
        e.raw = &record;
        e.parser = parser_name;
        e.set(core::fields::event_original, text);
        self.mark_error(e, parse_error::invalid_json, text);
        on_event(e, parse_error::invalid_json);
        return;
    }
    for (auto it = stream.begin(); it != stream.end(); ++it) {
        scratch.reset();
        self.scratch = &scratch;
        const std::string_view source = trim_token(it.source());
        core::raw_record record{source, core::source_kind::file, received_ns, {}};
        e.clear();
        e.raw = &record;
        e.parser = parser_name;
        e.set(core::fields::event_original, source);
        auto document = *it;
        simdjson::error_code error = document.error();
        if (!error) {
            error = self.flatten(document);
        }
        if (error) {
            self.mark_error(e, parse_error::invalid_json, source);
            on_event(e, parse_error::invalid_json);
            continue;
        }
        self.fill(mappings, catalog, e);
        if (self.limit_error != parse_error::none) {
            self.mark_error(e, self.limit_error, source);
        }
        on_event(e, self.limit_error);
    }
}

} // namespace vigil::parse
