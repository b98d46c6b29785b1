#include "pipeline/class_traffic.hpp"

namespace vigil::pipeline {

void class_traffic::add(std::string_view name, std::uint64_t n, std::int64_t now_ns) {
    const std::int64_t minute = now_ns / minute_ns;
    const auto slot = static_cast<std::size_t>(minute % 60);
    std::lock_guard lock(mutex_);
    auto it = classes_.find(name);
    if (it == classes_.end()) {
        it = classes_.emplace(std::string(name), minutes{}).first;
    }
    minutes& m = it->second;
    if (m.minute[slot] != minute) {
        m.minute[slot] = minute;
        m.events[slot] = 0;
    }
    m.events[slot] += n;
    m.total += n;
}

std::map<std::string, class_traffic::counts, std::less<>>
class_traffic::snapshot(std::int64_t now_ns) const {
    const std::int64_t minute = now_ns / minute_ns;
    std::map<std::string, counts, std::less<>> out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, m] : classes_) {
        counts c;
        c.total = m.total;
        for (std::size_t s = 0; s < m.events.size(); ++s) {
            // The current minute and the 59 before it.
            if (m.minute[s] > minute - 60 && m.minute[s] <= minute) {
                c.last_hour += m.events[s];
            }
        }
        out.emplace(name, c);
    }
    return out;
}

} // namespace vigil::pipeline
