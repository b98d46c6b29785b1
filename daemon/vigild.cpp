// vigild: the vigil daemon. Wires configuration, rules, the alert store, the pipeline, the
// syslog listeners and the HTTP API together, and shuts them down in order on SIGINT/SIGTERM:
// stop reading, drain the pipeline, flush RocksDB, exit 0.

#include "alert/alert_retention.hpp"
#include "alert/alert_store.hpp"
#include "api/access_policy.hpp"
#include "api/console_routes.hpp"
#include "api/control_plane.hpp"
#include "api/health.hpp"
#include "api/http_router.hpp"
#include "api/http_server.hpp"
#include "command_line.hpp"
#include "config_loading.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "incident/asset_inventory.hpp"
#include "incident/escalation_watch.hpp"
#include "ingest/http_ingest.hpp"
#include "ingest/source_factory.hpp"
#include "net/endpoint_text.hpp"
#include "output/delivery_service.hpp"
#include "output/stdout_output.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline_settings.hpp"
#include "rules/rule_compiler.hpp"
#include "rules_reloader.hpp"
#include "rules_watcher.hpp"
#include "store_health.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

namespace {

using namespace vigil;
namespace asio = boost::asio;

constexpr const char* usage = R"(usage: vigild [--config FILE] [--data-dir DIR] [--rules-dir DIR]

Receives logs over syslog (UDP, TCP, TLS), Kafka and HTTP, matches them against Sigma
rules, correlates the matches on event time and stores alerts in RocksDB. Runs in the foreground; SIGINT or SIGTERM stop it cleanly, SIGHUP
reloads the rules.

  --config FILE     configuration file (default: packaging/vigil.yaml in a checkout,
                    else /etc/vigil/vigil.yaml, else built-in defaults)
  --data-dir DIR    where alerts are stored (overrides data_dir)
  --rules-dir DIR   Sigma rules to load (overrides rules_dir)
  --schemas-dir DIR field schema, log source classes, JSON mappings (overrides schemas_dir)
  --help            this text
  --version         print the version
)";

