#include "pipeline/worker_step.hpp"

#include "core/civil_time.hpp"
#include "core/hash.hpp"
#include "core/json_writer.hpp"
#include "parse/json_batch.hpp"

#include <algorithm>

namespace vigil::pipeline {
namespace {

// A UDP batch may carry many senders; past this many inputs, look them up by hash.
constexpr std::size_t linear_inputs = 8;

std::string name_of(const core::raw_record& record, const core::kafka_origin* origin) {
    switch (record.source) {
    case core::source_kind::kafka:
        return origin != nullptr ? core::partition_input_name(origin->topic, origin->partition)
                                 : std::string("kafka");
    case core::source_kind::http:
        return core::input_name(record.source, record.peer, false);
    default:
        return core::input_name(record.source, record.peer, true);
    }
}

} // namespace

worker_step::worker_step(worker_step_config config, const core::clock& clock, pipeline_probe* probe)
    : config_(std::move(config)), clock_(clock), probe_(probe),
      router_(std::max<std::size_t>(1, config_.shards), config_.quiet) {
    for (const auto& parsing : config_.parsing) {
        parsers_.push_back(std::make_unique<parse::record_parser>(parsing));
    }
}

void worker_step::use(const std::shared_ptr<const rules::rule_set>& rules) {
    if (!matcher_) {
        matcher_.emplace(rules);
    } else if (matcher_->rules_ptr() != rules) {
        matcher_->use(rules);
    }
    if (fields_.version != rules->version() || fields_.version == 0) {
        const auto& catalog = rules->catalog();
        fields_ = {rules->version(),
                   catalog.find("kafka.topic"),
                   catalog.find("kafka.partition"),
                   catalog.find("kafka.offset"),
                   catalog.find("kafka.key"),
                   catalog.find("kafka.headers"),
                   catalog.find("event.original_time")};
    }
}

void worker_step::run(const core::raw_batch& batch,
                      const std::shared_ptr<const rules::rule_set>& rules, step_result& out) {
    use(rules);
    router_.read_quiet_keys();
    progress_ = std::make_shared<correlate::batch_progress>();
    progress_->sequence = batch.sequence;
    progress_->changes = batch.input_changes;
    last_progress_ = 0;
    const auto& records = batch.records();
    for (std::size_t i = 0; i < records.size(); ++i) {
        const core::raw_record& record = records[i];
        if (parse::split_json_batch(record.bytes, batch_elements_)) {
            core::raw_record part = record;
            for (const std::string_view element : batch_elements_) {
                part.bytes = element;
                step_record(batch, i, part, rules, out);
            }
        } else {
            step_record(batch, i, record, rules, out);
        }
    }
    if (probe_ != nullptr) {
        counts_.flush_into(*probe_, clock_.now_ns());
    }
    // Every shard gets a batch, matches or not: it carries the input progress that moves every
    // shard's watermarks alike.
    out.correlations.resize(router_.shards());
    for (std::size_t s = 0; s < router_.shards(); ++s) {
        auto& gathered = router_.batch(s);
        auto made = std::make_shared<correlate::correlation_batch>(std::move(gathered));
        gathered.clear();
        gathered.reserve_like(*made);
        made->sequence = batch.sequence;
        made->progress = progress_;
        if (!made->rules) {
            made->rules = rules;
        }
        out.correlations[s] = std::move(made);
    }
}

void worker_step::step_record(const core::raw_batch& batch, std::size_t i,
                              const core::raw_record& record,
                              const std::shared_ptr<const rules::rule_set>& rules,
                              step_result& out) {
    const rules::rule_set& set = *rules;
    scratch_.reset();
    auto& parser = *parsers_[static_cast<std::size_t>(record.source)];
    const parse::parse_error error =
        parser.parse(record, set.mappings(), set.catalog(), set.projection(), event_, scratch_);
    if (const core::kafka_origin* from = batch.origin(i)) {
        add_kafka_origin(*from, record, error, out);
    }
    if (config_.tenants) {
        event_.tenant = config_.tenants->of(record, batch.origin(i));
    }
    bool skewed = false;
    const std::int64_t time_ns = event_time(record, skewed);
    correlate::input_progress& progress = progress_of(batch, i);
    progress.newest_event_ns =
        progress.records == 0 ? time_ns : std::max(progress.newest_event_ns, time_ns);
    progress.newest_receipt_ns = std::max(progress.newest_receipt_ns, record.recv_ns);
    ++progress.records;
    if (skewed) {
        ++progress.future_skewed;
        event_.time_ns = time_ns;
    }

    const std::size_t p = parse::parser_index(event_.parser);
    if (probe_ != nullptr) {
        ++counts_.parsed[p];
        if (error != parse::parse_error::none) {
            ++counts_.parse_errors[p][static_cast<std::size_t>(error)];
        }
    }
    correlate::match_router::origin from{record.input, 0, false};
    for (std::uint32_t r : matcher_->match(event_)) {
        if (probe_ != nullptr) {
            counts_.count_match(set, r, *probe_);
        }
        if (set.correlations().alerts(r)) {
            out.alerts.push_back(alert::make_alert(set.rules()[r], set.version(), event_,
                                                   set.catalog(), clock_.now_ns()));
        }
        if (!set.correlations().feeds(r).empty()) {
            if (!from.counted) {
                from.record_hash = core::stable_hash(record.bytes);
            }
            missing_keys_ += router_.route(rules, r, event_, time_ns, from);
        }
    }
    if (probe_ != nullptr) {
        counts_.count_class(set, matcher_->last_class());
    }
}

std::int64_t worker_step::event_time(const core::raw_record& record, bool& skewed) {
    if (!event_.time_ns) {
        return record.recv_ns;
    }
    const std::int64_t claimed = *event_.time_ns;
    if (claimed - record.recv_ns <= config_.max_future_skew_ns) {
        return claimed;
    }
    // Too far ahead of its receipt: believe the receipt, keep what the record said.
    skewed = true;
    ++future_skewed_;
    if (fields_.original_time) {
        event_.set(*fields_.original_time, scratch_.copy(core::format_rfc3339(claimed)));
    }
    return record.recv_ns;
}

correlate::input_progress& worker_step::progress_of(const core::raw_batch& batch,
                                                    std::size_t index) {
    const core::raw_record& record = batch.records()[index];
    auto& inputs = progress_->inputs;
    if (last_progress_ < inputs.size() && inputs[last_progress_].input == record.input) {
        return inputs[last_progress_];
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].input == record.input) {
            last_progress_ = i;
            return inputs[i];
        }
        if (i == linear_inputs) {
            break; // a batch of many senders (UDP): the rest are searched from the back
        }
    }
    for (std::size_t i = inputs.size(); i-- > linear_inputs;) {
        if (inputs[i].input == record.input) {
            last_progress_ = i;
            return inputs[i];
        }
    }
    correlate::input_progress& made = inputs.emplace_back();
    made.input = record.input;
    made.newest_receipt_ns = record.recv_ns;
    // The name the source gave when the input opened, else one made from the record.
    for (const auto& change : batch.input_changes) {
        if (change.input == record.input && change.opened) {
            made.name = change.name;
        }
    }
    if (made.name.empty()) {
        made.name = name_of(record, batch.origin(index));
    }
    last_progress_ = inputs.size() - 1;
    return made;
}

