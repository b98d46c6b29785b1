#include "core/metrics.hpp"

#include <stdexcept>

namespace vigil::core {

metrics_registry::family& metrics_registry::family_for(const std::string& name,
                                                       const std::string& help, kind type) {
    for (auto& f : families_) {
        if (f.name == name) {
            if (f.type != type) {
                throw std::logic_error("metric " + name + " registered with two types");
            }
            return f;
        }
    }
    families_.push_back({name, help, type, {}});
    return families_.back();
}

counter& metrics_registry::make_counter(const std::string& name, const std::string& help,
                                        metric_labels labels) {
    std::lock_guard lock(mutex_);
    family& f = family_for(name, help, kind::counter);
    for (auto& s : f.series) {
        if (s.labels == labels) {
            return *s.as_counter;
        }
    }
    counter& c = counters_.emplace_back();
    f.series.push_back({std::move(labels), &c, nullptr});
    return c;
}

gauge& metrics_registry::make_gauge(const std::string& name, const std::string& help,
                                    metric_labels labels) {
    std::lock_guard lock(mutex_);
    family& f = family_for(name, help, kind::gauge);
    for (auto& s : f.series) {
        if (s.labels == labels) {
            return *s.as_gauge;
        }
    }
    gauge& g = gauges_.emplace_back();
    f.series.push_back({std::move(labels), nullptr, &g});
    return g;
}

void metrics_registry::visit(const std::function<void(const family_view&)>& visit) const {
    std::lock_guard lock(mutex_);
    for (const auto& f : families_) {
        family_view view{f.name, f.help, f.type, {}};
        for (const auto& s : f.series) {
            const std::int64_t v = s.as_counter ? static_cast<std::int64_t>(s.as_counter->value())
                                                : s.as_gauge->value();
            view.series.push_back({s.labels, v});
        }
        visit(view);
    }
}

std::int64_t metrics_registry::value(const std::string& name, const metric_labels& labels) const {
    std::lock_guard lock(mutex_);
    for (const auto& f : families_) {
        if (f.name != name) {
            continue;
        }
        for (const auto& s : f.series) {
            if (s.labels == labels) {
                return s.as_counter ? static_cast<std::int64_t>(s.as_counter->value())
                                    : s.as_gauge->value();
            }
        }
    }
    return 0;
}

} // namespace vigil::core
