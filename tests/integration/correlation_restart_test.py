#!/usr/bin/env python3
"""A brute force half-built when vigild is killed with SIGKILL is finished after the restart.

util-linux logger sends sshd "Failed password" lines over TCP. The correlation needs five from
one address within ten minutes. Three are sent, vigild checkpoints its correlator state
(column family `state`, every 200 ms here) and is killed with SIGKILL; after the restart the
last two are sent. There must be exactly one alert, with the same content as the alert of a
run that was never interrupted (ids and receipt/event times aside, which differ per run).
"""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ALERT_SCHEMA, TempTree, Vigild, schema_errors, stored_alerts,  # noqa: E402
                           wait_until)

CORRELATION_ID = "5d0f2a8e-6c3b-4f0e-9a51-2b7c8d9e0f11"
RULES = f"""
title: ssh failed password
id: 5d0f2a8e-6c3b-4f0e-9a51-2b7c8d9e0f10
name: failed_password
logsource: {{product: linux, service: sshd}}
detection:
  selection: {{event.action: ssh_login, event.outcome: failure}}
  condition: selection
---
title: five failed passwords from one address in ten minutes
id: {CORRELATION_ID}
level: high
tags: [attack.credential-access, attack.t1110.001]
correlation:
  type: event_count
  rules: [failed_password]
  group-by: [source.ip]
  timespan: 10m
  condition: {{gte: 5}}
"""
CONFIG = """correlation:
  checkpoint_interval: 200ms
  allowed_lateness: 2s
"""
USERS = ["root", "admin", "oracle", "test", "guest"]


def normalised(alert):
    """The alert without what differs between runs: ids and times (and deadlines from them)."""
    out = {k: v for k, v in alert.items()
           if k not in ("id", "created_at", "received_at", "event_time", "first_seen", "last_seen")}
    out["rule"] = {k: v for k, v in alert["rule"].items() if k != "rule_set_version"}
    # Deadlines count from created_at (processing time).
    out["sla"] = {k: v for k, v in alert["sla"].items() if k not in ("notify_by", "contain_by")}
    out["evidence"] = [
        {"fields": {k: v for k, v in e["fields"].items()
                    if k not in ("event.original", "log.syslog.hostname")},
         "parser": e["parser"]}
        for e in alert["evidence"]
    ]
    return out


class CorrelationRestart(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.tree.add_rule("brute_force.yml", RULES)
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            self.daemon.kill()
        self.tree.cleanup()

    def send_failures(self, d, users):
        for user in users:
            d.logger("-P", str(d.tcp_port), "-T", "--octet-count", "--rfc5424", "-t", "sshd",
                     "--id=4242", f"Failed password for {user} from 203.0.113.7 port 40001 ssh2")

    def run_once(self, interrupted):
        d = self.daemon = Vigild(self.tree, extra_config=CONFIG).start()
        self.send_failures(d, USERS[:3])
        wait_until(lambda: d.metric("vigil_correlation_matches_total") == 3, "3 matches applied")
        if interrupted:
            # Two checkpoints after the matches: every shard has written one that holds them.
            seen = d.metric("vigil_correlation_checkpoints_total")
            wait_until(lambda: d.metric("vigil_correlation_checkpoints_total") >= seen + 4,
                       "a checkpoint after the third failure")
            d.kill()  # SIGKILL: no shutdown, no final checkpoint
            d = self.daemon = Vigild(self.tree, extra_config=CONFIG).start()
            wait_until(lambda: "correlator state restored: 1 keys" in d.log(), "state restored")
            self.assertEqual(d.metric("vigil_correlation_restored_keys_total"), 1)
        self.send_failures(d, USERS[3:])
        wait_until(lambda: len(stored_alerts(self.tree.data)) >= 1, "the brute-force alert")
        self.assertEqual(d.stop(), 0, d.log())
        self.daemon = None
        alerts = stored_alerts(self.tree.data)
        self.assertEqual(len(alerts), 1, alerts)
        return alerts[0]

    def test_killed_mid_window_alerts_once_as_if_never_interrupted(self):
        interrupted = self.run_once(interrupted=True)
        self.assertEqual(interrupted["rule"]["id"], CORRELATION_ID)
        self.assertEqual(interrupted["key"], {"source.ip": "203.0.113.7"})
        self.assertEqual(interrupted["count"], 5)
        self.assertEqual(schema_errors(interrupted, ALERT_SCHEMA), [])
        self.assertEqual(interrupted["correlation"]["type"], "event_count")
        self.assertEqual(interrupted["correlation"]["condition"], "gte 5")
        self.assertLessEqual(interrupted["first_seen"], interrupted["last_seen"])

        # The same events into a fresh data directory, without the interruption.
        self.tree.cleanup()
        self.tree = TempTree()
        self.tree.add_rule("brute_force.yml", RULES)
        uninterrupted = self.run_once(interrupted=False)
        self.assertEqual(normalised(interrupted), normalised(uninterrupted))


if __name__ == "__main__":
    unittest.main()
