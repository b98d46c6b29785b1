#!/usr/bin/env python3
"""The contract's antivirus detections against a running vigild with the shipped rule pack
(issue 16): the three consoles' own export formats (Trend Micro Apex Central CEF, ESET PROTECT
JSON, Sophos Central JSON; the samples of tests/data/logsources/endpoint_protection.yaml) sent
over syslog TCP raise the alerts their fixtures name; an endpoint whose definitions stay behind
the newest version its product reports for a day raises one `version_behind` alert listing the
hosts behind, and a host a minute short of the day does not. Every alert validates against
schemas/alert.schema.json (ajv)."""

import pathlib
import shutil
import sys
import unittest

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import SOURCE_DIR, TempTree, Vigild, stored_alerts, validate_with_ajv, wait_until  # noqa: E402

BEHIND = "d21d3545-0aef-4f8c-8f47-1e0c575538ef"  # rules/correlation/av_definitions_behind.yml
CLEANING_FAILED = "0b6f0e51-5a0e-4b8a-9a0c-1c1d6d2c7a11"  # rules/verdicts: vendor verdict (critical)
OUT_OF_DATE = "ef757726-2db7-4a00-abae-d909459f8999"  # rules/detection/av_definitions_out_of_date.yml
FIXTURE = SOURCE_DIR / "tests" / "data" / "logsources" / "endpoint_protection.yaml"


def av_record(time, host, version, event="definitions_updated", product="Example AV"):
    return (f'<134>1 {time} avconsole AVServer - - - product="{product}" vendor="Example Security" '
            f'event={event} host="{host}" sig_version="{version}"')


class EndpointConsoles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        shutil.copytree(SOURCE_DIR / "rules", cls.tree.rules, dirs_exist_ok=True)
        shutil.rmtree(cls.tree.rules / "tests")
        cls.daemon = Vigild(cls.tree, extra_config="correlation:\n  idle_timeout: 1s\n"
                                                   "  allowed_lateness: 1s\n").start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.tree.cleanup()

    def send(self, lines):
        self.daemon.tcp_send("".join(line + "\n" for line in lines).encode())

    def alerts_of(self, rule_id):
        return [a for a in stored_alerts(self.tree.data) if a["rule"]["id"] == rule_id]

    def test_console_samples_raise_their_alerts(self):
        samples = yaml.safe_load(FIXTURE.read_text())["samples"]
        self.assertGreaterEqual(len(samples), 9)
        # The hosts each rule must alert on: those of the single-record samples naming it.
        hosts = {}
        for sample in samples:
            if "line" in sample:
                for rule_id in sample["alerts"]:
                    hosts.setdefault(rule_id, set()).add(sample["fields"]["host.name"])
        self.assertIn(CLEANING_FAILED, hosts)
        self.assertIn(OUT_OF_DATE, hosts)
        self.send(line for sample in samples for line in sample.get("records", [sample.get("line")]))

        def alerted_hosts(rule_id):
            return {a.get("host") or a["key"].get("verdict.subject") for a in self.alerts_of(rule_id)}

        wait_until(lambda: all(want <= alerted_hosts(r) for r, want in hosts.items()),
                   "the console samples' alerts")
        # Exactly: a cleaning failure alerts critical on the three endpoints that had one, and
        # definitions out of date on the endpoints whose console said so.
        self.assertEqual(alerted_hosts(CLEANING_FAILED), hosts[CLEANING_FAILED])
        self.assertEqual(len(hosts[CLEANING_FAILED]), 3)
        self.assertEqual(alerted_hosts(OUT_OF_DATE), hosts[OUT_OF_DATE])
        stored = stored_alerts(self.tree.data)
        products = {e["fields"].get("observer.product") for a in stored for e in a.get("evidence", [])}
        self.assertTrue({"ESET PROTECT", "Apex One"} <= products, products)
        report = validate_with_ajv(stored)
        self.assertEqual(report["invalid"], [])

    def test_definitions_behind_the_product_newest_for_a_day(self):
        product = "Behind Test AV"
        self.send([
            av_record("2026-12-01T08:00:00Z", "WS-017", "2026.12.01.001", product=product),
            av_record("2026-12-01T08:05:00Z", "WS-042", "2026.12.01.001", product=product),
            av_record("2026-12-02T07:00:00Z", "WS-017", "2026.12.02.003", product=product),
            av_record("2026-12-02T07:30:00Z", "WS-042", "2026.12.02.003", product=product),
            # A minute short of a day after 2026.12.02.003 first appeared: still rolling out.
            av_record("2026-12-03T06:59:00Z", "WS-051", "2026.12.01.001", "scan_completed", product),
            av_record("2026-12-03T07:30:00Z", "WS-051", "2026.12.01.001", "scan_completed", product),
            av_record("2026-12-03T07:40:00Z", "WS-063", "2026.11.28.002", "scan_completed", product),
            av_record("2026-12-03T07:50:00Z", "WS-017", "2026.12.02.003", "scan_completed", product),
        ])

        def behind():
            return [a for a in self.alerts_of(BEHIND) if a["key"].get("observer.product") == product]

        wait_until(lambda: behind() and len(behind()[0]["correlation"].get("values", [])) == 2,
                   "the definitions-behind alert with both hosts")
        alerts = behind()
        self.assertEqual(len(alerts), 1, alerts)
        alert = alerts[0]
        self.assertEqual(alert["correlation"]["type"], "version_behind")
        self.assertEqual(alert["correlation"]["values"],
                         ["WS-051: 2026.12.01.001 (newest 2026.12.02.003)",
                          "WS-063: 2026.11.28.002 (newest 2026.12.02.003)"])
        self.assertEqual(alert["first_seen"], "2026-12-03T07:30:00Z")
        self.assertEqual(alert["count"], 2)
        self.assertEqual(alert["rule"]["level"], "medium")
        self.assertEqual(validate_with_ajv(alerts)["invalid"], [])


if __name__ == "__main__":
    unittest.main()