int run(const config::vigil_config& cfg) {
    core::set_log_level(cfg.log_level);
    const core::clock& clock = core::system_clock::instance();
    core::metrics_registry metrics;
    api::health health;
    health.set_not_ready("listeners", "starting");

    // Rules: a rule file with errors is left out (and logged); the others run.
    std::error_code ec;
    if (!std::filesystem::is_directory(cfg.rules_dir, ec)) {
        core::log_error("rules directory " + cfg.rules_dir.string() + " does not exist");
        return 2;
    }
    core::diagnostics diags;
    auto compiled = rules::rule_compiler::load_directory(cfg.rules_dir, cfg.schemas_dir, 1, diags,
                                                         cfg.rules_policy);
    // The asset inventory: an asset with an error is left out (and logged), as a rule is.
    std::shared_ptr<const incident::asset_inventory> assets;
    if (!cfg.incidents.assets_dir.empty()) {
        assets = incident::asset_inventory::load_directory(cfg.incidents.assets_dir, diags);
        core::log_info("loaded " + std::to_string(assets->size()) + " assets from " +
                       cfg.incidents.assets_dir);
    }
    for (const auto& d : diags.items()) {
        core::log(d.level == core::diagnostic::severity::error ? core::log_level::error
                                                               : core::log_level::warning,
                  d.to_string());
    }
    for (const auto& why : compiled.outside_policy_why) {
        core::log(core::log_level::debug, "rules_policy leaves out " + why);
    }
    core::log_info("loaded " + std::to_string(compiled.loaded) + " rules from " +
                   cfg.rules_dir.string() + " (" + std::to_string(compiled.rejected) +
                   " rejected, " + std::to_string(compiled.outside_policy) +
                   " left out by rules_policy, " + std::to_string(compiled.kept_as_inputs) +
                   " kept as correlation inputs) in " +
                   std::to_string(static_cast<long>(compiled.compile_ms)) + " ms");
    health.set_ready("rules");
    daemon::reload_outcome startup;
    startup.success = !diags.has_errors();
    startup.version = 1;
    startup.loaded = compiled.loaded;
    startup.rejected = compiled.rejected;
    startup.compile_ms = compiled.compile_ms;
    startup.trigger = "start";
    startup.finished_ns = clock.now_ns();
    for (const auto& d : diags.items()) {
        if (d.level == core::diagnostic::severity::error) {
            startup.errors.push_back(d.to_string());
        }
    }

    if (!daemon::wait_for_disk_space(cfg.data_dir, cfg.min_free_disk_bytes)) {
        return 0;
    }
    auto store = alert::alert_store::open(cfg.data_dir, alert::alert_store::mode::read_write,
                                          cfg.min_free_disk_bytes);
    if (!store) {
        core::log_error(store.error());
        return 1;
    }
    health.set_ready("alert_store");

    std::vector<std::unique_ptr<output::alert_output>> owned_outputs;
    std::vector<output::alert_output*> outputs;
    if (cfg.outputs.stdout_alerts) {
        owned_outputs.push_back(std::make_unique<output::stdout_output>());
        outputs.push_back(owned_outputs.back().get());
    }

    // Webhooks and the Kafka alert topic: registered with the outbox before any alert is
    // written, so that every alert a destination wants is queued with it.
    auto deliveries = output::delivery_service::create(cfg.outputs, **store, clock, metrics);
    if (!deliveries) {
        core::log_error("outputs: " + deliveries.error());
        return 2;
    }
    (*deliveries)->start();

    const pipeline::pipeline_config pipe_cfg = daemon::pipeline_settings(cfg);
    pipeline::pipeline pipeline(pipe_cfg, compiled.rules, **store, outputs, metrics, clock);
    pipeline.publish_assets(assets);
    // Correlation windows half-built before the last stop (or crash) continue.
    auto checkpoints = (*store)->read_checkpoints();
    if (!checkpoints) {
        // Unreadable state is no reason not to start (a crash loop): windows start empty.
        core::log_error(checkpoints.error() + " (starting with empty windows)");
        checkpoints.emplace();
    }
    if (auto restored = pipeline.restore(*checkpoints); !restored) {
        core::log_error("correlator state not restored: " + restored.error() +
                        " (starting with empty windows)");
    } else if (restored->restored + restored->dropped > 0) {
        core::log_info("correlator state restored: " + std::to_string(restored->restored) +
                       " keys (" + std::to_string(restored->dropped) +
                       " of changed or removed correlations dropped)");
    }
    if (auto dropped = (*store)->drop_checkpoints_from(pipe_cfg.correlation.shards); !dropped) {
        core::log_error(dropped.error());
    }
    pipeline.start();
    health.set_ready("pipeline");
    daemon::rules_reloader reloader(cfg.rules_dir, cfg.schemas_dir, cfg.incidents.assets_dir,
                                    cfg.rules_policy, pipeline, metrics, startup);

    asio::io_context io(1);
    // Sources that answer their senders (HTTP) or bound what they risk (syslog TCP) wait here
    // for the pipeline to make their batches durable.
    ingest::durable_acks acks(io, pipeline);
    daemon::store_health disk_health(io, **store, health, metrics);
    disk_health.start();
    // SLA deadlines that passed while vigild was down escalate before it is ready.
    incident::escalation_watch escalations(**store, clock, metrics,
                                           cfg.incidents.escalation_interval_ns);
    (void)escalations.pass();
    escalations.start();
    alert::alert_retention retention(**store,
                                     {cfg.alerts.max_age_ns / 1'000'000, cfg.alerts.max_bytes},
                                     cfg.alerts.retention_interval_ns, clock, metrics);
    retention.start();
    std::optional<daemon::rules_watcher> watcher;
    if (cfg.rules_watch) {
        std::vector<std::filesystem::path> watched{cfg.rules_dir, cfg.schemas_dir};
        if (!cfg.incidents.assets_dir.empty()) {
            watched.emplace_back(cfg.incidents.assets_dir);
        }
        watcher.emplace(io, watched, std::chrono::milliseconds(cfg.rules_watch_debounce_ms),
                        [&] { reloader.request("watch"); });
        if (auto started = watcher->start(); !started) {
            core::log_warning("rules are not watched for changes: " + started.error());
            watcher.reset();
        }
    }
    std::optional<api::http_server> http;
    ingest::configured_sources sources;
    api::http_router router;
    // The control plane's tokens (HTTP ingest checks its own).
    const auto tenants = pipe_cfg.tenants;
    const api::access_policy access_policy(
        {cfg.http.api_read_token, cfg.http.api_write_token, cfg.http.metrics_token,
         !cfg.http.api_read_token.empty() || !cfg.http.api_write_token.empty() ||
             !cfg.http.metrics_token.empty() || !cfg.http.ingest_token.empty() ||
             !cfg.http.hec_token.empty() ||
             (tenants && (!tenants->read_tokens().empty() || !tenants->ingest_tokens().empty())),
         tenants ? tenants->read_tokens() : std::vector<std::string>()},
        metrics);
    asio::thread_pool queries(1); // the control plane's store reads, off the I/O thread
    const api::control_plane_parts control_parts{
        health,
        metrics,
        pipeline,
        clock,
        **store,
        [&] { return daemon::to_json(reloader.last()); },
        [&](std::function<void(api::reload_answer)> answer) {
            reloader.request("api", [answer](const daemon::reload_outcome& outcome) {
                answer({outcome.success, daemon::to_json(outcome)});
            });
        },
        [&queries](std::function<void()> work) { asio::post(queries, std::move(work)); },
        tenants};
    api::add_control_plane(router, access_policy, control_parts);
    api::add_console_routes(router);
    auto ingest_settings = ingest::http_ingest_settings(cfg.http);
    if (tenants) {
        ingest_settings.tenant_tokens = tenants->ingest_tokens();
    }
    ingest::http_ingest http_ingest(ingest_settings, pipeline, acks, metrics, clock);
    api::add_ingest_routes(router, http_ingest);

    // Stops reading; io.run() returns once the connections have handed over what they read.
    auto stop_listeners = [&] {
        disk_health.stop();
        retention.stop();
        escalations.stop();
        if (watcher) {
            watcher->stop();
        }
        // Kafka commits what became durable on stop; the pipeline still runs.
        for (auto& source : sources.sources) {
            source->stop();
        }
        if (http) {
            http->stop();
        }
    };
    auto fail_start = [&](const std::string& error) {
        core::log_error(error);
        stop_listeners();
        io.run();
        pipeline.drain_and_stop();
        return 1;
    };
    if (auto made =
            ingest::make_sources(cfg, {io, pipeline, pipeline, acks, **store, metrics, clock});
        !made) {
        return fail_start(made.error());
    } else {
        sources = std::move(*made);
    }
    for (auto& source : sources.sources) {
        if (auto started = source->start(); !started) {
            return fail_start(started.error());
        }
        core::log_info(source->description());
    }
    if (cfg.http.listen) {
        auto http_cfg = api::http_server_settings(cfg.http);
        if (!http_cfg) {
            return fail_start(http_cfg.error());
        }
        if (http_cfg->tls) {
            sources.tls_contexts.emplace_back("http.tls", http_cfg->tls);
        }
        http.emplace(io, *http_cfg, router, metrics);
        if (auto started = http->start(); !started) {
            return fail_start(started.error());
        }
        core::log_info(std::string("listening: ") + (http_cfg->tls ? "https " : "http ") +
                       net::endpoint_text(http->local_endpoint()));
    }
    health.set_ready("listeners");

    asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& error, int signal) {
            if (error) {
                return;
            }
            if (signal == SIGHUP) {
                reloader.request("signal");
                // Certificate rotation: new connections get the files as they are now.
                for (auto& [what, context] : sources.tls_contexts) {
                    if (auto reloaded = context->reload(); !reloaded) {
                        core::log_error(what + ": not reloaded, the old certificate stays: " +
                                        reloaded.error());
                    } else {
                        core::log_info(what + ": certificate and key reloaded");
                    }
                }
                signals.async_wait(on_signal);
                return;
            }
            core::log_info(std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                           ": stopping");
            health.set_not_ready("listeners", "shutting down");
            reloader.stop();
            pipeline.request_shutdown();
            stop_listeners();
        };
    signals.async_wait(on_signal);
    core::log_info("vigild ready");
    io.run();

    pipeline.drain_and_stop();
    (*deliveries)->stop(); // what is not delivered stays in the outbox for the next start
    core::log_info("stopped: alerts flushed to " +
                   alert::alert_store::database_path(cfg.data_dir).string());
    if (reloader.busy()) {
        // Hyperscan cannot be interrupted, and everything durable is flushed: do not wait for
        // a rule compile whose result nobody will use.
        core::log_info("a rule compile was still running; not waiting for it");
        std::fflush(nullptr);
        std::_Exit(0);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    daemon::command_line args({"config", "data-dir", "rules-dir", "schemas-dir"},
                              {"help", "version"});
    if (auto error = args.parse(argc, argv, 1)) {
        std::cerr << "vigild: " << *error << "\n" << usage;
        return 2;
    }
    if (args.flag("help")) {
        std::cout << usage;
        return 0;
    }
    if (args.flag("version")) {
        std::cout << "vigild " << VIGIL_VERSION << "\n";
        return 0;
    }
    if (!args.positional().empty()) {
        std::cerr << "vigild: unexpected argument '" << args.positional().front() << "'\n" << usage;
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::string source;
    auto cfg = daemon::load_configuration(args, source);
    if (!cfg) {
        return 2;
    }
    core::log_info("vigild " + std::string(VIGIL_VERSION) + " starting with " + source);
    try {
        return run(*cfg);
    } catch (const std::exception& e) {
        core::log_error(std::string("fatal: ") + e.what());
        return 1;
    }
}
