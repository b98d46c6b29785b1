#include "rules/correlation_rule.hpp"

#include <cmath>
#include <sstream>

namespace vigil::rules {
namespace {

struct type_name {
    correlation_type type;
    const char* name;
};
constexpr type_name type_names[] = {
    {correlation_type::event_count, "event_count"},
    {correlation_type::value_count, "value_count"},
    {correlation_type::temporal, "temporal"},
    {correlation_type::temporal_ordered, "temporal_ordered"},
    {correlation_type::value_sum, "value_sum"},
    {correlation_type::value_avg, "value_avg"},
    {correlation_type::value_percentile, "value_percentile"},
    {correlation_type::absence, "absence"},
    {correlation_type::version_behind, "version_behind"},
};

std::string number_text(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

} // namespace

const char* to_string(correlation_type type) {
    for (const auto& t : type_names) {
        if (t.type == type) {
            return t.name;
        }
    }
    return "?";
}

std::optional<correlation_type> correlation_type_from(const std::string& name) {
    for (const auto& t : type_names) {
        if (name == t.name) {
            return t.type;
        }
    }
    return std::nullopt;
}

bool correlation_condition::holds(double value) const {
    return (!gt || value > *gt) && (!gte || value >= *gte) && (!lt || value < *lt) &&
           (!lte || value <= *lte) && (!eq || value == *eq) && (!neq || value != *neq);
}

std::uint64_t correlation_condition::minimum_count() const {
    double need = 0;
    if (gte) {
        need = std::max(need, std::ceil(*gte));
    }
    if (gt) {
        need = std::max(need, std::floor(*gt) + 1);
    }
    return need < 1 ? 1 : static_cast<std::uint64_t>(need);
}

std::string correlation_condition::describe() const {
    std::string out;
    const std::pair<const char*, const std::optional<double>*> bounds[] = {
        {"gt", &gt}, {"gte", &gte}, {"lt", &lt}, {"lte", &lte}, {"eq", &eq}, {"neq", &neq}};
    for (const auto& [name, bound] : bounds) {
        if (*bound) {
            out += (out.empty() ? "" : " and ") + std::string(name) + " " + number_text(**bound);
        }
    }
    return out;
}

} // namespace vigil::rules
