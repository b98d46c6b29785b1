#!/usr/bin/env python3
"""Reports (issue 17): `vigil report` and GET /api/v1/reports against a running vigild whose
store holds known incidents of two customers over the last complete week, the week before and
today: each KPI, the period's boundaries (its first and last millisecond in, the next day out),
the comparison with the previous week, lifecycle steps taken through the API and the CLI, the
tenant binding of read tokens, the three formats (JSON validated by ajv against
schemas/report.schema.json; Markdown and HTML keep a planted tag as text), and the errors of
wrong parameters."""

import json
import os
import pathlib
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ECS, SOURCE_DIR, TempTree, Vigild, firewall_rule, stored_alerts,  # noqa: E402
                           tenants_section, vigil, wait_until)

DENY = "17171717-0001-4001-8001-000000000017"   # high -> grade II
MAL = "17171717-0002-4002-8002-000000000017"    # critical -> grade I, tagged report.outbreak
LOW = "17171717-0003-4003-8003-000000000017"    # low -> grade IV
WRITE = "write-reports"
TOKENS = {"acme": ("acme-ingest", "acme-read"), "globex": ("globex-ingest", "globex-read")}
PLANTED = "<img src=x onerror=alert(1)>"
DAY_MS = 86_400_000


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def day_text(ms):
    return time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.tree.add_rule("deny.yml", firewall_rule(DENY, "tok-deny", "high", "Denied connection"))
        cls.tree.add_rule("mal.yml", firewall_rule(MAL, "tok-mal", "critical", "Malware seen",
                                                   extra="tags: [report.outbreak]\n"))
        cls.tree.add_rule("low.yml", firewall_rule(LOW, "tok-low", "low", "Low noise"))
        cls.daemon = Vigild(cls.tree, http_extra=f"  api_write_token: {WRITE}\n",
                            extra_config=tenants_section(TOKENS)).start()
        # The last complete week: its last day is yesterday (UTC).
        today_ms = int(time.time() * 1000) // DAY_MS * DAY_MS
        cls.until = day_text(today_ms - DAY_MS)
        cls.first_ms = today_ms - 7 * DAY_MS
        tuesday = cls.first_ms + DAY_MS + 10 * 3_600_000
        cls.acme = [
            # (time, message, host, source.ip, malware)
            (cls.first_ms, "tok-deny first ms", "fw-1", "203.0.113.9", None),
            (tuesday, "tok-mal a", "pc-1", "10.0.0.5", "WannaCry"),
            (tuesday + 60_000, "tok-mal b", "pc-2", "10.0.0.5", "WannaCry"),
            (tuesday + 120_000, "tok-mal c", "pc-3", "10.0.0.5", "Emotet"),
            (tuesday + 180_000, "tok-mal d", PLANTED, "10.0.0.6", "WannaCry"),
            (today_ms - 1, "tok-low last ms", "pc-4", "198.51.100.7", None),
            (today_ms, "tok-deny today", "fw-1", "203.0.113.9", None),           # not in the week
            (cls.first_ms - 1, "tok-deny week before", "fw-1", "203.0.113.9", None),  # previous
        ]
        cls.globex = [(cls.first_ms + 2 * DAY_MS, "tok-deny globex", "gx-1", "192.0.2.50", None)]
        for tenant, records in (("acme", cls.acme), ("globex", cls.globex)):
            lines = []
            for ms, message, host, source, malware in records:
                extra = f',"malware":{{"name":"{malware}"}}' if malware else ""
                lines.append(json.dumps({"@timestamp": iso(ms), "host": {"name": host},
                                         "source": {"ip": source}, "message": message})[:-1]
                             + "," + ECS + extra + "}\n")
            code, body = cls.daemon.curl_input("/ingest", "".join(lines).encode(), "-X", "POST",
                                               "--data-binary", "@-",
                                               "-H", f"Authorization: Bearer {TOKENS[tenant][0]}")
            assert code == 200, body
        wait_until(lambda: len(stored_alerts(cls.tree.data)) == len(cls.acme) + len(cls.globex),
                   "every planted alert stored")
        cls.alerts = {a["evidence"][0]["fields"]["message"]: a for a in stored_alerts(cls.tree.data)}
        # Lifecycle: the first deny acknowledged through the API, the low one closed with the CLI.
        code, text = cls.step(cls.alerts["tok-deny first ms"]["id"], "acknowledged")
        assert code == 200, text
        vigil("alerts", "close", cls.alerts["tok-low last ms"]["id"], "--note", "noise",
                            "--config", str(cls.daemon.config),
                            "--url", f"http://127.0.0.1:{cls.daemon.http_port}")

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.tree.cleanup()

    @classmethod
    def step(cls, alert_id, status):
        return cls.daemon.curl_input(f"/api/v1/alerts/{alert_id}/status",
                                     json.dumps({"status": status, "actor": "alice"}).encode(),
                                     "-X", "POST", "--data-binary", "@-",
                                     "-H", f"Authorization: Bearer {WRITE}")

    def cli_report(self, *args, check=True):
        return vigil("report", "--data-dir", str(self.tree.data), *args, check=check)

    def api_report(self, token, **params):
        result = subprocess.run(
            ["curl", "-sS", "-D", "-", "-H", f"Authorization: Bearer {token}",
             f"http://127.0.0.1:{self.daemon.http_port}/api/v1/reports?" + urllib.parse.urlencode(params)],
            check=True, capture_output=True, text=True, timeout=30)
        head, _, body = result.stdout.partition("\n\n")  # (text mode turns CRLF into LF)
        status = int(head.split()[1])
        headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
                   for line in head.split("\n")[1:] if ":" in line}
        return status, headers, body

    def validate(self, report):
        result = subprocess.run(["node", str(SOURCE_DIR / "tests" / "node" / "validate_alerts.js"),
                                 str(SOURCE_DIR / "schemas" / "report.schema.json")],
                                input=json.dumps(report) + "\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(json.loads(result.stdout)["invalid"], [], result.stdout + result.stderr)

    def test_1_weekly_report_of_one_tenant(self):
        _, out, _ = self.cli_report("--period", "week", "--until", self.until, "--tenant", "acme",
                                    "--format", "json")
        r = json.loads(out)
        self.validate(r)
        self.assertEqual(r["tenant"], "acme")
        self.assertEqual((r["period"]["first_day"], r["period"]["last_day"]),
                         (day_text(self.first_ms), self.until))
        t = r["totals"]
        # In the week: the deny of its first millisecond, four malware, the low of its last.
        self.assertEqual(t["incidents"], 6)
        self.assertEqual(t["by_grade"], {"I": 4, "II": 1, "III": 0, "IV": 1})
        self.assertEqual(t["closed"], 1)
        self.assertAlmostEqual(t["closure_rate"], 1 / 6, places=6)
        self.assertEqual(t["escalations"], 0)
        self.assertEqual(r["previous"]["incidents"], 1)
        self.assertEqual(r["previous"]["by_grade"], {"I": 0, "II": 1, "III": 0, "IV": 0})
        days = r["per_day"]
        self.assertEqual(len(days), 7)
        self.assertEqual([d["day"] for d in days][0], day_text(self.first_ms))
        self.assertEqual([(d["I"], d["II"], d["III"], d["IV"]) for d in days],
                         [(0, 1, 0, 0), (4, 0, 0, 0)] + [(0, 0, 0, 0)] * 4 + [(0, 0, 0, 1)])
        top = r["top"]
        self.assertEqual([(x["value"], x["count"], x["title"]) for x in top["rules"]],
                         [(MAL, 4, "Malware seen"), (DENY, 1, "Denied connection"), (LOW, 1, "Low noise")])
        self.assertEqual([(x["value"], x["count"]) for x in top["malware"]], [("WannaCry", 3), ("Emotet", 1)])
        self.assertEqual([(x["value"], x["count"]) for x in top["infection_sources"]],
                         [("10.0.0.5", 3), ("10.0.0.6", 1)])
        self.assertEqual(sorted(x["value"] for x in top["infected_hosts"]), sorted(["pc-1", "pc-2", "pc-3", PLANTED]))
        self.assertEqual([(x["value"], x["count"]) for x in top["source_addresses"]],
                         [("10.0.0.5", 3), ("10.0.0.6", 1), ("198.51.100.7", 1), ("203.0.113.9", 1)])
        self.assertEqual(r["outbreaks"]["count"], 4)
        self.assertEqual(r["outbreaks"]["alerts"][0]["id"], self.alerts["tok-mal d"]["id"])  # newest first
        self.assertEqual((r["protection_offline"]["count"], r["definitions_out_of_date"]["count"]), (0, 0))
        # SLA: the deny acknowledged at once (met; contain pending, its hour not over), the low
        # one closed (both met); the four grade I incidents untouched within their deadlines.
        sla = r["sla"]
        self.assertEqual((sla["II"]["acknowledge"]["met"], sla["II"]["contain"]["pending"]), (1, 1))
        self.assertEqual((sla["IV"]["acknowledge"]["met"], sla["IV"]["contain"]["met"]), (1, 1))
        self.assertEqual((sla["I"]["acknowledge"]["pending"], sla["I"]["contain"]["pending"]), (4, 4))
        self.assertIsNotNone(sla["II"]["acknowledge"]["median_ms"])
        self.assertLess(sla["II"]["acknowledge"]["median_ms"], 600_000)
        self.assertIsNone(sla["I"]["acknowledge"]["median_ms"])
        self.assertEqual((t["sla_met"], t["sla_missed"]), (3, 0))
        self.assertEqual(r["open"]["count"], 5)
        self.assertEqual(r["unreadable"], 0)

    def test_2_the_api_answers_the_same_report_and_binds_tenant_tokens(self):
        _, out, _ = self.cli_report("--period", "week", "--until", self.until, "--tenant", "acme",
                                    "--format", "json")
        cli = json.loads(out)
        status, headers, body = self.api_report(TOKENS["acme"][1], period="week", until=self.until)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "application/json")
        api = json.loads(body)
        for key in ("tenant", "period", "totals", "previous", "per_day", "top", "outbreaks"):
            self.assertEqual(api[key], cli[key], key)
        status, _, body = self.api_report(TOKENS["acme"][1], period="week", until=self.until, tenant="globex")
        self.assertEqual(status, 403, body)
        status, _, body = self.api_report(TOKENS["globex"][1], period="week", until=self.until)
        self.assertEqual((status, json.loads(body)["totals"]["incidents"]), (200, 1))
        # The write token sees every tenant.
        status, _, body = self.api_report(WRITE, period="week", until=self.until)
        everyone = json.loads(body)
        self.assertEqual((status, everyone["tenant"], everyone["totals"]["incidents"]), (200, None, 7))
        self.assertEqual(everyone["per_day"][2]["II"], 1)  # globex's deny
        status, _, body = self.api_report("wrong-token", period="week")
        self.assertEqual(status, 401, body)

    def test_3_markdown_and_html_keep_log_text_as_text(self):
        _, md, _ = self.cli_report("--period", "week", "--until", self.until, "--tenant", "acme")
        self.assertTrue(md.startswith(f"# Weekly security report: acme, {day_text(self.first_ms)} to {self.until} (UTC)"), md[:200])
        self.assertIn("| incidents | 6 | 1 | +5 |", md)
        self.assertNotIn(PLANTED, md)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", md)
        status, headers, html = self.api_report(TOKENS["acme"][1], period="week", until=self.until, format="html")
        self.assertEqual(status, 200, html)
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertIn("default-src 'none'", headers["content-security-policy"])
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertNotIn(PLANTED, html)
        self.assertNotIn("<script", html)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        for chart in ("chart-per-day", "chart-sla", "chart-top-rules", "chart-top-malware"):
            self.assertIn(f'id="{chart}"', html)
        _, day_md, _ = self.cli_report("--period", "day", "--until", self.until, "--tenant", "acme",
                                       "--format", "md")
        self.assertIn(f"# Daily security report: acme, {self.until} (UTC)", day_md)
        self.assertIn("| incidents | 1 | 0 | +1 |", day_md)  # the low one, its last millisecond

    def test_5_the_html_report_renders_in_chromium(self):
        # Debian's chromium, driven by puppeteer-core, loads the weekly report from the API with
        # acme's token: no console error, no request beyond the page, no planted script run,
        # every chart drawn; the screenshot and the PDF go to the CI artifacts.
        artifacts = pathlib.Path(os.environ.get("VIGIL_ARTIFACTS_DIR", self.tree.root))
        artifacts.mkdir(parents=True, exist_ok=True)
        url = (f"http://127.0.0.1:{self.daemon.http_port}/api/v1/reports?"
               + urllib.parse.urlencode({"period": "week", "until": self.until, "format": "html"}))
        shot, pdf = artifacts / "weekly-report.png", artifacts / "weekly-report.pdf"
        result = subprocess.run(["node", str(SOURCE_DIR / "tests" / "node" / "report_page.js"), url,
                                 TOKENS["acme"][1], str(shot), str(pdf)],
                                capture_output=True, text=True, timeout=90)
        self.assertEqual(result.returncode, 0, result.stderr)
        seen = json.loads(result.stdout)
        self.assertEqual(seen["status"], 200)
        self.assertEqual(seen["console_errors"], [])
        self.assertEqual(seen["requests"], [])
        self.assertEqual(seen["scripts_run"], 0)
        self.assertEqual(seen["tenant"], "acme")
        self.assertTrue(seen["period"].startswith(f"{day_text(self.first_ms)} to {self.until}"), seen)
        charts = seen["charts"]
        self.assertEqual(charts["chart-per-day"], 3)       # Monday II, Tuesday I, Sunday IV
        self.assertEqual(charts["chart-top-rules"], 3)
        self.assertEqual(charts["chart-top-malware"], 2)
        self.assertEqual(charts["chart-top-infected-hosts"], 4)
        self.assertGreater(charts["chart-sla"], 0)
        self.assertGreater(shot.stat().st_size, 10_000)
        self.assertGreater(seen["pdf_bytes"], 10_000)

    def test_4_wrong_parameters_are_refused_with_the_reason(self):
        for args, reason in ((["--until", self.until], "vigil report: --period is missing (day, week or month)"),
                             (["--period", "year"], "vigil report: --period 'year' is not day, week or month"),
                             (["--period", "day", "--until", "2026-02-30"],
                              "vigil report: --until '2026-02-30' is not a date (YYYY-MM-DD)"),
                             (["--period", "day", "--format", "pdf"],
                              "vigil report: --format 'pdf' is not md, html or json")):
            code, out, err = self.cli_report(*args, check=False)
            self.assertEqual((code, err.strip()), (2, reason), out)
        status, _, body = self.api_report(WRITE, period="fortnight")
        self.assertEqual(status, 400, body)
        self.assertIn("period 'fortnight' is not day, week or month", body)


if __name__ == "__main__":
    unittest.main()
