#!/usr/bin/env python3
"""Web console (issue 17): vigild serves the console at / from its binary, with a
Content-Security-Policy that allows no inline script; Debian's chromium, driven by the npm
package puppeteer-core, signs in with a token (kept in session storage, no cookie), lists the
alerts, filters them by grade, opens one and acknowledges it, which the API then shows; a
log line carrying <script> and an <img onerror> is shown as text and runs nothing; the
console loads without console errors and asks nothing of another origin."""

import json
import os
import pathlib
import subprocess
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import ECS, SOURCE_DIR, TempTree, Vigild, firewall_rule, stored_alerts, wait_until  # noqa: E402

CRITICAL = "18181818-0001-4001-8001-000000000018"  # grade I
HIGH = "18181818-0002-4002-8002-000000000018"      # grade II
WRITE = "write-console"
PLANTED_HOST = '<img src=x onerror="window.__pwned=1">'
PLANTED_MESSAGE = "tok-high <script>window.__pwned=2</script>"


class Console(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.tree.add_rule("critical.yml", firewall_rule(CRITICAL, "tok-crit", "critical", "Critical thing"))
        cls.tree.add_rule("high.yml", firewall_rule(HIGH, "tok-high", "high", "High thing"))
        cls.daemon = Vigild(cls.tree, http_extra=f"  api_write_token: {WRITE}\n").start()
        records = [("web-1", "tok-crit one"), ("web-2", "tok-crit two"), ("web-3", "tok-high three"),
                   (PLANTED_HOST, PLANTED_MESSAGE)]
        lines = "".join(json.dumps({"host": {"name": h}, "message": m})[:-1] + "," + ECS + "}\n"
                        for h, m in records)
        code, body = cls.daemon.curl_input("/ingest", lines.encode(), "-X", "POST", "--data-binary", "@-",
                                           "-H", f"Authorization: Bearer {WRITE}")
        assert code == 200, body
        wait_until(lambda: len(stored_alerts(cls.tree.data)) == len(records), "four alerts")
        cls.alerts = stored_alerts(cls.tree.data)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.tree.cleanup()

    def test_an_analyst_works_an_alert_in_the_browser(self):
        planted = next(a for a in self.alerts if a["host"] == PLANTED_HOST)
        artifacts = pathlib.Path(os.environ.get("VIGIL_ARTIFACTS_DIR", self.tree.root))
        artifacts.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["node", str(SOURCE_DIR / "tests" / "node" / "console_check.js"),
                                 f"http://127.0.0.1:{self.daemon.http_port}", WRITE, planted["id"],
                                 str(artifacts)], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        seen = json.loads(result.stdout)
        self.assertEqual(seen["status"], 200)
        policy = seen["headers"]["content-security-policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertEqual(seen["headers"]["x-content-type-options"], "nosniff")
        self.assertTrue(seen["login_shown"])
        self.assertEqual(seen["console_errors"], [])
        self.assertEqual(seen["foreign_requests"], [])
        self.assertTrue(seen["token_in_session"])
        self.assertEqual(seen["cookies"], 0)
        # The list: every alert, newest first, the planted markup as text.
        self.assertEqual(len(seen["rows"]), 4)
        self.assertEqual(sorted(r[1] for r in seen["rows"]), ["I", "I", "II", "II"])
        self.assertIn(PLANTED_HOST, [r[4] for r in seen["rows"]])
        # Filtered by grade I: the two critical alerts.
        self.assertEqual(sorted(r[4] for r in seen["grade_I_rows"]), ["web-1", "web-2"])
        # The planted alert, acknowledged from the console.
        self.assertEqual(seen["alert_title"], "High thing")
        self.assertEqual([(h[1], h[2], h[3], h[4]) for h in seen["history"]],
                         [("new", "acknowledged", "console", "looking at it from the console")])
        self.assertIn("<script>window.__pwned=2</script>", seen["evidence_text"])
        self.assertEqual(seen["evidence_elements"], 0)
        self.assertEqual(seen["pwned"], 0)
        code, text = self.daemon.curl(f"/api/v1/alerts/{planted['id']}", "-H", f"Authorization: Bearer {WRITE}")
        self.assertEqual((code, json.loads(text)["status"]), (200, "acknowledged"))
        self.assertGreater((artifacts / "console-alerts.png").stat().st_size, 10_000)

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
