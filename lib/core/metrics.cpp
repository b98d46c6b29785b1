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

void metrics_registry::add_collector(const std::string& name, const std::string& help, kind type,
                                     collector collect) {
    std::lock_guard lock(mutex_);
    for (auto& f : collected_) {
        if (f.name == name) {
            f = {name, help, type, std::move(collect)}; // a newer owner of the family
            return;
        }
    }
    collected_.push_back({name, help, type, std::move(collect)});
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
    std::vector<std::pair<metric_labels, std::int64_t>> series;
    for (const auto& f : collected_) {
        series.clear();
        f.collect(series);
        family_view view{f.name, f.help, f.type, {}};
        for (const auto& [labels, value] : series) {
            view.series.push_back({labels, value});
        }
        visit(view);
    }
}

std::int64_t metrics_registry::value(const std::string& name, const metric_labels& labels) const {
    std::lock_guard lock(mutex_);
    for (const auto& f : collected_) {
        if (f.name != name) {
            continue;
        }
        std::vector<std::pair<metric_labels, std::int64_t>> series;
        f.collect(series);
        for (const auto& [l, v] : series) {
            if (l == labels) {
                return v;
            }
        }
        return 0;
    }
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
