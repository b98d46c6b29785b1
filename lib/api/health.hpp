#pragma once

#include <map>
#include <mutex>
#include <string>

namespace vigil::core {
class json_writer;
}

namespace vigil::api {

// Readiness of the daemon as a set of named checks ("rules", "alert_store", "listeners",
// "pipeline"), each ready or not with a reason. Any thread may update a check; GET /healthz
// reports 200 when all are ready and 503 with the reasons otherwise.
class health {
public:
    void set_ready(const std::string& check);
    void set_not_ready(const std::string& check, const std::string& reason);

    [[nodiscard]] bool ready() const;
    // {"status":"ready"|"not_ready","checks":{"name":{"ready":bool,"reason":...}}}
    [[nodiscard]] std::string to_json() const;
    // The "status" and "checks" fields of to_json, into an object `w` has open.
    void write(core::json_writer& w) const;

private:
    struct state {
        bool ready = false;
        std::string reason;
    };
    mutable std::mutex mutex_;
    std::map<std::string, state> checks_;
};

} // namespace vigil::api
