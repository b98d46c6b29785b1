#include "api/health.hpp"

#include "core/json_writer.hpp"

namespace vigil::api {

void health::set_ready(const std::string& check) {
    std::lock_guard lock(mutex_);
    checks_[check] = {true, {}};
}

void health::set_not_ready(const std::string& check, const std::string& reason) {
    std::lock_guard lock(mutex_);
    checks_[check] = {false, reason};
}

bool health::ready() const {
    std::lock_guard lock(mutex_);
    for (const auto& [name, s] : checks_) {
        if (!s.ready) {
            return false;
        }
    }
    return !checks_.empty();
}

void health::write(core::json_writer& w) const {
    const bool all_ready = ready();
    std::lock_guard lock(mutex_);
    w.field("status", all_ready ? "ready" : "not_ready");
    w.key("checks").begin_object();
    for (const auto& [name, s] : checks_) {
        w.key(name).begin_object().field("ready", s.ready);
        if (!s.ready) {
            w.field("reason", s.reason);
        }
        w.end_object();
    }
    w.end_object();
}

std::string health::to_json() const {
    std::string out;
    core::json_writer w(out);
    w.begin_object();
    write(w);
    w.end_object();
    out += '\n';
    return out;
}

} // namespace vigil::api
