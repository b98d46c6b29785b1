#!/usr/bin/env python3
"""A storm of rule reloads under load, valid, invalid and hostile: the rules directory flips
between set X (the stream's rules), set Y (X plus rule B, which also matches every event) and
set Z (Y plus a hostile file: a condition nested 5,000 deep or YAML that is not YAML), each
followed at once by POST /api/v1/rules/reload while a TCP sender streams events. Every reload
of X or Y must be published (200), every reload of Z refused (422) with the running set
serving on; no alert may come from a set that was never published whole: every alert of
rule B names a rule-set version that was published while Y was on disk. vigild stays up and
processes every event it read (counted after a clean stop).
"""

import json
import pathlib
import sys
import threading
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, Load, report, rss_kib  # noqa: E402
from vigil_harness import TempTree, Vigild, stored_alerts, vigil, wait_until  # noqa: E402

RULE_B = "2e9a3b4c-7d8f-4a0b-9c1d-3e4f5a6b7c8d"
ROUNDS = 30

HOSTILE = [
    "title: hostile\nid: 5f6a7b8c-9d0e-4f1a-8b2c-4d5e6f7a8b9c\nlevel: high\nlogsource: {product: linux}\n"
    "detection:\n  k: [x]\n  condition: " + "(" * 5000 + "k" + ")" * 5000 + "\n",
    "title: broken\nid: [unclosed\n",
]


class ReloadStorm(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.events = EventStream()
        self.events.add_rules(self.tree)
        self.rule_b = self.tree.rules / "rule_b.yml"
        self.hostile = self.tree.rules / "hostile.yml"

    def tearDown(self):
        self.tree.cleanup()

    def write_set(self, name, round_number):
        self.hostile.unlink(missing_ok=True)
        self.rule_b.unlink(missing_ok=True)
        if name in ("Y", "Z"):
            self.rule_b.write_text(f"""title: second rule on the stream
id: {RULE_B}
level: medium
logsource: {{product: linux}}
detection:
  keywords:
    - '{self.events.marker}'
  condition: keywords
""")
        if name == "Z":
            self.hostile.write_text(HOSTILE[round_number % len(HOSTILE)])

    def reload(self, d):
        code, body = d.curl("/api/v1/rules/reload", "-X", "POST", "-m", "60")
        return code, json.loads(body)

    def test_reload_storm_under_load(self):
        d = Vigild(self.tree, extra_config="outputs:\n  stdout: false\nrules_watch: false\n").start()
        stop = threading.Event()
        sent = []
        # A steady stream, not a flood: the storm is the point.
        thread = threading.Thread(target=Load(self.events).tcp_sender, args=(d, sent, stop, 0.005))
        thread.start()
        versions_with_b = set()
        published = refused = 0
        for i in range(ROUNDS):
            name = "XYZ"[i % 3]
            self.write_set(name, i)
            code, outcome = self.reload(d)
            if name == "Z":
                self.assertEqual(code, 422, outcome)
                self.assertTrue(outcome["errors"], outcome)
                refused += 1
                # The running set serves on: its version did not change.
                self.assertEqual(json.loads(d.curl("/api/v1/rules")[1])["version"], last_version)
            else:
                self.assertEqual(code, 200, outcome)
                published += 1
                last_version = outcome["version"]
                if name == "Y":
                    versions_with_b.add(last_version)
        stop.set()
        thread.join(30)
        rss = rss_kib(d.process.pid)
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tcp") >= len(sent),
                   "every event read")
        self.assertEqual(d.stop(), 0, d.log())
        processed = self.events.processed(self.tree.data)
        alerts_b = [a for a in stored_alerts(self.tree.data, "--rule", RULE_B)]
        stray = [a["rule"]["rule_set_version"] for a in alerts_b
                 if a["rule"]["rule_set_version"] not in versions_with_b]
        lost = [n for n in sent if n not in processed]
        report("reload_storm", reloads=ROUNDS, published=published, refused=refused, sent=len(sent),
               processed=len(processed), lost=len(lost), alerts_of_b=len(alerts_b),
               stray_alerts=len(stray), rss_kib=rss)
        self.assertEqual(stray, [], "alerts from a rule set that was never published")
        self.assertGreater(len(alerts_b), 0)
        self.assertEqual(lost, [])


if __name__ == "__main__":
    unittest.main()
