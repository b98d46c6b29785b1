#include "rules_reloader.hpp"

#include "core/civil_time.hpp"
#include "core/clock.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "incident/asset_inventory.hpp"
#include "rules/rule_compiler.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace vigil::daemon {

std::string to_json(const reload_outcome& outcome) {
    std::string out;
    core::json_writer w(out);
    w.begin_object();
    w.field("result", outcome.success ? "success" : "failure");
    w.field("version", outcome.version);
    w.field("loaded", static_cast<std::uint64_t>(outcome.loaded));
    w.field("rejected", static_cast<std::uint64_t>(outcome.rejected));
    w.field("compile_ms", outcome.compile_ms);
    w.field("trigger", outcome.trigger);
    if (outcome.finished_ns != 0) {
        w.field("finished_at", core::rfc3339(outcome.finished_ns).view());
    }
    w.key("errors").begin_array();
    for (const auto& e : outcome.errors) {
        w.value(e);
    }
    w.end_array().end_object();
    return out;
}

rules_reloader::rules_reloader(std::filesystem::path rules_dir, std::filesystem::path schemas_dir,
                               std::filesystem::path assets_dir, rules::rule_policy policy,
                               pipeline::pipeline& pipeline, core::metrics_registry& metrics,
                               reload_outcome initial)
    : rules_dir_(std::move(rules_dir)), schemas_dir_(std::move(schemas_dir)),
      assets_dir_(std::move(assets_dir)), policy_(std::move(policy)), pipeline_(pipeline),
      succeeded_(metrics.make_counter("vigil_reload_total", "Rule reloads, by result.",
                                      {{"result", "success"}})),
      failed_(metrics.make_counter("vigil_reload_total", "Rule reloads, by result.",
                                   {{"result", "failure"}})),
      loaded_rules_(metrics.make_gauge("vigil_rules_loaded", "Rules in the running rule set.")),
      version_gauge_(
          metrics.make_gauge("vigil_rule_set_version", "Version of the running rule set.")),
      next_version_(initial.version + 1), last_(std::move(initial)), thread_([this] { run(); }) {
    loaded_rules_.set(static_cast<std::int64_t>(last_.loaded));
    version_gauge_.set(static_cast<std::int64_t>(last_.version));
}

void rules_reloader::stop() {
    stopped_.store(true);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
}

rules_reloader::~rules_reloader() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void rules_reloader::request(std::string trigger, completion done) {
    {
        std::lock_guard lock(mutex_);
        requested_ = true;
        pending_trigger_ = std::move(trigger);
        if (done) {
            waiting_.push_back(std::move(done));
        }
    }
    wake_.notify_all();
}

reload_outcome rules_reloader::last() const {
    std::lock_guard lock(mutex_);
    return last_;
}

void rules_reloader::run() {
    // Compiles take CPU from the data path only when it has none to spare.
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return requested_ || stopping_; });
        if (stopping_) {
            // Nobody will reload any more: tell the waiting callers so.
            reload_outcome stopped = last_;
            stopped.success = false;
            stopped.errors = {"vigild is shutting down"};
            auto waiting = std::move(waiting_);
            lock.unlock();
            for (auto& done : waiting) {
                done(stopped);
            }
            return;
        }
        requested_ = false;
        const std::string trigger = std::move(pending_trigger_);
        auto waiting = std::move(waiting_);
        waiting_.clear();
        lock.unlock();
        busy_.store(true);
        const reload_outcome outcome = reload(trigger);
        busy_.store(false);
        for (auto& done : waiting) {
            done(outcome);
        }
        lock.lock();
    }
}

reload_outcome rules_reloader::reload(const std::string& trigger) {
    core::log_info("reloading rules from " + rules_dir_.string() + " (" + trigger + ")");
    core::diagnostics diags;
    auto result = rules::rule_compiler::load_directory(rules_dir_, schemas_dir_, next_version_,
                                                       diags, policy_);
    const auto assets = assets_dir_.empty()
                            ? nullptr
                            : incident::asset_inventory::load_directory(assets_dir_, diags);
    reload_outcome outcome;
    outcome.trigger = trigger;
    outcome.loaded = result.loaded;
    outcome.rejected = result.rejected;
    outcome.compile_ms = result.compile_ms;
    outcome.finished_ns = core::system_clock::instance().now_ns();
    for (const auto& d : diags.items()) {
        const bool error = d.level == core::diagnostic::severity::error;
        core::log(error ? core::log_level::error : core::log_level::warning, d.to_string());
        if (error) {
            outcome.errors.push_back(d.to_string());
        }
    }
    if (stopped_.load()) {
        outcome.success = false;
        outcome.version = pipeline_.current_rules()->version();
        outcome.errors = {"vigild is shutting down"};
        return outcome;
    }
    if (diags.has_errors()) {
        failed_.add();
        outcome.success = false;
        outcome.version = pipeline_.current_rules()->version();
        core::log_error("rule reload failed: " + std::to_string(diags.error_count()) +
                        " error(s); the running rule set (version " +
                        std::to_string(outcome.version) + ") stays");
        std::lock_guard lock(mutex_);
        last_ = outcome;
        return outcome;
    }
    outcome.success = true;
    outcome.version = result.rules->version();
    {
        // Record the outcome before publishing, so that whoever sees the new version also sees
        // the reload that made it.
        std::lock_guard lock(mutex_);
        last_ = outcome;
    }
    pipeline_.publish(result.rules);
    pipeline_.publish_assets(assets);
    ++next_version_;
    succeeded_.add();
    loaded_rules_.set(static_cast<std::int64_t>(result.loaded));
    version_gauge_.set(static_cast<std::int64_t>(outcome.version));
    core::log_info("rule set version " + std::to_string(outcome.version) + ": " +
                   std::to_string(result.loaded) + " rules in " +
                   std::to_string(static_cast<long>(result.compile_ms)) + " ms");
    return outcome;
}

} // namespace vigil::daemon
