#!/usr/bin/env python3
"""Web console (issue 17): vigild serves the console at / from its binary, with a
Content-Security-Policy that allows no inline script. Debian's chromium, driven by the npm
package puppeteer-core, works it as an analyst would:

- signs in with a token (kept in session storage, no cookie) and lists the alerts; an alert
  ingested while the list is open appears without a click (live refresh);
- filters by tenant, grade, status, rule, host and time (since, until), each checked row by
  row against the alerts the test planted;
- opens an alert and acknowledges it with a note, which the API then shows, and the status
  filter then finds;
- shows the report of the day (totals and top rules);
- shows the health panel from the metrics: sources with their rates, the webhook destination
  that delivered every alert, the pipeline's rings, the readiness checks;
- with a tenant's read token: only that tenant's alerts, and the health panel refused (403)
  without losing the sign-in.

A log line carrying <script> and an <img onerror> is shown as text and runs nothing; the
console loads without console errors and asks nothing of another origin."""

import base64
import datetime
import json
import os
import pathlib
import subprocess
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import ECS, SOURCE_DIR, TempTree, Vigild, firewall_rule, stored_alerts, tenants_section, wait_until  # noqa: E402
from webhook_receiver import Receiver  # noqa: E402

CRITICAL = "18181818-0001-4001-8001-000000000018"  # grade I
HIGH = "18181818-0002-4002-8002-000000000018"      # grade II
WRITE = "write-console"
TENANTS = {"acme": ("acme-ingest", "acme-read"), "globex": ("globex-ingest", "globex-read")}
SECRET = "whsec_" + base64.b64encode(b"console-test-secret-of-32-bytes!").decode()
PLANTED_HOST = '<img src=x onerror="window.__pwned=1">'
PLANTED_MESSAGE = "tok-high <script>window.__pwned=2</script>"


def ndjson(records):
    return "".join(json.dumps({"host": {"name": h}, "message": m})[:-1] + "," + ECS + "}\n" for h, m in records)


def hosts(rows):
    return sorted(r[4] for r in rows)


