#!/usr/bin/env python3
"""Alert queries (issue 15): `vigil alerts` and GET /api/v1/alerts with every filter, answered
by the same query code; cursor pages while alerts are still being written; GET
/api/v1/alerts/{id} with the alert's evidence; retention by age as vigild runs it.

The records go in over HTTP as ECS JSON with their own @timestamp, host.name and source.ip, so
the expected answer of each query follows from the records sent.
"""

import json
import pathlib
import sys
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ALERT_SCHEMA, ECS, TempTree, Vigild, firewall_rule, schema_errors,  # noqa: E402
                           stored_alerts, vigil, wait_until)
RULE_HIGH = "5b0c7e9a-1d2f-4e3a-9b8c-7d6e5f4a3b21"
RULE_CRITICAL = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"
RECORDS = 60


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


class AlertQueries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.tree.add_rule("high.yml", firewall_rule(RULE_HIGH, "tok-high", "high"))
        cls.tree.add_rule("critical.yml", firewall_rule(RULE_CRITICAL, "tok-crit", "critical"))
        cls.daemon = Vigild(cls.tree, extra_config="alerts:\n  max_age: 30d\n  retention_interval: 200ms\n"
                                                    "  rate_limit: 0\n").start()
        # Record i: minute i of the last two hours; rule critical when i % 4 == 0, else high;
        # host web-(i % 3); source.ip 198.51.100.(i % 5).
        cls.base_ms = (int(time.time()) - 7200) * 1000
        cls.records = []
        lines = []
        for i in range(RECORDS):
            token = "tok-crit" if i % 4 == 0 else "tok-high"
            record = {"i": i, "rule": RULE_CRITICAL if i % 4 == 0 else RULE_HIGH, "host": f"web-{i % 3}",
                      "source": f"198.51.100.{i % 5}", "ms": cls.base_ms + i * 60_000}
            cls.records.append(record)
            lines.append(f'{{{ECS},"@timestamp":"{iso(record["ms"])}","host":{{"name":"{record["host"]}"}},'
                         f'"source":{{"ip":"{record["source"]}"}},"message":"{token} record {i}"}}\n')
        code, body = cls.daemon.curl_input("/ingest", "".join(lines).encode(), "-X", "POST", "--data-binary", "@-")
        assert code == 200, body
        wait_until(lambda: len(stored_alerts(cls.tree.data)) == RECORDS, f"{RECORDS} alerts")

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.tree.cleanup()

    def expected(self, holds):
        """The record numbers the query should answer, newest (highest time) first."""
        return [r["i"] for r in sorted(self.records, key=lambda r: -r["ms"]) if holds(r)]

    @staticmethod
    def numbers(alerts):
        return [int(a["evidence"][0]["fields"]["message"].rsplit(" ", 1)[1]) for a in alerts]

    def api(self, **params):
        code, body = self.daemon.curl("/api/v1/alerts?" + urllib.parse.urlencode(params))
        self.assertEqual(code, 200, body)
        return json.loads(body)

    def check_both(self, holds, **params):
        """The CLI and the API give the same answer, the one the records predict (alerts after
        the records, made by other tests, are left out by `until`)."""
        params.setdefault("until", iso(self.base_ms + RECORDS * 60_000))
        cli_args = []
        for name, value in params.items():
            cli_args += [f"--{name}", str(value)]
        want = self.expected(holds)
        self.assertEqual(self.numbers(stored_alerts(self.tree.data, *cli_args)), want, params)
        page = self.api(limit=1000, **params)
        self.assertEqual(self.numbers(page["alerts"]), want, params)
        self.assertIsNone(page["next_cursor"])

    def test_every_filter_alone_and_combined(self):
        self.check_both(lambda r: True)
        self.check_both(lambda r: r["rule"] == RULE_CRITICAL, rule=RULE_CRITICAL)
        self.check_both(lambda r: r["rule"] == RULE_CRITICAL, level="critical")
        self.check_both(lambda r: True, level="high,critical")
        self.check_both(lambda r: False, level="low")
        self.check_both(lambda r: True, status="new")
        self.check_both(lambda r: False, status="closed")
        self.check_both(lambda r: r["host"] == "web-2", host="web-2")
        self.check_both(lambda r: r["source"] == "198.51.100.3", source="198.51.100.3")
        # The sender (curl on loopback) is a source too: every alert.
        self.check_both(lambda r: True, source="127.0.0.1")
        since, until = self.base_ms + 10 * 60_000, self.base_ms + 40 * 60_000
        self.check_both(lambda r: since <= r["ms"] < until, since=iso(since), until=iso(until))
        self.check_both(lambda r: r["host"] == "web-1" and r["source"] == "198.51.100.4" and
                        r["rule"] == RULE_HIGH and since <= r["ms"],
                        host="web-1", source="198.51.100.4", level="high", since=iso(since))

    def test_pages_by_cursor_while_alerts_arrive(self):
        seen, cursor, pages = [], None, 0
        extra = 0
        while True:
            params = {"limit": 7, "host": "web-0"}
            if cursor:
                params["cursor"] = cursor
            page = self.api(**params)
            pages += 1
            seen += self.numbers(page["alerts"])
            # A newer alert for the same host arrives between pages: never in a later page.
            line = (f'{{{ECS},"host":{{"name":"web-0"}},"message":"tok-high late {extra} 9999{extra}"}}\n')
            extra += 1
            code, _ = self.daemon.curl_input("/ingest", line.encode(), "-X", "POST", "--data-binary", "@-")
            self.assertEqual(code, 200)
            cursor = page["next_cursor"]
            if cursor is None:
                break
        want = self.expected(lambda r: r["host"] == "web-0")
        self.assertEqual(seen, want)
        self.assertEqual(pages, (len(want) + 6) // 7)

    def test_one_alert_by_id_with_its_evidence(self):
        newest = self.api(limit=1, rule=RULE_CRITICAL)
        self.assertEqual(len(newest["alerts"]), 1)
        self.assertIsNotNone(newest["next_cursor"])
        alert = newest["alerts"][0]
        code, body = self.daemon.curl(f"/api/v1/alerts/{alert['id']}")
        self.assertEqual(code, 200, body)
        self.assertEqual(json.loads(body), alert)
        self.assertEqual(schema_errors(alert, ALERT_SCHEMA), [])
        self.assertEqual(alert["evidence"][0]["fields"]["source.ip"], "198.51.100.1")
        _, out, _ = vigil("alerts", "--data-dir", str(self.tree.data), alert["id"])
        self.assertEqual(json.loads(out), alert)
        self.assertEqual(self.daemon.curl("/api/v1/alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV")[0], 404)
        code, body = self.daemon.curl("/api/v1/alerts/not-an-id")
        self.assertEqual((code, json.loads(body)["error"]), (400, "'not-an-id' is not an alert id"))

    def test_a_bad_filter_is_a_400_naming_it_and_the_cli_says_the_same(self):
        code, body = self.daemon.curl("/api/v1/alerts?level=severe")
        self.assertEqual(code, 400)
        self.assertEqual(json.loads(body)["error"],
                         "level: 'severe' is none of informational, low, medium, high, critical")
        code, _, err = vigil("alerts", "--data-dir", str(self.tree.data), "--level", "severe", check=False)
        self.assertEqual(code, 2)
        self.assertIn("vigil alerts: --level: 'severe' is none of", err)
        code, body = self.daemon.curl("/api/v1/alerts?hots=web-1")
        self.assertEqual(code, 400)
        self.assertIn("unknown parameter 'hots'", body)

    def test_retention_deletes_alerts_older_than_max_age(self):
        old_ms = int(time.time() * 1000) - 40 * 86_400_000
        marker = uuid.uuid4().hex[:8]
        line = f'{{{ECS},"@timestamp":"{iso(old_ms)}","message":"tok-high old {marker} 1"}}\n'
        before = self.daemon.metric("vigil_alerts_expired_total", reason="age")
        code, _ = self.daemon.curl_input("/ingest", line.encode(), "-X", "POST", "--data-binary", "@-")
        self.assertEqual(code, 200)
        # Stored (the write is acknowledged), then deleted by the next retention pass.
        wait_until(lambda: self.daemon.metric("vigil_alerts_expired_total", reason="age") == before + 1,
                   "the 40-day-old alert expired")
        self.assertEqual([a for a in stored_alerts(self.tree.data) if marker in a["evidence"][0]["fields"]["message"]],
                         [])
        self.assertGreater(self.daemon.metric("vigil_alert_store_bytes"), 0)
        # The log says why, and how to keep alerts of old logs.
        self.assertIn("alert retention deleted 1 alerts about events older than alerts.max_age (30d; "
                      "0s keeps alerts of any age", self.daemon.log())


if __name__ == "__main__":
    unittest.main()
