#!/usr/bin/env python3
"""Incidents (issue 16): every alert carries its grade, response level and SLA deadlines from
incidents.sla; analysts move it through its lifecycle with POST /api/v1/alerts/{id}/status
(write token) or `vigil alerts ack|contain|...|close|reopen ID --note ...`; each step keeps
actor, time and note in the alert's history; an invalid step is refused with the reason; SLA
met or missed is decided at the step that meets a deadline; a later state of a suppressed
alert (count 2) keeps its lifecycle; all of it survives a restart and validates against
schemas/alert.schema.json under ajv."""

import base64
import json
import pathlib
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ECS, TempTree, Vigild, firewall_rule, rfc3339_ms,  # noqa: E402
                           stored_alerts, validate_with_ajv, vigil, wait_until)
from webhook_receiver import Receiver  # noqa: E402

READ, WRITE = "read-token-16", "write-token-16"
HIGH = "61616161-1111-4111-8111-161616161616"    # level high: grade II on a default asset
LOW = "62626262-2222-4222-8222-161616161616"     # level low: grade IV
STORM = "63636363-3333-4333-8333-161616161616"   # suppressed by host
SECRET = "whsec_" + base64.b64encode(b"incident-lifecycle-test-secret!!").decode()
NOTIFY_MS = 3000  # incidents.sla.II.notify: short, so a test can miss it
ASSETS = """assets:
  - name: payroll database
    hosts: [pay-db]
    networks: [10.1.2.0/24]
    owner: finance IT
    zone: datacenter
    criticality: {criticality}
"""


class IncidentLifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.assets = cls.tree.root / "assets"
        cls.assets.mkdir()
        (cls.assets / "acme.yaml").write_text(ASSETS.format(criticality=1))
        cls.tree.add_rule("high.yml", firewall_rule(HIGH, "tok-high", level="high"))
        cls.tree.add_rule("low.yml", firewall_rule(LOW, "tok-low", level="low"))
        cls.tree.add_rule("storm.yml", firewall_rule(STORM, "tok-storm", level="high",
                                                     extra="suppress:\n  by: [host.name]\n  for: 1h\n"))
        # Two chat destinations; only the on-call one subscribes to escalations.
        cls.oncall, cls.chat = Receiver(), Receiver()
        hooks = "".join(f"    - name: {name}\n      url: {r.url}\n      secret: {SECRET}\n"
                        f"      allow_private: true\n{extra}"
                        for name, r, extra in (("oncall", cls.oncall, "      escalations: true\n"),
                                               ("chat", cls.chat, "")))
        cls.daemon = Vigild(
            cls.tree, http_extra=f"  api_read_token: {READ}\n  api_write_token: {WRITE}\n  metrics_token: m16\n",
            extra_config=f"outputs:\n  webhooks:\n{hooks}"
                         "correlation:\n  idle_timeout: 1s\n  allowed_lateness: 1s\n"
                         f"incidents:\n  assets_dir: {cls.assets}\n  escalation_interval: 200ms\n  sla:\n    II: {{notify: 3s, contain: 1h, response_level: 2}}\n").start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.oncall.stop()
        cls.chat.stop()
        cls.tree.cleanup()

    def post_events(self, *messages, host="web-1"):
        lines = "".join(f'{{{ECS},"host":{{"name":"{host}"}},"message":"{m}"}}\n' for m in messages)
        code, body = self.daemon.curl_input("/ingest", lines.encode(), "-X", "POST", "--data-binary", "@-")
        self.assertEqual(code, 200, body)

    def alerts_of(self, rule, count):
        found = []

        def enough():
            found[:] = stored_alerts(self.tree.data, "--rule", rule)
            return len(found) >= count
        wait_until(enough, f"{count} alert(s) of rule {rule}")
        return found

    def step(self, alert_id, body, token=WRITE):
        code, text = self.daemon.curl_input(f"/api/v1/alerts/{alert_id}/status", json.dumps(body).encode(),
                                            "-X", "POST", "--data-binary", "@-",
                                            "-H", f"Authorization: Bearer {token}")
        return code, text

    def cli(self, *args):
        # The configuration listens on port 0: the CLI is told where vigild is.
        return vigil("alerts", *args, "--config", str(self.daemon.config),
                     "--url", f"http://127.0.0.1:{self.daemon.http_port}", check=False)

    def get(self, alert_id):
        code, text = self.daemon.curl(f"/api/v1/alerts/{alert_id}", "-H", f"Authorization: Bearer {READ}")
        self.assertEqual(code, 200, text)
        return json.loads(text)

    def escalation_of(self, alert_id, deadline_s=30):
        """The escalation alert of `alert_id`, once there is one (exactly one)."""
        found = []

        def escalated():
            found[:] = [a for a in stored_alerts(self.tree.data)
                        if a.get("escalation", {}).get("alert") == alert_id]
            return found
        wait_until(escalated, f"an escalation of {alert_id}", deadline=deadline_s)
        self.assertEqual(len(found), 1)
        return found[0]

    def test_1_alerts_carry_grade_response_level_and_deadlines(self):
        self.post_events("tok-high one", "tok-low one")
        high = self.alerts_of(HIGH, 1)[0]
        low = self.alerts_of(LOW, 1)[0]
        created = rfc3339_ms(high["created_at"])
        self.assertEqual((high["grade"], high["response_level"], high["status"], high["history"]), ("II", 2, "new", []))
        self.assertEqual(rfc3339_ms(high["sla"]["notify_by"]) - created, NOTIFY_MS)
        self.assertEqual(rfc3339_ms(high["sla"]["contain_by"]) - created, 3_600_000)
        self.assertEqual((high["sla"]["notify"], high["sla"]["contain"]), ("pending", "pending"))
        # Grade IV keeps the contract's defaults: notify within 1 hour, contain within 4.
        created = rfc3339_ms(low["created_at"])
        self.assertEqual((low["grade"], low["response_level"]), ("IV", 4))
        self.assertEqual(rfc3339_ms(low["sla"]["notify_by"]) - created, 3_600_000)
        self.assertEqual(rfc3339_ms(low["sla"]["contain_by"]) - created, 4 * 3_600_000)

    def test_2_the_lifecycle_through_the_cli_and_the_api(self):
        self.post_events("tok-low two")
        alert = [a for a in self.alerts_of(LOW, 2) if a["status"] == "new"][0]
        aid = alert["id"]
        code, out, err = self.cli("ack", aid, "--note", "looking at it", "--actor", "alice")
        self.assertEqual(code, 0, err)
        self.assertIn("new -> acknowledged by alice", out)
        self.assertIn("notify met", out)
        code, text = self.step(aid, {"status": "contained", "note": "host isolated", "actor": "bob"})
        self.assertEqual(code, 200, text)
        now = json.loads(text)
        self.assertEqual((now["status"], now["sla"]["notify"], now["sla"]["contain"]), ("contained", "met", "met"))
        # Refused steps: the reason, and nothing changes.
        code, text = self.step(aid, {"status": "acknowledged"})
        self.assertEqual(code, 409, text)
        self.assertIn("the alert is contained; it cannot go back to acknowledged", text)
        code, out, err = self.cli("reopen", aid)
        self.assertEqual(code, 1)
        self.assertIn("only a closed or false-positive alert can be reopened", err)
        code, text = self.step(aid, {"status": "resolved"})
        self.assertEqual((code, "unknown status 'resolved'" in text), (409, True), text)
        # Only the write token may change an alert; bad requests are told what is wrong.
        code, text = self.step(aid, {"status": "closed"}, token=READ)
        self.assertEqual(code, 401, text)  # the read token is not a write token
        code, text = self.step("01KBVQ8Z3W5M2X9Y7T4R6P1N0C", {"status": "closed"})
        self.assertEqual(code, 404, text)
        code, text = self.step(aid, {"state": "closed"})
        self.assertEqual(code, 400, text)
        self.assertIn("unknown member 'state'", text)
        for verb in ("eradicate", "recover", "close"):
            code, out, err = self.cli(verb, aid, "--note", verb + "d", "--actor", "carol")
            self.assertEqual(code, 0, err)
        code, out, err = self.cli("reopen", aid, "--note", "it came back", "--actor", "dave")
        self.assertEqual(code, 0, err)
        code, out, err = self.cli("false-positive", aid, "--actor", "dave")
        self.assertEqual(code, 0, err)
        stored = self.get(aid)
        self.assertEqual(stored["status"], "false_positive")
        steps = [(s["from"], s["to"], s["actor"], s.get("note")) for s in stored["history"]]
        self.assertEqual(steps, [
            ("new", "acknowledged", "alice", "looking at it"),
            ("acknowledged", "contained", "bob", "host isolated"),
            ("contained", "eradicated", "carol", "eradicated"),
            ("eradicated", "recovered", "carol", "recoverd"),
            ("recovered", "closed", "carol", "closed"),
            ("closed", "reopened", "dave", "it came back"),
            ("reopened", "false_positive", "dave", None),
        ])
        times = [rfc3339_ms(s["at"]) for s in stored["history"]]
        self.assertEqual(times, sorted(times))
        # The status index answers for the new status.
        listed = stored_alerts(self.tree.data, "--status", "false_positive")
        self.assertEqual([a["id"] for a in listed], [aid])

    def test_3_a_missed_notify_deadline_is_recorded_as_missed(self):
        self.post_events("tok-high late")
        alert = [a for a in self.alerts_of(HIGH, 2) if a["status"] == "new" and "late" in json.dumps(a["evidence"])][0]
        deadline = rfc3339_ms(alert["sla"]["notify_by"])
        # The deadline passes unacknowledged: an escalation alert, shown on the alert, sent to
        # the destination that subscribes to escalations and to no other.
        escalated = self.escalation_of(alert["id"])
        self.assertEqual((escalated["escalation"]["deadline"], escalated["escalation"]["status"]), ("notify", "new"))
        self.assertEqual((escalated["grade"], escalated["rule"]["id"]), ("II", HIGH))
        self.assertGreaterEqual(rfc3339_ms(escalated["created_at"]), deadline)
        shown = self.get(alert["id"])["escalations"]
        self.assertEqual([(e["deadline"], e["alert"]) for e in shown], [("notify", escalated["id"])])
        wait_until(lambda: escalated["id"] in self.oncall.delivered(), "the escalation at the on-call destination")
        self.assertIn(alert["id"], self.chat.delivered())  # the alert itself went to both
        self.assertNotIn(escalated["id"], self.chat.delivered())
        code, text = self.step(alert["id"], {"status": "acknowledged", "actor": "erin"})
        self.assertEqual(code, 200, text)
        now = json.loads(text)
        self.assertEqual(now["sla"]["notify"], "missed")
        self.assertGreater(rfc3339_ms(now["sla"]["notified_at"]), deadline)
        self.assertEqual(now["sla"]["contain"], "pending")
        self.assertGreaterEqual(self.daemon.metric("vigil_escalations_total", deadline="notify"), 1)

    def test_4_a_suppressed_alert_keeps_its_lifecycle_when_its_count_grows(self):
        self.post_events("tok-storm 1", host="db-1")
        alert = self.alerts_of(STORM, 1)[0]
        code, text = self.step(alert["id"], {"status": "acknowledged", "actor": "frank"})
        self.assertEqual(code, 200, text)
        self.post_events("tok-storm 2", "tok-storm 3", host="db-1")
        grown = []

        def counted():
            grown[:] = stored_alerts(self.tree.data, "--rule", STORM)
            return grown and grown[0]["count"] == 3
        wait_until(counted, "the suppressed alert to count 3")
        self.assertEqual(len(grown), 1)
        self.assertEqual((grown[0]["status"], len(grown[0]["history"])), ("acknowledged", 1))
        self.assertEqual(grown[0]["history"][0]["actor"], "frank")

    def test_5_assets_grade_alerts_and_reload_with_the_rules(self):
        self.post_events("tok-high on the payroll database", host="pay-db")

        def on_payroll(count):
            found = []

            def enough():
                found[:] = stored_alerts(self.tree.data, "--rule", HIGH, "--host", "pay-db")
                return len(found) >= count
            wait_until(enough, f"{count} alert(s) about pay-db")
            return found
        first = on_payroll(1)
        # A high rule on a criticality-1 asset: grade I, response level 1.
        self.assertEqual((first[0]["grade"], first[0]["response_level"]), ("I", 1))
        self.assertEqual(first[0]["asset"], {"name": "payroll database", "owner": "finance IT",
                                             "zone": "datacenter", "criticality": 1})
        (self.assets / "acme.yaml").write_text(ASSETS.format(criticality=4))
        code, out, err = vigil("rules", "reload", "--config", str(self.daemon.config),
                               "--url", f"http://127.0.0.1:{self.daemon.http_port}", check=False)
        self.assertEqual(code, 0, out + err)
        self.post_events("tok-high again", host="pay-db")
        both = on_payroll(2)
        newest = both[0]
        self.assertEqual((newest["grade"], newest["asset"]["criticality"]), ("III", 4))
        # An alert stored before keeps the grade it was given.
        self.assertEqual([a["grade"] for a in both if a["id"] == first[0]["id"]], ["I"])
        # A broken asset file fails the reload with file and line, and the inventory stays.
        (self.assets / "acme.yaml").write_text("assets:\n  - name: broken\n    hosts: [x]\n    criticality: 9\n")
        code, out, err = vigil("rules", "reload", "--config", str(self.daemon.config),
                               "--url", f"http://127.0.0.1:{self.daemon.http_port}", check=False)
        self.assertEqual(code, 2, out + err)
        self.assertIn("acme.yaml:4", out + err)
        self.assertIn("'criticality' must be a number from 1", out + err)
        (self.assets / "acme.yaml").write_text(ASSETS.format(criticality=4))

    def test_6_the_lifecycle_survives_a_restart_and_every_alert_fits_the_schema(self):
        before = {a["id"]: a for a in stored_alerts(self.tree.data)}
        self.assertTrue(any(a["history"] for a in before.values()))
        self.daemon.stop()
        self.daemon.start()
        after = {a["id"]: a for a in stored_alerts(self.tree.data)}
        for aid, a in before.items():
            self.assertEqual((after[aid]["status"], after[aid]["history"], after[aid]["sla"]),
                             (a["status"], a["history"], a["sla"]))
        report = validate_with_ajv(list(after.values()))
        self.assertEqual(report["invalid"], [])
        self.assertEqual(report["valid"], len(after))

    def test_7_a_deadline_missed_while_stopped_escalates_at_start_once(self):
        self.post_events("tok-high before the stop", host="app-7")
        found = []

        def stored():
            found[:] = stored_alerts(self.tree.data, "--host", "app-7", "--rule", HIGH)
            return found
        wait_until(stored, "the app-7 alert")
        alert = found[0]
        self.daemon.stop()
        deadline = rfc3339_ms(alert["sla"]["notify_by"])
        self.assertGreater(deadline, time.time() * 1000, "stopped before the deadline")
        wait_until(lambda: time.time() * 1000 > deadline + 100, "the deadline to pass while stopped")
        self.daemon.start()
        # Deadlines that passed while vigild was down escalate before it is ready.
        self.assertEqual(self.daemon.metric("vigil_escalations_total", deadline="notify"), 1)
        escalated = self.escalation_of(alert["id"], deadline_s=0.5)
        self.assertEqual(escalated["escalation"]["deadline"], "notify")
        # Once: another restart does not escalate it again.
        self.daemon.stop()
        self.daemon.start()
        self.assertEqual(self.daemon.metric("vigil_escalations_total", deadline="notify"), 0)
        self.escalation_of(alert["id"])  # still exactly one


if __name__ == "__main__":
    unittest.main()
