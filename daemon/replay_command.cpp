#include "replay_command.hpp"

#include "alert_table.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "incident/asset_inventory.hpp"
#include "pipeline_settings.hpp"
#include "replay/replay_session.hpp"
#include "rules/rule_compiler.hpp"

#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <set>
#include <simdjson.h>
#include <sstream>

namespace vigil::daemon {
namespace {

// One file being replayed: lines, or JSON documents (which may span lines).
class record_reader {
public:
    record_reader(const std::filesystem::path& path, bool documents)
        : documents_(documents), in_(path, std::ios::binary) {
        if (documents_ && in_) {
            std::stringstream all;
            all << in_.rdbuf();
            text_ = simdjson::padded_string(all.str());
            if (parser_.parse_many(text_).get(stream_) != simdjson::SUCCESS) {
                failed_ = true;
                return;
            }
            next_ = stream_.begin();
        }
    }

    [[nodiscard]] bool opened() const { return static_cast<bool>(in_) || documents_; }
    [[nodiscard]] bool failed() const { return failed_; }

    // The next record, or false at the end.
    bool next(std::string& record) {
        if (!documents_) {
            while (std::getline(in_, record)) {
                if (!record.empty() && record.back() == '\r') {
                    record.pop_back();
                }
                if (!record.empty()) {
                    return true;
                }
            }
            return false;
        }
        if (failed_ || !(next_ != stream_.end())) {
            return false;
        }
        simdjson::dom::element doc;
        if ((*next_).get(doc) != simdjson::SUCCESS) {
            failed_ = true;
            return false;
        }
        record = simdjson::minify(doc);
        ++next_;
        return true;
    }

private:
    bool documents_;
    std::ifstream in_;
    simdjson::padded_string text_;
    simdjson::dom::parser parser_;
    simdjson::dom::document_stream stream_;
    simdjson::dom::document_stream::iterator next_;
    bool failed_ = false;
};

} // namespace

int run_replay_command(const replay_command_options& options, const config::vigil_config& cfg) {
    const auto format = parse::parse_record_format(options.format);
    if (!format) {
        std::cerr << "vigil replay: unknown --format '" << options.format
                  << "' (auto, syslog, rfc5424, rfc3164, cef, leef, json, kv or csv)\n";
        return 2;
    }
    core::diagnostics diags;
    auto compiled = rules::rule_compiler::load_directory(options.rules_dir, options.schemas_dir, 1,
                                                         diags, cfg.rules_policy);
    for (const auto& d : diags.items()) {
        std::cerr << d.to_string() << "\n";
    }
    if (diags.has_errors()) {
        std::cerr << "vigil replay: the rules in " << options.rules_dir.string()
                  << " have errors (vigil rules check names them); the others run\n";
    }

    // The daemon's settings: how a syslog listener reads records, event time, correlation.
    const pipeline::pipeline_config settings = pipeline_settings(cfg);
    replay::replay_options replay_options;
    replay_options.parsing =
        settings.parsing[static_cast<std::size_t>(core::source_kind::syslog_tcp)];
    replay_options.parsing.format = *format;
    replay_options.limits = settings.correlation.limits;
    replay_options.rate_limit = settings.alert_rate_limit;
    replay_options.incidents = settings.incidents;
    if (!cfg.incidents.assets_dir.empty()) {
        core::diagnostics asset_diags;
        replay_options.assets =
            incident::asset_inventory::load_directory(cfg.incidents.assets_dir, asset_diags);
        for (const auto& d : asset_diags.items()) {
            std::cerr << d.to_string() << "\n";
        }
    }
    replay_options.max_future_skew_ns = settings.max_future_skew_ns;
    replay::replay_session session(compiled.rules, core::system_clock::instance(), replay_options);

    struct file_input {
        std::unique_ptr<record_reader> reader;
        core::input_id input = 0;
        bool done = false;
    };
    std::vector<file_input> inputs;
    for (const auto& path : options.files) {
        auto reader = std::make_unique<record_reader>(path, *format == parse::record_format::json);
        if (!reader->opened()) {
            std::cerr << "vigil replay: cannot read " << path.string() << "\n";
            return 1;
        }
        inputs.push_back({std::move(reader), session.begin_input("file " + path.string())});
    }
    // Side by side: the next records come from the file whose events are oldest so far.
    std::string record;
    for (;;) {
        file_input* next = nullptr;
        std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
        for (auto& in : inputs) {
            if (in.done) {
                continue;
            }
            const auto* state = session.shard().inputs().find(in.input);
            const std::int64_t newest =
                state != nullptr ? state->newest_event_ns : correlate::input_watermarks::never;
            if (next == nullptr || newest < oldest) {
                next = &in;
                oldest = newest;
            }
        }
        if (next == nullptr) {
            break;
        }
        session.switch_to(next->input);
        for (std::size_t n = 0; n < replay_options.batch_records; ++n) {
            if (!next->reader->next(record)) {
                next->done = true;
                break;
            }
            session.feed(record);
        }
        if (next->reader->failed()) {
            std::cerr << "vigil replay: a file is not a stream of JSON documents (--format json)\n";
            return 1;
        }
    }
    session.finish();

    std::set<std::string> correlation_rules;
    for (const auto& rule : compiled.rules->rules()) {
        if (rule.correlation) {
            correlation_rules.insert(rule.id);
        }
    }
    std::vector<std::string> documents;
    std::size_t correlations = 0;
    for (const auto& a : session.final_alerts()) {
        documents.push_back(a.json);
        correlations += correlation_rules.contains(a.terms.rule_id) ? 1u : 0u;
    }
    if (options.json) {
        for (const auto& json : documents) {
            std::cout << json << "\n";
        }
    } else {
        print_alert_table(std::cout, documents);
    }
    const auto& counters = session.shard().counters();
    std::cerr << "replayed " << session.records() << " records from " << inputs.size()
              << " file(s): " << documents.size() << " alert(s), " << correlations
              << " of them from correlations; " << counters.late << " late event(s), "
              << session.missing_keys() << " match(es) without a group-by field; "
              << session.held_back() << " alert(s) folded into summaries by alerts.rate_limit\n";
    return 0;
}

} // namespace vigil::daemon
