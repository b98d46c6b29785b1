#include "parse/projection_filter.hpp"

#include "parse/envelope.hpp"

#include <algorithm>

namespace vigil::parse {
namespace {

// Paths come from the sender: past this many, answers are computed but not remembered.
constexpr std::size_t max_cached_paths = 8192;

bool named_in(const std::vector<vendor_mapping::condition>& conditions, std::string_view path) {
    return std::any_of(conditions.begin(), conditions.end(),
                       [&](const auto& c) { return c.field == path; });
}

} // namespace

void projection_filter::use(const vendor_mapping_set& mappings, const core::field_catalog& catalog,
                            const field_projection& projection) {
    if (mappings.identity() != mappings_identity_ || &catalog != catalog_ ||
        &projection != projection_) {
        mappings_ = &mappings;
        mappings_identity_ = mappings.identity();
        catalog_ = &catalog;
        projection_ = &projection;
        cache_.clear();
    }
}

bool projection_filter::needed(std::string_view path, std::size_t depth) {
    if (needed_by_mappings(path)) {
        return true;
    }
    if (!mappings_->envelopes || depth == envelope_set::max_depth) {
        return false;
    }
    // A path inside an envelope is needed when the name it has once unwrapped is.
    for (const auto& e : mappings_->envelopes->items()) {
        if (named_in(e.detect, path) || path == e.prefix_field || path == e.record_field ||
            path == e.time_field) {
            return true;
        }
        if (!e.record_field.empty()) {
            continue; // carries its record as text: no paths inside it
        }
        std::string_view inner;
        if (!e.prefix.empty()) {
            if (path.starts_with(e.prefix)) {
                inner = path.substr(e.prefix.size());
            }
        } else if (const std::size_t dot = path.find('.'); dot != std::string_view::npos) {
            inner = path.substr(dot + 1); // the prefix is a field's value: any first segment
        }
        if (!inner.empty() && needed(inner, depth + 1)) {
            return true;
        }
    }
    return false;
}

bool projection_filter::needed_by_mappings(std::string_view path) {
    for (const auto& m : mappings_->mappings) {
        if (!m.reads("json")) {
            continue;
        }
        if (named_in(m.detect, path) ||
            std::find(m.timestamp_fields.begin(), m.timestamp_fields.end(), path) !=
                m.timestamp_fields.end()) {
            return true;
        }
        for (const auto& step : m.extract) {
            if (step.from == path || named_in(step.when, path)) {
                return true;
            }
        }
        for (const auto& c : m.classify) {
            if (named_in(c.when, path)) {
                return true;
            }
        }
        for (const auto& t : m.translations) {
            if (t.from == path) {
                return true;
            }
        }
        if (auto id = catalog_->find(m.field_name(path, buffer_)); id && projection_->keeps(*id)) {
            return true;
        }
    }
    return false;
}

bool projection_filter::keep(std::string_view path) {
    if (const bool* cached = cache_.find(path)) {
        return *cached;
    }
    const bool answer = needed(path, 0);
    if (cache_.size() < max_cached_paths) {
        cache_[path] = answer;
    }
    return answer;
}

} // namespace vigil::parse