class Console(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.tree.add_rule("critical.yml", firewall_rule(CRITICAL, "tok-crit", "critical", "Critical thing"))
        cls.tree.add_rule("high.yml", firewall_rule(HIGH, "tok-high", "high", "High thing"))
        cls.hook = Receiver()
        cls.daemon = Vigild(
            cls.tree, http_extra=f"  api_write_token: {WRITE}\n",
            extra_config=tenants_section(TENANTS) +
                         f"outputs:\n  webhooks:\n    - name: soc-chat\n      url: {cls.hook.url}\n"
                         f"      secret: {SECRET}\n      allow_private: true\n").start()
        # acme: web-1 and web-2 (grade I), the planted one (II); globex: web-3 (II).
        cls.post("acme", [("web-1", "tok-crit one"), ("web-2", "tok-crit two"), (PLANTED_HOST, PLANTED_MESSAGE)])
        cls.post("globex", [("web-3", "tok-high three")])
        wait_until(lambda: len(stored_alerts(cls.tree.data)) == 4, "four alerts")
        cls.alerts = stored_alerts(cls.tree.data)

    @classmethod
    def post(cls, tenant, records):
        code, body = cls.daemon.curl_input("/ingest", ndjson(records).encode(), "-X", "POST", "--data-binary",
                                           "@-", "-H", f"Authorization: Bearer {TENANTS[tenant][0]}")
        assert code == 200, body

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.hook.stop()
        cls.tree.cleanup()

    def drive(self, plan):
        artifacts = pathlib.Path(os.environ.get("VIGIL_ARTIFACTS_DIR", self.tree.root))
        artifacts.mkdir(parents=True, exist_ok=True)
        plan = dict(plan, base=f"http://127.0.0.1:{self.daemon.http_port}", shots=str(artifacts))
        result = subprocess.run(["node", str(SOURCE_DIR / "tests" / "node" / "console_check.js"), json.dumps(plan)],
                                capture_output=True, text=True, timeout=180)
        self.assertEqual(result.returncode, 0, result.stderr)
        seen = json.loads(result.stdout)
        self.assertEqual(seen["status"], 200)
        self.assertTrue(seen["login_shown"])
        self.assertEqual(seen["foreign_requests"], [])
        self.assertTrue(seen["token_in_session"])
        self.assertEqual(seen["cookies"], 0)
        self.assertEqual(seen["pwned"], 0)
        return seen, artifacts

    def test_an_analyst_works_an_alert_in_the_browser(self):
        planted = next(a for a in self.alerts if a["host"] == PLANTED_HOST)
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        seen, artifacts = self.drive({
            "token": WRITE, "shot_prefix": "console",
            "live_ingest": {"token": TENANTS["acme"][0], "body": ndjson([("web-4", "tok-high four")])},
            "filters": [
                {"name": "tenant globex", "set": {"tenant": "globex"}},
                {"name": "grade I", "set": {"grade": "I"}},
                {"name": "rule high", "set": {"rule": HIGH}},
                {"name": "host web-2", "set": {"host": "web-2"}},
                {"name": "acme grade II", "set": {"tenant": "acme", "grade": "II"}},
                {"name": "since an hour", "set": {"since": "1h"}},
                {"name": "until 2001", "set": {"until": "2001-01-01T00:00:00Z"}},
                {"name": "status new", "set": {"status": "new"}},
            ],
            "step": {"alert_id": planted["id"], "status": "acknowledged", "note": "looking at it from the console"},
            "after_step_filters": [{"name": "status acknowledged", "set": {"status": "acknowledged"}}],
            "report": {"period": "day", "until": today},
            "health": {"destination_sent": ["soc-chat", "5"]},
        })
        policy = seen["headers"]["content-security-policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertEqual(seen["headers"]["x-content-type-options"], "nosniff")
        self.assertEqual(seen["console_errors"], [])
        # The list: every alert, the planted markup as text; then the live one without a click.
        self.assertEqual(len(seen["rows"]), 4)
        self.assertEqual(sorted(r[1] for r in seen["rows"]), ["I", "I", "II", "II"])
        self.assertIn(PLANTED_HOST, [r[4] for r in seen["rows"]])
        self.assertEqual(seen["live_ingest_status"], 200)
        self.assertEqual(hosts(seen["live_rows"]), sorted([PLANTED_HOST, "web-1", "web-2", "web-3", "web-4"]))
        # Each filter, row by row (host, then tenant in column 6).
        f = seen["filtered"]
        self.assertEqual([(r[4], r[5]) for r in f["tenant globex"]], [("web-3", "globex")])
        self.assertEqual(hosts(f["grade I"]), ["web-1", "web-2"])
        self.assertEqual(hosts(f["rule high"]), sorted([PLANTED_HOST, "web-3", "web-4"]))
        self.assertEqual(hosts(f["host web-2"]), ["web-2"])
        self.assertEqual(hosts(f["acme grade II"]), sorted([PLANTED_HOST, "web-4"]))
        self.assertEqual(len(f["since an hour"]), 5)
        self.assertEqual(f["until 2001"], [])
        self.assertEqual(len(f["status new"]), 5)
        self.assertEqual([(r[2], r[4]) for r in f["status acknowledged"]], [("acknowledged", PLANTED_HOST)])
        # The planted alert, acknowledged from the console; its markup is text.
        self.assertEqual(seen["alert_title"], "High thing")
        self.assertEqual([(h[1], h[2], h[3], h[4]) for h in seen["history"]],
                         [("new", "acknowledged", "console", "looking at it from the console")])
        self.assertIn("<script>window.__pwned=2</script>", seen["evidence_text"])
        self.assertEqual(seen["evidence_elements"], 0)
        code, text = self.daemon.curl(f"/api/v1/alerts/{planted['id']}", "-H", f"Authorization: Bearer {WRITE}")
        self.assertEqual((code, json.loads(text)["status"]), (200, "acknowledged"))
        # The report of the day.
        report = seen["report"]
        self.assertIn(today, report["heading"])
        totals = {r[0]: r[1] for r in report["tables"][0]["rows"]}
        self.assertEqual((totals["incidents"], totals["grade I"], totals["grade II"]), ("5", "2", "3"))
        top_rules = next(t for t in report["tables"] if t["title"] == "Top rules")["rows"]
        self.assertEqual(sorted(map(tuple, top_rules)), [("Critical thing", "2"), ("High thing", "3")])
        # The health panel: five records over HTTP /ingest, the webhook destination took all five
        # alerts (the receiver agrees), a rate per second once a second answer came.
        self.assertEqual(len(set(self.hook.delivered())), 5)
        health = seen["health"]
        self.assertEqual(health["first"]["status"], "ready")
        self.assertTrue(all(c[1] == "ready" for c in health["first"]["checks"]), health["first"]["checks"])
        sources = {r[0]: r for r in health["second"]["sources"]}
        self.assertEqual(sources["http"][1], "5")
        float(sources["http"][2])  # a rate, not the placeholder of the first answer
        self.assertEqual(health["first"]["sources"][0][2], "…")
        destinations = {r[0]: r for r in health["second"]["destinations"]}
        self.assertEqual(destinations["soc-chat"][1], "5")
        self.assertEqual(destinations["soc-chat"][6], "0")  # queue depth
        rings = {(r[0], r[1]) for r in health["second"]["queues"]}
        self.assertIn(("worker_input", "0"), rings)
        self.assertIsNone(health["second"]["kafka"])  # no Kafka source, no table
        totals = {r[0]: r[1] for r in health["second"]["totals"]}
        self.assertEqual((totals["alerts stored"], totals["rules loaded"]), ("5", "2"))
        for shot in ("console-alerts.png", "console-alert.png", "console-report.png", "console-health.png"):
            self.assertGreater((artifacts / shot).stat().st_size, 10_000, shot)

    def test_a_tenant_token_sees_its_tenant_only(self):
        seen, _ = self.drive({"token": TENANTS["globex"][1], "shot_prefix": "console-globex", "health": {},
                              "filters": [{"name": "grade I", "set": {"grade": "I"}}]})
        self.assertEqual([(r[4], r[5]) for r in seen["rows"]], [("web-3", "globex")])
        self.assertEqual(seen["filtered"]["grade I"], [])
        # The health panel is not a tenant's: refused (403), and the analyst stays signed in.
        self.assertIn("tenant's read token", seen["health"]["error"])
        self.assertTrue(seen["health"]["signed_in"])
        # Chromium logs the refused request itself; nothing else went wrong.
        self.assertEqual([e for e in seen["console_errors"] if "403" not in e], [])

    def test_the_console_files_and_their_policy(self):
        for path, media in (("/", "text/html"), ("/console/console.js", "text/javascript"),
                            ("/console/console.css", "text/css")):
            result = subprocess.run(["curl", "-sS", "-D", "-", "-o", "/dev/null",
                                     f"http://127.0.0.1:{self.daemon.http_port}{path}"],
                                    capture_output=True, text=True, check=True, timeout=10)
            head = result.stdout.lower()
            self.assertIn(" 200", head.splitlines()[0], path)
            self.assertIn(f"content-type: {media}", head, path)
            self.assertIn("content-security-policy: default-src 'none'; script-src 'self'", head, path)
        code, _ = self.daemon.curl("/console/nothing.js")
        self.assertEqual(code, 404)
        # The page itself holds no inline script: every script comes from /console/.
        code, page = self.daemon.curl("/")
        self.assertEqual(code, 200)
        self.assertIn('<script src="/console/console.js" defer></script>', page)
        self.assertEqual(page.count("<script"), 1)


if __name__ == "__main__":
    unittest.main()
