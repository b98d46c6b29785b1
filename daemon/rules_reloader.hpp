#pragma once

#include "core/metrics.hpp"
#include "pipeline/pipeline.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

namespace vigil::daemon {

// Rebuilds the rule set on request (SIGHUP) on a thread of its own, off the data path, and
// publishes it only when every rule file loaded without error; otherwise the running rules
// stay and the errors are logged. Requests that arrive during a reload fold into one more
// reload. Outcomes are counted in vigil_rule_reloads_total{result}.
class rules_reloader {
public:
    rules_reloader(std::filesystem::path rules_dir, std::filesystem::path schemas_dir,
                   pipeline::pipeline& pipeline, core::metrics_registry& metrics,
                   std::uint64_t first_version);
    ~rules_reloader();
    rules_reloader(const rules_reloader&) = delete;
    rules_reloader& operator=(const rules_reloader&) = delete;

    // Any thread; returns at once.
    void request();

private:
    void run();
    void reload();

    std::filesystem::path rules_dir_;
    std::filesystem::path schemas_dir_;
    pipeline::pipeline& pipeline_;
    core::counter& succeeded_;
    core::counter& failed_;
    core::gauge& loaded_rules_;
    std::uint64_t next_version_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool requested_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace vigil::daemon
