#include "parse/json_parser.hpp"

#include "parse/json_batch.hpp"

#include <simdjson.h>
#include <string>
#include <vector>

namespace vigil::parse {
namespace {

namespace od = simdjson::ondemand;

std::string_view trim_token(std::string_view token) {
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t')) {
        token.remove_suffix(1);
    }
    return token;
}

} // namespace

struct json_parser::impl {
    explicit impl(parse_limits l) : limits(l) {}

    parse_limits limits;
    od::parser parser;
    std::string padded;
    std::string path;
    vendor_fields* leaves = nullptr;    // where flatten() puts the fields
    json_path_filter* filter = nullptr; // leaves it rejects are not read
    core::arena* scratch = nullptr;

    void add_leaf(std::string_view value) {
        if (leaves->size() >= limits.max_fields) {
            leaves->note(parse_error::too_many_fields);
            return;
        }
        leaves->add(scratch->copy(path), value);
    }

    // Flattens `value` under the current path. Returns a simdjson error for invalid JSON.
    simdjson::error_code walk(od::value value, std::size_t depth) {
        if (depth > limits.max_depth) {
            leaves->note(parse_error::too_deep);
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
            if (filter != nullptr && !filter->keep(path)) {
                // Projected away: skip the string without unescaping or copying it.
                return value.get_raw_json_string().error();
            }
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
            const std::string_view token = trim_token(value.raw_json_token());
            if (filter == nullptr || filter->keep(path)) {
                add_leaf(token);
            }
            return simdjson::SUCCESS;
        }
        }
        return simdjson::INCORRECT_TYPE;
    }

    // Flattens one document into `leaves`.
    simdjson::error_code flatten(auto& document) {
        leaves->clear();
        path.clear();
        od::json_type type;
        if (auto e = document.type().get(type); e) {
            return e;
        }
        if (type != od::json_type::object) {
            // A valid array or scalar is not an event (INCORRECT_TYPE); text that merely starts
            // like one ("not json" looks like null) is invalid JSON.
            simdjson::error_code valid = simdjson::SUCCESS;
            switch (type) {
            case od::json_type::null: {
                bool is_null = false;
                valid = document.is_null().get(is_null);
                valid = valid ? valid : is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
                break;
            }
            case od::json_type::boolean:
                valid = document.get_bool().error();
                break;
            case od::json_type::number:
                valid = document.get_double().error();
                break;
            case od::json_type::string:
                valid = document.get_string().error();
                break;
            default:
                break;
            }
            return valid ? valid : simdjson::INCORRECT_TYPE;
        }
        od::value root;
        if (auto e = document.get_value().get(root); e) {
            return e;
        }
        return walk(root, 1);
    }
};

json_parser::json_parser(parse_limits limits) : impl_(std::make_unique<impl>(limits)) {}

json_parser::~json_parser() = default;

static parse_error reason(simdjson::error_code error) {
    switch (error) {
    case simdjson::SUCCESS:
        return parse_error::none;
    case simdjson::UTF8_ERROR:
        return parse_error::invalid_utf8;
    case simdjson::INCORRECT_TYPE:
        return parse_error::not_an_object;
    case simdjson::DEPTH_ERROR:
        return parse_error::too_deep;
    default:
        return parse_error::invalid_json;
    }
}

parse_error json_parser::flatten(std::string_view text, vendor_fields& out, core::arena& scratch,
                                 json_path_filter* filter) {
    impl& self = *impl_;
    self.scratch = &scratch;
    self.leaves = &out;
    self.filter = filter;
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: copy into a padded buffer.
    self.padded.assign(text);
    self.padded.append(simdjson::SIMDJSON_PADDING, '\0');
    od::document document;
    simdjson::error_code error =
        self.parser.iterate(self.padded.data(), text.size(), self.padded.size()).get(document);
    if (!error) {
        error = self.flatten(document);
    }
    self.filter = nullptr;
    if (error) {
        out.clear();
        return reason(error);
    }
    return out.error();
}

void json_parser::for_each_document(std::string_view text, vendor_fields& out, core::arena& scratch,
                                    const document_callback& on_document) {
    impl& self = *impl_;
    self.padded.assign(text);
    self.padded.append(simdjson::SIMDJSON_PADDING, '\0');
    od::document_stream stream;
    if (self.parser
            .iterate_many(self.padded.data(), text.size(),
                          std::max<std::size_t>(text.size(), 1 << 16))
            .get(stream)) {
        out.clear();
        on_document(text, parse_error::invalid_json);
        return;
    }
    // The documents' places first (views into `text`: flattening reuses the padded copy), then
    // each document, or each record of a batch document (json_batch.hpp), flattened alone.
    std::vector<std::pair<std::string_view, simdjson::error_code>> documents;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
        const std::string_view source = trim_token(it.source());
        const auto offset = static_cast<std::size_t>(source.data() - self.padded.data());
        documents.emplace_back(text.substr(offset, source.size()), (*it).error());
    }
    std::vector<std::string_view> records;
    auto one = [&](std::string_view source) {
        scratch.reset();
        on_document(source, flatten(source, out, scratch));
    };
    for (const auto& [source, error] : documents) {
        if (error) {
            scratch.reset();
            out.clear();
            on_document(source, reason(error));
        } else if (split_json_batch(source, records)) {
            for (const std::string_view record : records) {
                one(record);
            }
        } else {
            one(source);
        }
    }
}

} // namespace vigil::parse
