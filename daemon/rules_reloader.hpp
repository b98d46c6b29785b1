#pragma once

#include "core/metrics.hpp"
#include "pipeline/pipeline.hpp"
#include "rules/rule_policy.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::daemon {

// What one reload did.
struct reload_outcome {
    bool success = false;
    std::uint64_t version = 0; // the running rule set's version afterwards
    std::size_t loaded = 0;
    std::size_t rejected = 0;
    double compile_ms = 0;
    std::vector<std::string> errors; // "file:line: rule: reason"
    std::string trigger;             // signal, watch, api, start
    std::int64_t finished_ns = 0;
};

// {"result": "success"|"failure", "version", "loaded", "rejected", "compile_ms", "trigger",
//  "finished_at", "errors": [...]}
[[nodiscard]] std::string to_json(const reload_outcome& outcome);

// Rebuilds the rule set (rules and schemas) on request, on a thread of its own, off the data
// path, and publishes it only when everything loaded without error: otherwise the running
// rules stay, and the errors are logged, counted (vigil_reload_total{result}) and kept for the
// API. Requests that arrive during a reload fold into one more reload; every requester is told
// the outcome of the reload that served it. The thread runs at a lower CPU priority (nice 10),
// so a long compile does not slow ingest; Hyperscan cannot stop a compile half way, so at
// shutdown vigild does not wait for one (stop(), busy()).
class rules_reloader {
public:
    using completion = std::function<void(const reload_outcome&)>;

    // `assets_dir`: the asset inventory reloaded with the rules (empty: none); an error in it
    // fails the reload like an error in a rule.
    rules_reloader(std::filesystem::path rules_dir, std::filesystem::path schemas_dir,
                   std::filesystem::path assets_dir, rules::rule_policy policy,
                   pipeline::pipeline& pipeline, core::metrics_registry& metrics,
                   reload_outcome initial);
    ~rules_reloader();
    rules_reloader(const rules_reloader&) = delete;
    rules_reloader& operator=(const rules_reloader&) = delete;

    // Any thread; returns at once. `done` is called on the reloader thread.
    void request(std::string trigger, completion done = {});

    // The outcome of the latest reload (or of loading at start-up).
    [[nodiscard]] reload_outcome last() const;

    // Shutdown: no reload starts any more, and one running now publishes nothing. Any thread.
    void stop();
    // A reload is loading or compiling right now. Any thread.
    [[nodiscard]] bool busy() const { return busy_.load(); }

private:
    void run();
    reload_outcome reload(const std::string& trigger);

    std::filesystem::path rules_dir_;
    std::filesystem::path schemas_dir_;
    std::filesystem::path assets_dir_;
    rules::rule_policy policy_;
    pipeline::pipeline& pipeline_;
    core::counter& succeeded_;
    core::counter& failed_;
    core::gauge& loaded_rules_;
    core::gauge& version_gauge_;
    std::uint64_t next_version_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<completion> waiting_;
    std::string pending_trigger_;
    bool requested_ = false;
    bool stopping_ = false;
    std::atomic<bool> stopped_{false};
    std::atomic<bool> busy_{false};
    reload_outcome last_;
    std::thread thread_;
};

} // namespace vigil::daemon