void worker_step::add_kafka_origin(const core::kafka_origin& from, const core::raw_record& record,
                                   parse::parse_error error, step_result& out) {
    if (fields_.topic) {
        event_.set(*fields_.topic, from.topic);
    }
    if (fields_.partition) {
        event_.set(*fields_.partition, scratch_.copy(std::to_string(from.partition)));
    }
    if (fields_.offset) {
        event_.set(*fields_.offset, scratch_.copy(std::to_string(from.offset)));
    }
    if (fields_.key && !from.key.empty()) {
        event_.set(*fields_.key, from.key);
    }
    if (fields_.headers && !from.headers.empty()) {
        event_.set(*fields_.headers, from.headers);
    }
    if (error != parse::parse_error::none) {
        // Kept as it came, for an operator; the event is still matched.
        std::string& json = out.dead_letters.emplace_back();
        core::json_writer w(json);
        w.begin_object()
            .field("topic", from.topic)
            .field("partition", static_cast<std::int64_t>(from.partition))
            .field("offset", from.offset)
            .field("reason", "unparseable: " + std::string(parse::to_string(error)))
            .field("received_at", core::rfc3339(record.recv_ns).view())
            .field("value", record.bytes.substr(0, 64 * 1024))
            .end_object();
    }
}

} // namespace vigil::pipeline
