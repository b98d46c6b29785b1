#!/usr/bin/env python3
"""Vendor formats end to end: a vendor mapping added as a file, CEF inside syslog, bad payloads.

A copy of schemas/ gets a new mapping file for a made-up WAF's key=value format, with no
rebuild; a Sigma rule names only canonical fields (source.ip, rule.name) and the log source the
mapping declares. util-linux logger sends the vendor's lines to a real vigild, which must alert
on exactly the matching one, with the canonical fields in the evidence; `vigil parse` shows the
same mapping and log source. A damaged CEF record over syslog is counted by parser and reason
and still reaches keyword rules.
"""

import json
import pathlib
import shutil
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (SOURCE_DIR, TempTree, Vigild, keyword_rule, stored_alerts,  # noqa: E402
                           vigil, wait_until)

MAPPING = """# A made-up WAF that sends key=value over syslog (integration test).
name: acme_waf
formats: [kv]
detect: [acme_rule, acme_src]
fields:
  acme_src: source.ip
  acme_rule: rule.name
  acme_uri: url.original
  acme_policy: acme.policy
set:
  event.category: web
  observer.vendor: Acme
logsource: {product: acme, category: waf}
"""

RULE_ID = "0d7c1c2e-6a53-4c1e-9f0e-3b8d9a4c5e61"
RULE = f"""title: Acme WAF SQL injection from the test network
id: {RULE_ID}
status: test
author: vigil integration tests
level: critical
logsource: {{product: acme, category: waf}}
detection:
  selection:
    source.ip|cidr: 203.0.113.0/24
    rule.name|startswith: sqli-
  condition: selection
"""

KEYWORD_RULE_ID = "4a3f5f0b-9d8e-4e55-8c3b-7b2a1e0d9c88"


class VendorFormats(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.schemas = self.tree.root / "schemas"
        shutil.copytree(SOURCE_DIR / "schemas", self.schemas)
        (self.schemas / "mappings" / "acme_waf.yaml").write_text(MAPPING)
        self.tree.add_rule("acme_sqli.yml", RULE)
        self.token = "damaged" + uuid.uuid4().hex[:10]
        self.tree.add_rule("token.yml", keyword_rule(KEYWORD_RULE_ID, self.token))
        self.daemon = Vigild(self.tree, extra_config=f"schemas_dir: {self.schemas}\n").start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def test_a_mapping_added_as_a_file_names_the_fields_rules_use(self):
        d = self.daemon
        hit = ("acme_rule=sqli-942100 acme_src=203.0.113.9 acme_uri=/login?id=1%27 "
               "acme_policy=strict action=block")
        for line in (hit,
                     "acme_rule=xss-941100 acme_src=203.0.113.9 acme_uri=/q action=block",
                     "acme_rule=sqli-942100 acme_src=198.51.100.4 acme_uri=/a action=block"):
            d.logger("-P", str(d.udp_port), "-d", "--rfc3164", "-t", "acmewaf", line)
        wait_until(lambda: d.metric("vigil_events_parsed_total", parser="kv") == 3,
                   "three key=value events")
        alerts = wait_until(lambda: (a := stored_alerts(self.tree.data)) and a, "an alert")
        self.assertEqual(len(alerts), 1)
        a = alerts[0]
        self.assertEqual(a["rule"]["id"], RULE_ID)
        self.assertEqual(a["grade"], "I")
        evidence = a["evidence"][0]
        self.assertEqual(evidence["parser"], "kv")
        self.assertEqual(evidence["fields"]["source.ip"], "203.0.113.9")
        self.assertEqual(evidence["fields"]["rule.name"], "sqli-942100")
        # Evidence fields (fields.yaml `evidence: true`) stay although no rule reads them; other
        # fields no rule reads are projected away, and the record stays in event.original.
        self.assertEqual(evidence["fields"]["observer.vendor"], "Acme")
        self.assertEqual(evidence["fields"]["url.original"], "/login?id=1%27")
        self.assertNotIn("acme.policy", evidence["fields"])
        self.assertIn("acme_policy=strict", evidence["fields"]["event.original"])

        # vigil parse sees the record the same way, with the vendor's own names beside.
        source = self.tree.root / "line.log"
        source.write_text(f"<13>Nov 21 10:00:00 waf1 acmewaf: {hit}\n")
        _, out, _ = vigil("parse", "--schemas-dir", str(self.schemas), str(source))
        parsed = json.loads(out.splitlines()[0])
        self.assertEqual(parsed["parser"], "kv")
        self.assertEqual(parsed["mapping"], "acme_waf")
        self.assertEqual(parsed["logsource"]["product"], "acme")
        self.assertEqual(parsed["logsource"]["category"], "waf")
        self.assertEqual(parsed["fields"]["source.ip"], "203.0.113.9")
        self.assertEqual(parsed["fields"]["host.name"], "waf1")
        self.assertEqual(parsed["vendor"]["acme_uri"], "/login?id=1%27")
        self.assertEqual(parsed["fields"]["acme.policy"], "strict")
        self.assertEqual(parsed["vendor"]["action"], "block")

    def test_cef_over_syslog_and_a_damaged_record(self):
        d = self.daemon
        d.logger("-P", str(d.tcp_port), "-T", "--octet-count", "--rfc5424", "-t", "arcsight",
                 "CEF:0|Vendor|Product|1.0|100|Blocked|7|src=198.51.100.7 dst=10.0.0.2 spt=4431")
        d.logger("-P", str(d.tcp_port), "-T", "--octet-count", "--rfc5424", "-t", "arcsight",
                 f"CEF:0|Vendor|Prod {self.token}")
        wait_until(lambda: d.metric("vigil_events_parsed_total", parser="cef") == 2,
                   "two CEF events")
        self.assertEqual(d.metric("vigil_parse_errors_total", parser="cef",
                                  reason="truncated_header"), 1)
        self.assertEqual(d.metric("vigil_parse_errors_total", parser="cef",
                                  reason="bad_extension"), 0)
        alerts = wait_until(lambda: (a := stored_alerts(self.tree.data)) and a, "an alert")
        self.assertEqual(len(alerts), 1)
        evidence = alerts[0]["evidence"][0]
        self.assertEqual(alerts[0]["rule"]["id"], KEYWORD_RULE_ID)
        self.assertEqual(evidence["parser"], "cef")
        self.assertEqual(evidence["parse_error"], "truncated_header")
        self.assertEqual(evidence["fields"]["error.type"], "truncated_header")
        self.assertIn(self.token, evidence["fields"]["event.original"])


if __name__ == "__main__":
    unittest.main()
