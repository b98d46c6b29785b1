#!/usr/bin/env python3
"""Tenants (issue 16): records are labelled with their customer by HTTP ingest token (and by
listener, Kafka topic or sender network: unit tests); every alert carries its tenant; a
correlation never mixes customers (the same address failing at two customers is two keys); a
tenant's read token sees only its alerts through the API; `vigil alerts --tenant` and a
webhook destination's `tenants` filter select one customer."""

import base64
import json
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import ECS, TempTree, Vigild, firewall_rule, stored_alerts, tenants_section, wait_until  # noqa: E402
from webhook_receiver import Receiver  # noqa: E402

SINGLE = "71717171-1111-4111-8111-171717171717"
BASE = "72727272-2222-4222-8222-171717171717"
COUNT = "73737373-3333-4333-8333-171717171717"
WRITE, METRICS = "write-17", "metrics-17"
TOKENS = {"acme": ("acme-ingest", "acme-read"), "globex": ("globex-ingest", "globex-read")}
SECRET = "whsec_" + base64.b64encode(b"tenants-test-secret-of-32-bytes!").decode()


class Tenants(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.tree.add_rule("single.yml", firewall_rule(SINGLE, "tok-single"))
        cls.tree.add_rule("count.yml", f"""title: four denies from one address
id: {COUNT}
author: vigil integration tests
level: high
correlation:
  type: event_count
  rules: [deny_base]
  group-by: [source.ip]
  timespan: 10m
  condition: {{gte: 4}}
---
title: a deny
id: {BASE}
name: deny_base
logsource: {{category: firewall}}
detection:
  selection:
    message|contains: 'tok-deny'
  condition: selection
""")
        cls.globex_hook = Receiver()
        cls.daemon = Vigild(
            cls.tree, http_extra=f"  api_write_token: {WRITE}\n  metrics_token: {METRICS}\n",
            extra_config=tenants_section(TOKENS) +
                         f"outputs:\n  webhooks:\n    - name: globex-chat\n      url: {cls.globex_hook.url}\n"
                         f"      secret: {SECRET}\n      allow_private: true\n      tenants: [globex]\n"
                         "correlation:\n  idle_timeout: 1s\n  allowed_lateness: 1s\n").start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.globex_hook.stop()
        cls.tree.cleanup()

    def post(self, tenant, *records):
        lines = "".join(f'{{{ECS},"source":{{"ip":"{ip}"}},"message":"{m}"}}\n' for ip, m in records)
        code, body = self.daemon.curl_input("/ingest", lines.encode(), "-X", "POST", "--data-binary", "@-",
                                            "-H", f"Authorization: Bearer {TOKENS[tenant][0]}")
        self.assertEqual(code, 200, body)

    def api(self, path, token):
        code, text = self.daemon.curl(path, "-H", f"Authorization: Bearer {token}")
        return code, text

    def test_tenants_are_kept_apart(self):
        # 203.0.113.9 is denied three times at each customer: six in all, but no customer saw
        # four. 203.0.113.10 is denied four times at acme.
        self.post("acme", *[("203.0.113.9", f"tok-deny a{i}") for i in range(3)],
                  *[("203.0.113.10", f"tok-deny b{i}") for i in range(4)], ("192.0.2.1", "tok-single a"))
        self.post("globex", *[("203.0.113.9", f"tok-deny c{i}") for i in range(3)], ("192.0.2.1", "tok-single g"))
        found = []

        def correlated():
            found[:] = stored_alerts(self.tree.data, "--rule", COUNT)
            return found
        wait_until(correlated, "the acme brute force alert")
        singles = []

        def both():
            singles[:] = stored_alerts(self.tree.data, "--rule", SINGLE)
            return len(singles) >= 2
        wait_until(both, "both single-event alerts")
        # Every correlation of this stream was decided with the one that fired (same watermark).
        self.assertEqual(len(found), 1, found)
        self.assertEqual((found[0]["tenant"], found[0]["key"], found[0]["count"]),
                         ("acme", {"source.ip": "203.0.113.10"}, 4))
        self.assertEqual(sorted(a["tenant"] for a in singles), ["acme", "globex"])

        # A tenant's read token sees its own alerts only.
        code, text = self.api("/api/v1/alerts", TOKENS["acme"][1])
        self.assertEqual(code, 200, text)
        seen = json.loads(text)["alerts"]
        self.assertEqual({a["tenant"] for a in seen}, {"acme"})
        self.assertEqual(len(seen), 2)
        globex_alert = [a for a in singles if a["tenant"] == "globex"][0]
        code, text = self.api(f"/api/v1/alerts/{globex_alert['id']}", TOKENS["acme"][1])
        self.assertEqual(code, 404, text)
        code, text = self.api(f"/api/v1/alerts/{globex_alert['id']}", TOKENS["globex"][1])
        self.assertEqual((code, json.loads(text)["tenant"]), (200, "globex"))
        code, text = self.api("/api/v1/alerts?tenant=globex", TOKENS["acme"][1])
        self.assertEqual(code, 403, text)
        code, text = self.api("/api/v1/rules", TOKENS["acme"][1])
        # The tenant token opens the alert routes only: known, but forbidden elsewhere.
        self.assertEqual(code, 403, text)
        self.assertIn("tenant's read token", json.loads(text)["error"])
        # The write token sees every tenant and may filter.
        code, text = self.api("/api/v1/alerts?tenant=globex", WRITE)
        self.assertEqual([a["id"] for a in json.loads(text)["alerts"]], [globex_alert["id"]])
        self.assertEqual([a["id"] for a in stored_alerts(self.tree.data, "--tenant", "globex")],
                         [globex_alert["id"]])
        # The webhook destination for globex gets globex's alert and nothing of acme's.
        wait_until(lambda: globex_alert["id"] in self.globex_hook.delivered(), "globex's alert at its webhook")
        delivered = [json.loads(r["body"]) for r in self.globex_hook.snapshot()]
        self.assertEqual({d["tenant"] for d in delivered}, {"globex"})


if __name__ == "__main__":
    unittest.main()
