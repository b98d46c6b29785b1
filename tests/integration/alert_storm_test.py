#!/usr/bin/env python3
"""Alert storms (issue 15): a single-event rule with `suppress: {by, for}` that matches every
event of a 1,000,000-event stream gives one alert per `by` value whose count is the number of
its events; a rule without it that runs away is held to alerts.rate_limit per minute and a
counted summary alert; and every kind of alert the daemon writes (single-event, correlation,
suppression, summary) validates against schemas/alert.schema.json under ajv, a third-party
validator run with node."""

import json
import pathlib
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ECS, TempTree, Vigild, firewall_rule, stored_alerts,  # noqa: E402
                           validate_with_ajv, vigil, wait_until)
EVENTS = 1_000_000
HOSTS = 4
RATE_LIMIT = 50


SUPPRESSED = "11111111-2222-4333-8444-555555555555"
RUNAWAY = "22222222-3333-4444-8555-666666666666"
SINGLE = "33333333-4444-4555-8666-777777777777"
CORRELATION = "44444444-5555-4666-8777-888888888888"


class AlertStorm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.tree.add_rule("suppressed.yml", firewall_rule(SUPPRESSED, "tok-storm",
                                                          extra="suppress:\n  by: [host.name]\n  for: 1h\n"))
        cls.tree.add_rule("runaway.yml", firewall_rule(RUNAWAY, "tok-rate"))
        cls.tree.add_rule("single.yml", firewall_rule(SINGLE, "tok-single"))
        cls.tree.add_rule("correlation.yml", f"""title: three tok-corr events on one host
id: {CORRELATION}
author: vigil integration tests
level: critical
correlation:
  type: event_count
  rules: [corr_base]
  group-by: [host.name]
  timespan: 10m
  condition: {{gte: 3}}
---
title: tok-corr base
id: 55555555-6666-4777-8888-999999999999
name: corr_base
logsource: {{category: firewall}}
detection:
  selection:
    message|contains: 'tok-corr'
  condition: selection
""")
        cls.daemon = Vigild(cls.tree, extra_config=f"alerts:\n  rate_limit: {RATE_LIMIT}\n"
                                                   "correlation:\n  idle_timeout: 1s\n  allowed_lateness: 1s\n").start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.tree.cleanup()

    def post(self, lines):
        code, body = self.daemon.curl_input("/ingest", "".join(lines).encode(), "-X", "POST",
                                            "--data-binary", "@-")
        self.assertEqual(code, 200, body)

    def by_rule(self, rule_id):
        return stored_alerts(self.tree.data, "--rule", rule_id)

    def test_1_a_million_matches_are_a_handful_of_counted_alerts(self):
        started = time.monotonic()
        chunk = 50_000
        for first in range(0, EVENTS, chunk):
            self.post(f'{{{ECS},"host":{{"name":"h{i % HOSTS}"}},"message":"tok-storm {i}"}}\n'
                      for i in range(first, first + chunk))
        sent = time.monotonic() - started
        # Every record is durable when its request is answered; the counts settle once the
        # correlator has applied them all (updates are written at most once a second).
        wait_until(lambda: sum(a["count"] for a in self.by_rule(SUPPRESSED)) == EVENTS,
                   "the suppressed alerts counting every event", deadline=120)
        alerts = self.by_rule(SUPPRESSED)
        self.assertEqual(sorted(a["key"]["host.name"] for a in alerts), [f"h{h}" for h in range(HOSTS)])
        for a in alerts:
            self.assertEqual(a["count"], EVENTS // HOSTS)
            self.assertEqual(a["suppression"]["by"], ["host.name"])
            self.assertEqual(a["suppression"]["for"], "1h")
            self.assertLessEqual(len(a["evidence"]), 5)
            self.assertEqual(a["rule"]["id"], SUPPRESSED)
        stored = self.daemon.metric("vigil_alerts_stored_total")
        print(f"1,000,000 matching events: {len(alerts)} alerts, {stored:.0f} alert writes "
              f"(updates included), sent in {sent:.1f} s")
        self.assertLess(stored, 10_000)

    def test_2_a_runaway_rule_is_held_to_its_rate_and_summarised(self):
        minute = (int(time.time()) // 60 - 5) * 60  # a whole minute, five minutes ago
        stamp = time.strftime("%Y-%m-%dT%H:%M:", time.gmtime(minute))
        lines = [f'{{{ECS},"@timestamp":"{stamp}{i % 60:02d}Z","message":"tok-rate {i}"}}\n'
                 for i in range(400)]
        self.post(lines)
        wait_until(lambda: any("summary" in a and a["count"] == 400 - RATE_LIMIT
                               for a in self.by_rule(RUNAWAY)), "the summary counting 350")
        alerts = self.by_rule(RUNAWAY)
        summaries = [a for a in alerts if "summary" in a]
        self.assertEqual(len(summaries), 1)
        self.assertEqual(len(alerts) - 1, RATE_LIMIT)
        self.assertEqual(summaries[0]["summary"]["limit"], RATE_LIMIT)
        self.assertEqual(summaries[0]["summary"]["window"], "1m")
        self.assertEqual(self.daemon.metric("vigil_alerts_rate_limited_total"), 400 - RATE_LIMIT)
        # vigil replay with the daemon's configuration holds the rule to the same rate.
        stream = self.tree.root / "runaway.ndjson"
        stream.write_text("".join(lines))
        _, out, err = vigil("replay", str(stream), "--format", "json", "--rules", str(self.tree.rules),
                            "--config", str(self.daemon.config), "--json")
        replayed = [json.loads(line) for line in out.splitlines()]
        replayed = [a for a in replayed if a["rule"]["id"] == RUNAWAY]
        self.assertEqual(len(replayed), RATE_LIMIT + 1)
        self.assertEqual([a["count"] for a in replayed if "summary" in a], [400 - RATE_LIMIT])
        self.assertIn(f"{400 - RATE_LIMIT} alert(s) folded into summaries", err)

    def test_3_every_kind_of_alert_validates_against_the_schema(self):
        self.post([f'{{{ECS},"host":{{"name":"c1"}},"message":"tok-corr {i}"}}\n' for i in range(3)] +
                  [f'{{{ECS},"message":"tok-single 1"}}\n'])
        wait_until(lambda: self.by_rule(CORRELATION) and self.by_rule(SINGLE), "correlation and single alerts")
        alerts = stored_alerts(self.tree.data)
        kinds = {"correlation" if "correlation" in a else "suppression" if "suppression" in a
                 else "summary" if "summary" in a else "single" for a in alerts}
        self.assertEqual(kinds, {"correlation", "suppression", "summary", "single"})
        report = validate_with_ajv(alerts)
        self.assertEqual(report["invalid"], [])
        self.assertEqual(report["valid"], len(alerts))
        # The validator does reject what the schema forbids.
        broken = dict(alerts[0], grade="V")
        self.assertEqual(len(validate_with_ajv([broken])["invalid"]), 1)


if __name__ == "__main__":
    unittest.main()
