#!/usr/bin/env python3
"""A syslog line becomes a stored alert, and stays stored across a restart.

The issue's acceptance path with the real clients: util-linux logger sends RFC 5424 over TCP
with octet counting and RFC 3164 over UDP to a real vigild; `vigil alerts --json` must show
exactly the expected alerts, while vigild runs, after it stopped, and after it restarted.
"""

import json
import pathlib
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ALERT_SCHEMA, TempTree, Vigild, keyword_rule, schema_errors,  # noqa: E402
                           stored_alerts, wait_until)

RULE_ID = "5f0c6a4e-7d8b-4c61-9a39-0b1d2e3f4a5b"


class SyslogToAlert(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.token = "vigil-e2e-" + uuid.uuid4().hex[:12]
        self.tree.add_rule("token.yml", keyword_rule(RULE_ID, self.token, title="E2E token seen"))
        self.daemon = Vigild(self.tree).start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def test_logger_lines_become_alerts_that_survive_a_restart(self):
        d = self.daemon
        d.logger("-P", str(d.tcp_port), "-T", "--octet-count", "--rfc5424", "-t", "e2e-tcp",
                 f"first line over tcp {self.token} end")
        d.logger("-P", str(d.udp_port), "-d", "--rfc3164", "-t", "e2e-udp",
                 f"second line over udp {self.token} end")
        d.logger("-P", str(d.udp_port), "-d", "--rfc3164", "-t", "e2e-udp", "a line without the token")

        # All three records parsed, and exactly the two with the token alerted.
        wait_until(lambda: d.metric("vigil_events_parsed_total") == 3, "three parsed events")
        alerts = wait_until(lambda: (a := stored_alerts(self.tree.data)) and len(a) == 2 and a,
                            "two stored alerts")
        self.assertEqual(d.metric("vigil_alerts_stored_total"), 2)

        by_transport = {a["evidence"][0]["transport"]: a for a in alerts}
        self.assertEqual(set(by_transport), {"syslog_tcp", "syslog_udp"})
        tcp, udp = by_transport["syslog_tcp"], by_transport["syslog_udp"]
        for a in (tcp, udp):
            self.assertEqual(schema_errors(a, ALERT_SCHEMA), [], "schemas/alert.schema.json")
            self.assertEqual(a["rule"]["id"], RULE_ID)
            self.assertEqual(a["rule"]["title"], "E2E token seen")
            self.assertEqual(a["rule"]["level"], "high")
            self.assertEqual(a["rule"]["author"], "vigil integration tests")
            self.assertEqual(a["rule"]["tags"], ["attack.t1110"])
            self.assertEqual(a["grade"], "II")
            self.assertEqual(len(a["id"]), 26)
            self.assertIn(self.token, a["evidence"][0]["fields"]["message"])
            self.assertTrue(a["received_at"].endswith("Z"))
            self.assertIn("event_time", a)
        self.assertEqual(tcp["evidence"][0]["parser"], "rfc5424")
        self.assertEqual(tcp["evidence"][0]["fields"]["process.name"], "e2e-tcp")
        self.assertEqual(tcp["evidence"][0]["fields"]["log.syslog.version"], "1")
        self.assertEqual(udp["evidence"][0]["parser"], "rfc3164")
        self.assertEqual(udp["evidence"][0]["fields"]["process.name"], "e2e-udp")
        self.assertEqual(udp["evidence"][0]["fields"]["message"], f"second line over udp {self.token} end")
        ids = sorted(a["id"] for a in alerts)
        self.assertEqual([a["id"] for a in alerts], sorted(ids, reverse=True), "newest first")

        # Filters.
        self.assertEqual(len(stored_alerts(self.tree.data, "--rule", RULE_ID)), 2)
        self.assertEqual(len(stored_alerts(self.tree.data, "--rule", "no-such-rule")), 0)
        self.assertEqual(len(stored_alerts(self.tree.data, "--since", "10m")), 2)
        self.assertEqual(len(stored_alerts(self.tree.data, "--limit", "1")), 1)

        # Clean shutdown, then the alerts are readable with vigild stopped.
        self.assertEqual(d.stop(), 0, d.log())
        self.assertIn("stopped: alerts flushed", d.log())
        self.assertEqual(sorted(a["id"] for a in stored_alerts(self.tree.data)), ids)

        # After a restart they are still there, readable while vigild runs.
        d.start()
        self.assertEqual(sorted(a["id"] for a in stored_alerts(self.tree.data)), ids)
        d.logger("-P", str(d.tcp_port), "-T", "--rfc3164", "-t", "again", f"third {self.token}")
        wait_until(lambda: len(stored_alerts(self.tree.data)) == 3, "a third alert after restart")
        self.assertEqual(d.stop(), 0, d.log())


class StdoutOutput(unittest.TestCase):
    """outputs.stdout prints each stored alert as one JSON line."""

    def setUp(self):
        self.tree = TempTree()
        self.token = "vigil-stdout-" + uuid.uuid4().hex[:12]
        self.tree.add_rule("token.yml", keyword_rule(RULE_ID, self.token))
        self.daemon = Vigild(self.tree, extra_config="outputs:\n  stdout: true\n").start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def test_each_stored_alert_is_printed_as_one_json_line(self):
        d = self.daemon
        for n in range(3):
            d.logger("-P", str(d.udp_port), "-d", "--rfc3164", f"line {n} {self.token}")
        printed = wait_until(lambda: len(d.stdout_lines) == 3 and d.stdout_lines, "three alert lines on stdout")
        documents = [json.loads(line) for line in printed]
        stored = stored_alerts(self.tree.data)
        self.assertEqual(sorted(a["id"] for a in documents), sorted(a["id"] for a in stored))
        for a in documents:
            self.assertEqual(schema_errors(a, ALERT_SCHEMA), [])
        self.assertEqual(d.stop(), 0, d.log())


if __name__ == "__main__":
    unittest.main()
