#include "rules/logsource_map.hpp"

#include "parse/yaml_reader.hpp"
#include "rules/yaml_fields.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace vigil::rules {
namespace {

std::vector<std::string> scalars(const YAML::Node& node) {
    std::vector<std::string> out;
    if (!node) {
        return out;
    }
    if (node.IsScalar()) {
        out.push_back(node.Scalar());
    } else if (node.IsSequence()) {
        for (const auto& item : node) {
            out.push_back(item.Scalar());
        }
    }
    return out;
}

bool contains(const std::vector<std::string>& values, std::string_view v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

// logsource_slug into `out` (max_slug_bytes); returns the length.
std::size_t slug_into(std::string_view value, char* out) {
    std::size_t n = 0;
    bool gap = false;
    for (char c : value) {
        const bool letter = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        const bool upper = c >= 'A' && c <= 'Z';
        if (!letter && !upper) {
            gap = n > 0;
            continue;
        }
        if (gap) {
            if (n + 1 >= max_slug_bytes) {
                break;
            }
            out[n++] = '_';
            gap = false;
        }
        if (n == max_slug_bytes) {
            break;
        }
        out[n++] = upper ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return n;
}

// Whether slug_into gives `value` a slug at all (it has a letter or a digit).
bool has_slug(std::string_view value) {
    return std::any_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

} // namespace

std::string logsource_slug(std::string_view value) {
    char buffer[max_slug_bytes];
    return std::string(buffer, slug_into(value, buffer));
}

logsource_map logsource_map::load(const std::filesystem::path& file, core::field_catalog& catalog,
                                  core::diagnostics& diags,
                                  const parse::vendor_mapping_set* mappings) {
    std::ifstream in(file);
    if (!in) {
        diags.error(file.string(), 0, "", "cannot read the log source map");
        return {};
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse(buffer.str(), file.string(), catalog, diags, mappings);
}

logsource_map logsource_map::parse(std::string_view yaml, const std::string& file_name,
                                   core::field_catalog& catalog, core::diagnostics& diags,
                                   const parse::vendor_mapping_set* mappings) {
    logsource_map map;
    // A vendor mapping that names its log source puts its events in a class of their own,
    // tried before the classes of the file.
    if (mappings != nullptr) {
        for (const auto& m : mappings->mappings) {
            if (!m.logsource) {
                continue;
            }
            logsource_class c;
            c.name = "mapping:" + m.name;
            c.products = m.logsource->products;
            c.categories = m.logsource->categories;
            c.services = m.logsource->services;
            map.classes_.push_back(std::move(c));
            map.when_.push_back({condition{condition::kind::mapping, 0, {m.name}}});
        }
    }
    auto document = parse::read_yaml(yaml, file_name, diags);
    if (!document) {
        return map;
    }
    try {
        map.read_classes(*document, file_name, catalog, diags);
    } catch (const YAML::Exception& e) {
        // A node of the wrong kind where a map or list belongs.
        diags.error(file_name, e.mark.line + 1, "", parse::yaml_error_reason(e));
    }
    map.static_count_ = static_cast<class_id>(map.classes_.size());
    map.build_index();
    return map;
}

void logsource_map::read_classes(const YAML::Node& root, const std::string& file_name,
                                 core::field_catalog& catalog, core::diagnostics& diags) {
    parse::report_unknown_keys(root, {"classes"}, "the log source map", file_name, "", diags);
    const YAML::Node list = root["classes"];
    if (!list || !list.IsSequence()) {
        diags.error(file_name, line_of(root), "", "expected a list under 'classes'");
        return;
    }
    for (const auto& item : list) {
        const int line = line_of(item);
        if (!item.IsMap() || !item["name"] || !item["when"] || !item["when"].IsMap()) {
            diags.error(file_name, line, "",
                        "each class needs 'name', a map 'when' and a map 'logsource'");
            continue;
        }
        parse::report_unknown_keys(item, {"name", "when", "logsource", "derive"}, "a class",
                                   file_name, "", diags);
        logsource_class c;
        c.name = item["name"].Scalar();
        c.line = line;
        std::vector<condition> when;
        for (const auto& kv : item["when"]) {
            const std::string key = kv.first.Scalar();
            condition cond;
            if (key == "exists") {
                for (const auto& name : scalars(kv.second)) {
                    when.push_back({condition::kind::exists, catalog.add(name), {}});
                }
                continue;
            }
            cond.values = scalars(kv.second);
            if (cond.values.empty()) {
                diags.error(file_name, line_of(kv.second), "",
                            "class '" + c.name + "': '" + key +
                                "' needs a value or a list of values");
                continue;
            }
            if (key == "parser") {
                cond.type = condition::kind::parser;
            } else if (key == "mapping") {
                cond.type = condition::kind::mapping;
            } else {
                cond.type = condition::kind::equals;
                // Canonical names and aliases resolve to their field; anything else is a vendor
                // field, added so that parsers keep it.
                auto id = catalog.find(key);
                cond.field = id ? *id : catalog.add(key);
            }
            when.push_back(std::move(cond));
        }
        const YAML::Node derive = item["derive"];
        if (derive) {
            // The log source comes from each event: no `logsource` of its own.
            if (!derive.IsMap() || !derive["product"] || !derive["service"] || item["logsource"]) {
                diags.error(file_name, line, "",
                            "class '" + c.name +
                                "': 'derive' needs a map {product: [fields], "
                                "service: [fields]} and no 'logsource'");
                continue;
            }
            if (derive_class_) {
                diags.error(file_name, line, "",
                            "class '" + c.name + "': only one class may 'derive' its log source");
                continue;
            }
            parse::report_unknown_keys(derive, {"product", "service"}, "'derive'", file_name, "",
                                       diags);
            for (auto [key, target] :
                 {std::pair{"product", &c.derive_product}, {"service", &c.derive_service}}) {
                for (const auto& name : scalars(derive[key])) {
                    auto id = catalog.find(name);
                    target->push_back(id ? *id : catalog.add(name));
                }
            }
            if (c.derive_product.empty() || c.derive_service.empty()) {
                diags.error(file_name, line, "", "class '" + c.name + "': 'derive' names no field");
                continue;
            }
            derive_class_ = static_cast<class_id>(classes_.size());
            classes_.push_back(std::move(c));
            when_.push_back(std::move(when));
            continue;
        }
        if (!item["logsource"] || !item["logsource"].IsMap()) {
            diags.error(file_name, line, "",
                        "each class needs 'name', a map 'when' and a map 'logsource'");
            continue;
        }
        const YAML::Node source = item["logsource"];
        parse::report_unknown_keys(source, {"product", "category", "service"}, "'logsource'",
                                   file_name, "", diags);
        c.products = scalars(source["product"]);
        c.categories = scalars(source["category"]);
        c.services = scalars(source["service"]);
        if (c.products.empty() && c.categories.empty() && c.services.empty()) {
            diags.error(file_name, line, "",
                        "class '" + c.name + "' names no product, category or service");
            continue;
        }
        if (classes_.size() >= 0xfffe) {
            diags.error(file_name, line, "", "too many classes");
            break;
        }
        classes_.push_back(std::move(c));
        when_.push_back(std::move(when));
    }
}

std::vector<core::field_id> logsource_map::fields_used() const {
    std::vector<core::field_id> ids;
    for (const auto& when : when_) {
        for (const auto& c : when) {
            if (c.type == condition::kind::equals || c.type == condition::kind::exists) {
                ids.push_back(c.field);
            }
        }
    }
    if (derive_class_) {
        const auto& c = classes_[*derive_class_];
        ids.insert(ids.end(), c.derive_product.begin(), c.derive_product.end());
        ids.insert(ids.end(), c.derive_service.begin(), c.derive_service.end());
    }
    return ids;
}

void logsource_map::build_parser_gates() {
    constexpr std::uint64_t other_parser = std::uint64_t{1} << 63;
    parsers_allowed_.assign(static_count_, ~std::uint64_t{0});
    for (class_id c = 0; c < static_count_; ++c) {
        for (const auto& cond : when_[c]) {
            if (cond.type != condition::kind::parser) {
                continue;
            }
            std::uint64_t allowed = 0;
            for (const auto& name : cond.values) {
                auto it = std::find(parser_names_.begin(), parser_names_.end(), name);
                if (it == parser_names_.end() && parser_names_.size() < 63) {
                    parser_names_.push_back(name);
                    it = parser_names_.end() - 1;
                }
                // Past 63 names, the rest share the last bit (and satisfies tests the name).
                allowed |= it == parser_names_.end()
                               ? other_parser
                               : std::uint64_t{1} << (it - parser_names_.begin());
            }
            parsers_allowed_[c] &= allowed;
        }
    }
}

void logsource_map::build_index() {
    build_parser_gates();
    remaining_.assign(static_count_, {});
    for (class_id c = 0; c < static_count_; ++c) {
        const auto& when = when_[c];
        auto first_of = [&](condition::kind kind) {
            return static_cast<std::size_t>(
                std::find_if(when.begin(), when.end(),
                             [&](const condition& cond) { return cond.type == kind; }) -
                when.begin());
        };
        // Prefer a field value (most selective), then the mapping, then the parser, else the
        // presence of a field it requires (a record without it is not looked at).
        std::size_t key = when.size();
        for (const auto kind : {condition::kind::equals, condition::kind::mapping,
                                condition::kind::parser, condition::kind::exists}) {
            if (key == when.size()) {
                key = first_of(kind);
            }
        }
        for (std::size_t i = 0; i < when.size(); ++i) {
            const bool gated = when[i].type == condition::kind::parser && parser_names_.size() < 63;
            if (i != key && !gated) {
                remaining_[c].push_back(when[i]);
            }
        }
        if (key == when.size()) {
            unindexed_.push_back(c);
            continue;
        }
        const condition& test = when[key];
        if (test.type == condition::kind::exists) {
            auto it = std::find_if(by_presence_.begin(), by_presence_.end(),
                                   [&](const auto& f) { return f.first == test.field; });
            if (it == by_presence_.end()) {
                by_presence_.emplace_back(test.field, std::vector<class_id>{});
                it = by_presence_.end() - 1;
            }
            it->second.push_back(c);
            continue;
        }
        value_index* index = nullptr;
        if (test.type == condition::kind::parser) {
            index = &by_parser_;
        } else if (test.type == condition::kind::mapping) {
            index = &by_mapping_;
        } else {
            auto it = std::find_if(by_field_.begin(), by_field_.end(),
                                   [&](const auto& f) { return f.first == test.field; });
            if (it == by_field_.end()) {
                by_field_.emplace_back(test.field, value_index{});
                it = by_field_.end() - 1;
            }
            index = &it->second;
        }
        for (const auto& v : test.values) {
            index->add(v, c);
        }
    }
}

void logsource_map::value_index::add(const std::string& value, class_id c) {
    classes_[value].push_back(c);
    first_class_ = std::min(first_class_, c);
    keys_.add(value);
}

std::vector<class_id> logsource_map::classes_for(const logsource& source) const {
    std::vector<class_id> out;
    auto applies = [&](const logsource_class& k) {
        return (source.product.empty() || contains(k.products, source.product)) &&
               (source.category.empty() || contains(k.categories, source.category)) &&
               (source.service.empty() || contains(k.services, source.service));
    };
    for (class_id c = 0; c < static_count_; ++c) {
        if (applies(classes_[c])) {
            out.push_back(c);
        }
    }
    // A device that no class names: its events' headers name it. Only product and service
    // together, so that a mistyped product alone still has no mapping.
    // Values that no header could give (not slugs: "Acme Corp") are not derived either.
    if (!out.empty() || !derive_class_ || source.product.empty() || source.service.empty() ||
        !source.category.empty() || logsource_slug(source.product) != source.product ||
        logsource_slug(source.service) != source.service) {
        return out;
    }
    const std::string key = source.product + "/" + source.service;
    if (auto it = derived_.find(key); it != derived_.end()) {
        out.push_back(it->second);
        return out;
    }
    if (classes_.size() >= 0xfffe) {
        return out;
    }
    logsource_class derived;
    derived.name = classes_[*derive_class_].name + ":" + key;
    derived.line = classes_[*derive_class_].line;
    derived.products = {source.product};
    derived.services = {source.service};
    const auto id = static_cast<class_id>(classes_.size());
    classes_.push_back(std::move(derived));
    derived_.emplace(key, id);
    out.push_back(id);
    return out;
}

std::size_t logsource_map::derived_value(const core::event& e,
                                         const std::vector<core::field_id>& fields, char* out) {
    std::size_t n = 0;
    for (core::field_id f : fields) {
        if (auto v = e.get(f)) {
            n = slug_into(*v, out);
            if (n > 0) {
                break;
            }
        }
    }
    return n;
}

logsource_class logsource_map::describe(class_id c, const core::event& e) const {
    logsource_class out = classes_[c];
    if (out.derives()) {
        char product[max_slug_bytes];
        char service[max_slug_bytes];
        const std::size_t p = derived_value(e, out.derive_product, product);
        const std::size_t s = derived_value(e, out.derive_service, service);
        if (p > 0 && s > 0) {
            out.products = {std::string(product, p)};
            out.services = {std::string(service, s)};
        }
    }
    return out;
}

bool logsource_map::holds(const condition& cond, const core::event& e) {
    bool ok = false;
    switch (cond.type) {
    case condition::kind::parser:
        ok = contains(cond.values, e.parser);
        break;
    case condition::kind::mapping:
        ok = contains(cond.values, e.mapping);
        break;
    case condition::kind::exists:
        ok = e.get(cond.field).has_value();
        break;
    case condition::kind::equals:
        e.for_each_value(cond.field,
                         [&](std::string_view v) { ok = ok || contains(cond.values, v); });
        break;
    }
    return ok;
}

std::uint64_t logsource_map::parser_bit(std::string_view parser) const {
    for (std::size_t i = 0; i < parser_names_.size(); ++i) {
        if (parser_names_[i] == parser) {
            return std::uint64_t{1} << i;
        }
    }
    return std::uint64_t{1} << 63;
}

bool logsource_map::satisfies(class_id c, const core::event& e) const {
    for (const auto& cond : remaining_[c]) {
        if (!holds(cond, e)) {
            return false;
        }
    }
    if (classes_[c].derives()) {
        // Only events whose header was read whole and names both: a damaged record goes on to
        // the catch-all classes after it, where keyword rules still see it.
        auto names_one = [&](const std::vector<core::field_id>& fields) {
            return std::any_of(fields.begin(), fields.end(), [&](core::field_id f) {
                const auto v = e.get(f);
                return v && has_slug(*v);
            });
        };
        return e.parse_error.empty() && names_one(classes_[c].derive_product) &&
               names_one(classes_[c].derive_service);
    }
    return true;
}

std::optional<class_id> logsource_map::classify(const core::event& e) const {
    // The earliest candidate wins, so candidates are tried in class order.
    class_id best = static_count_;
    const std::uint64_t parser = parser_bit(e.parser);
    auto consider = [&](const std::vector<class_id>& candidates) {
        for (class_id c : candidates) {
            if (c >= best) {
                break; // candidate lists are ascending
            }
            if ((parsers_allowed_[c] & parser) != 0 && satisfies(c, e)) {
                best = c;
                break;
            }
        }
    };
    // The earliest satisfied candidate wins whatever the order they are looked at in. The
    // mapping's classes come first in class order: looked at first, they usually settle it, and
    // an index whose earliest class comes later is then not looked at at all.
    if (const auto* candidates = by_mapping_.find(e.mapping)) {
        consider(*candidates);
    }
    for (const auto& [field, index] : by_field_) {
        if (index.first_class() >= best) {
            continue;
        }
        e.for_each_value(field, [&](std::string_view v) {
            if (const auto* candidates = index.find(v)) {
                consider(*candidates);
            }
        });
    }
    for (const auto& [field, candidates] : by_presence_) {
        if (candidates.front() < best && e.get(field)) {
            consider(candidates);
        }
    }
    if (by_parser_.first_class() < best) {
        if (const auto* candidates = by_parser_.find(e.parser)) {
            consider(*candidates);
        }
    }
    consider(unindexed_);
    if (best == static_count_) {
        return std::nullopt;
    }
    if (derive_class_ && best == *derive_class_ && !derived_.empty()) {
        // The class derived for this device, when a rule named it.
        const auto& k = classes_[best];
        char key[2 * max_slug_bytes + 1];
        const std::size_t p = derived_value(e, k.derive_product, key);
        key[p] = '/';
        const std::size_t s = derived_value(e, k.derive_service, key + p + 1);
        if (auto it = derived_.find(std::string_view(key, p + 1 + s)); it != derived_.end()) {
            return it->second;
        }
    }
    return best;
}

std::vector<logsource_map::class_check>
logsource_map::explain(const core::event& e, const core::field_catalog& catalog) const {
    auto list = [](const std::vector<std::string>& values) {
        std::string out = values.size() == 1 ? "" : "one of ";
        for (std::size_t i = 0; i < values.size(); ++i) {
            out += (i ? ", " : "") + values[i];
        }
        return out;
    };
    // The test, described as it held, or (in `failed`) with what the event had instead.
    auto check = [&](const condition& cond, std::string& failed) {
        const std::string name(cond.type == condition::kind::parser    ? "parser"
                               : cond.type == condition::kind::mapping ? "mapping"
                                                                       : catalog.name(cond.field));
        std::string have;
        switch (cond.type) {
        case condition::kind::parser:
            have = e.parser;
            break;
        case condition::kind::mapping:
            have = e.mapping;
            break;
        case condition::kind::exists:
        case condition::kind::equals:
            e.for_each_value(cond.field, [&](std::string_view v) {
                have += (have.empty() ? "" : ", ") + std::string(v);
            });
            break;
        }
        const bool by_field =
            cond.type == condition::kind::exists || cond.type == condition::kind::equals;
        if (holds(cond, e)) {
            return cond.type == condition::kind::exists ? name + " exists"
                   : by_field                           ? name + " = " + list(cond.values)
                                                        : name + " is " + have;
        }
        failed = by_field && have.empty() ? "no field " + name
                                          : name + " is " + have + ", not " + list(cond.values);
        return std::string();
    };
    std::vector<class_check> out;
    const std::optional<class_id> chosen = classify(e);
    for (class_id c = 0; c < static_count_; ++c) {
        class_check k;
        k.id = c;
        for (const auto& cond : when_[c]) {
            std::string failed;
            std::string held = check(cond, failed);
            if (!held.empty()) {
                k.held.push_back(std::move(held));
            } else if (k.failed.empty()) {
                k.failed = std::move(failed);
            }
        }
        const bool in_class =
            chosen &&
            (*chosen == c || (derive_class_ && c == *derive_class_ && *chosen >= static_count_));
        if (in_class) {
            k.id = *chosen;
            k.matched = true;
            k.failed.clear();
            out.push_back(std::move(k));
            break;
        }
        if (!k.held.empty() && !k.failed.empty()) {
            out.push_back(std::move(k));
        }
    }
    return out;
}

} // namespace vigil::rules
