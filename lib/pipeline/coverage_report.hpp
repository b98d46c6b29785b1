#pragma once

#include "pipeline/class_traffic.hpp"
#include "rules/rule_set.hpp"

#include <cstdint>
#include <string>

namespace vigil::pipeline {

// Detection coverage per log source class (`vigil rules coverage`, GET /api/v1/coverage): for
// every class of `rules` (and every class events arrived in), its Sigma log source, how many
// rules can meet its events, and, with `traffic`, how many events arrived in the last hour and
// since start. A class with events and no rules is a source nothing watches. Rules whose log
// source names nothing (vendor verdicts) meet every class and are counted apart.
//   {"rules_version": 3, "rules_for_every_class": 4, "classes": [{"class": "syslog_sshd",
//   "product": ["linux"], ...,
//     "rules": 5, "events_last_hour": 1200, "events_total": 50210}, ...]}
// Without traffic the two event counts are null.
[[nodiscard]] std::string coverage_json(const rules::rule_set& rules, const class_traffic* traffic,
                                        std::int64_t now_ns);

} // namespace vigil::pipeline
