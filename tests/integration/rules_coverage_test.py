#!/usr/bin/env python3
"""`vigil rules coverage` and GET /api/v1/coverage against a real vigild.

vigild runs one sshd rule. util-linux logger sends three sshd lines and two lines of a program
no class names; the coverage report must count them under syslog_sshd (one rule) and
syslog_linux (no rule: flagged as a source nothing watches), in the last hour and in total.
Without a daemon, `vigil rules coverage DIR` gives the rule counts of DIR alone.
"""

import json
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import SOURCE_DIR, TempTree, Vigild, vigil, wait_until  # noqa: E402

SSHD_RULE = """title: sshd invalid user (coverage test)
id: 6c3a1f0e-2b4d-4e5f-9a6b-7c8d9e0f1a2b
status: test
logsource: {product: linux, service: sshd}
detection:
  selection:
    message|contains: Invalid user
  condition: selection
level: low
"""


class RulesCoverage(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.tree.add_rule("sshd.yml", SSHD_RULE)
        self.daemon = Vigild(self.tree).start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def test_events_per_class_and_the_sources_no_rule_watches(self):
        d = self.daemon
        for i in range(3):
            d.logger("-P", str(d.udp_port), "-d", "--rfc3164", "-t", "sshd",
                     f"Invalid user guest{i} from 203.0.113.{i + 1}")
        for i in range(2):
            d.logger("-P", str(d.udp_port), "-d", "--rfc3164", "-t", "inventoryd",
                     f"scan {i} finished")

        def classes():
            status, body = d.curl("/api/v1/coverage")
            self.assertEqual(status, 200)
            return {c["class"]: c for c in json.loads(body)["classes"]}

        got = wait_until(lambda: (c := classes()) and c.get("syslog_sshd", {}).get("events_total") == 3
                         and c.get("syslog_linux", {}).get("events_total") == 2 and c,
                         "five events counted by class")
        self.assertEqual(got["syslog_sshd"]["rules"], 1)
        self.assertEqual(got["syslog_sshd"]["events_last_hour"], 3)
        self.assertEqual(got["syslog_sshd"]["product"], ["linux"])
        self.assertEqual(got["syslog_linux"]["rules"], 0)
        self.assertEqual(got["syslog_linux"]["events_last_hour"], 2)
        self.assertEqual(got["security"]["events_total"], 0)

        _, out, _ = vigil("rules", "coverage", "--url", f"http://127.0.0.1:{d.http_port}")
        rows = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith("CLASS")}
        self.assertRegex(rows["syslog_sshd"], r"\s1\s+3\s+3$")
        self.assertRegex(rows["syslog_linux"], r"\s0\s+2\s+2\s+NO RULES$")
        self.assertIn("1 class(es) received events that no rule can meet: syslog_linux", out)
        # Classes with neither rules nor events are left out unless asked for.
        self.assertNotIn("security ", out)
        _, everything, _ = vigil("rules", "coverage", "--all", "--url",
                                 f"http://127.0.0.1:{d.http_port}")
        self.assertIn("security ", everything)

    def test_without_a_daemon_the_rule_counts_of_a_directory(self):
        _, out, _ = vigil("rules", "coverage", str(SOURCE_DIR / "rules"), "--schemas-dir",
                          str(SOURCE_DIR / "schemas"))
        rows = {line.split()[0]: line.split() for line in out.splitlines()
                if line and not line.startswith("CLASS") and len(line.split()) >= 4}
        # The shipped pack: sshd has its invalid-user rule and the brute-force bases.
        self.assertGreaterEqual(int(rows["syslog_sshd"][-3]), 3)
        self.assertEqual(rows["syslog_sshd"][-2:], ["-", "-"])
        self.assertIn("rule(s) name no log source and meet every class (vendor verdicts)", out)
        self.assertIn("no running vigild", out)


if __name__ == "__main__":
    unittest.main()
