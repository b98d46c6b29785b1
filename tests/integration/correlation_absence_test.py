#!/usr/bin/env python3
"""An agent that goes silent is reported although nothing else arrives.

util-linux logger sends one heartbeat of an agent; an `absence` correlation expects one from
each host every 3 s. No further event arrives, so event time cannot move on by itself: after
`correlation.allowed_lateness` (1 s here) without events the shard lets event time follow the
wall clock, and the absence fires about 3 s after the heartbeat, not before.
"""

import pathlib
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ALERT_SCHEMA, TempTree, Vigild, schema_errors, stored_alerts,  # noqa: E402
                           wait_until)

ABSENCE_ID = "a6c4f3d2-8b1e-4c7a-9f05-3e2d1c0b9a88"
RULES = f"""
title: agent heartbeat
id: a6c4f3d2-8b1e-4c7a-9f05-3e2d1c0b9a87
name: agent_heartbeat
logsource: {{product: linux, service: syslog}}
detection:
  selection: {{process.name: vigil-test-agent}}
  condition: selection
---
title: agent stopped sending heartbeats
id: {ABSENCE_ID}
level: high
correlation:
  type: absence
  rules: [agent_heartbeat]
  group-by: [host.name]
  timespan: 3s
"""
CONFIG = """correlation:
  allowed_lateness: 1s
  checkpoint_interval: 1s
"""


class CorrelationAbsence(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.tree.add_rule("agent_offline.yml", RULES)
        self.daemon = Vigild(self.tree, extra_config=CONFIG).start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def test_a_silent_agent_is_reported_on_wall_clock_time(self):
        d = self.daemon
        sent = time.monotonic()
        d.logger("-P", str(d.tcp_port), "-T", "--octet-count", "--rfc5424", "-t", "vigil-test-agent",
                 "alive")
        wait_until(lambda: d.metric("vigil_correlation_matches_total") == 1, "the heartbeat applied")
        wait_until(lambda: d.metric("vigil_correlation_alerts_total", kind="new") == 1,
                   "the absence alert", deadline=20)
        self.assertGreaterEqual(time.monotonic() - sent, 3.0, "fired before the timespan passed")
        self.assertEqual(d.stop(), 0, d.log())
        alerts = stored_alerts(self.tree.data)
        self.assertEqual(len(alerts), 1, alerts)
        alert = alerts[0]
        self.assertEqual(schema_errors(alert, ALERT_SCHEMA), [])
        self.assertEqual(alert["rule"]["id"], ABSENCE_ID)
        self.assertEqual(alert["correlation"]["type"], "absence")
        host = alert["evidence"][0]["fields"]["host.name"]
        self.assertEqual(alert["key"], {"host.name": host})
        self.assertEqual(alert["host"], host)
        # last_seen is the heartbeat's own time.
        self.assertEqual(alert["last_seen"][:19], alert["evidence"][0]["@timestamp"][:19])


if __name__ == "__main__":
    unittest.main()
