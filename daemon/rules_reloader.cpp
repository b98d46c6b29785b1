#include "rules_reloader.hpp"

#include "core/log.hpp"
#include "rules/rule_compiler.hpp"

namespace vigil::daemon {

rules_reloader::rules_reloader(std::filesystem::path rules_dir, std::filesystem::path schemas_dir,
                               pipeline::pipeline& pipeline, core::metrics_registry& metrics,
                               std::uint64_t first_version)
    : rules_dir_(std::move(rules_dir)), schemas_dir_(std::move(schemas_dir)), pipeline_(pipeline),
      succeeded_(metrics.make_counter("vigil_rule_reloads_total", "Rule reloads, by result.",
                                      {{"result", "success"}})),
      failed_(metrics.make_counter("vigil_rule_reloads_total", "Rule reloads, by result.",
                                   {{"result", "failure"}})),
      loaded_rules_(metrics.make_gauge("vigil_rules_loaded", "Rules in the running rule set.")),
      next_version_(first_version), thread_([this] { run(); }) {
    loaded_rules_.set(static_cast<std::int64_t>(pipeline_.current_rules()->rules().size()));
}

rules_reloader::~rules_reloader() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void rules_reloader::request() {
    {
        std::lock_guard lock(mutex_);
        requested_ = true;
    }
    wake_.notify_all();
}

void rules_reloader::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return requested_ || stopping_; });
        if (stopping_) {
            return;
        }
        requested_ = false;
        lock.unlock();
        reload();
        lock.lock();
    }
}

void rules_reloader::reload() {
    core::log_info("reloading rules from " + rules_dir_.string());
    core::diagnostics diags;
    auto result = rules::rule_compiler::load_directory(rules_dir_, schemas_dir_, next_version_, diags);
    for (const auto& d : diags.items()) {
        core::log(d.level == core::diagnostic::severity::error ? core::log_level::error
                                                               : core::log_level::warning,
                  d.to_string());
    }
    if (diags.has_errors()) {
        failed_.add();
        core::log_error("rule reload failed: " + std::to_string(diags.error_count()) +
                        " error(s); the running rule set (version " +
                        std::to_string(pipeline_.current_rules()->version()) + ") stays");
        return;
    }
    pipeline_.publish(result.rules);
    ++next_version_;
    succeeded_.add();
    loaded_rules_.set(static_cast<std::int64_t>(result.loaded));
    core::log_info("rule set version " + std::to_string(result.rules->version()) + ": " +
                   std::to_string(result.loaded) + " rules in " +
                   std::to_string(static_cast<long>(result.compile_ms)) + " ms");
}

} // namespace vigil::daemon
