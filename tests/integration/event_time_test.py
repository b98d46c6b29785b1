#!/usr/bin/env python3
"""Event time you can trust (issue 12), end to end with util-linux logger and a real vigild.

RFC 3164 timestamps carry neither zone nor year. logger writes them in its own local time, so
running it with TZ set makes a sender in that zone. When vigild reads the line in the right
zone, the stored alert's event_time is the moment the line was sent; read in a wrong zone it
would be hours off (and, hours ahead of the receipt, put in last year). Zones come from the
listener (`syslog.udp: {listen, timezone}`) or from a time.zones host rule, which wins over it.

CEF from a vendor no mapping reads gets the log source its header names: a Linux rule does not
meet it, a rule written for {product: acme_corp, service: widget_firewall} does, and
`vigil parse` shows that log source.
"""

import datetime
import json
import os
import pathlib
import socket
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ALERT_SCHEMA, TempTree, Vigild, keyword_rule, schema_errors,  # noqa: E402
                           stored_alerts, vigil, wait_until)

ZONE_RULE_ID = "9b1e6d52-3f0a-4c8e-8d7b-2a6c4e1f0b93"
LINUX_RULE_ID = "3c8f2a71-5d4e-4b09-9e6a-7f1b0c2d3e48"
DEVICE_RULE_ID = "e4a7b1c9-0d2f-4e63-8a5b-6c9d1e2f3a70"

# How far an event_time may be from the moment logger ran: logger writes whole seconds, and
# the line crosses a loopback socket and a worker.
TOLERANCE = datetime.timedelta(seconds=60)


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def config(tree, syslog, extra=""):
    """A complete vigild configuration (the listeners in map form need their own syslog
    section)."""
    return f"""data_dir: {tree.data}
rules_dir: {tree.rules}
workers: 2
syslog:
{syslog}http:
  listen: 127.0.0.1:0
{extra}"""


class EventTime(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            self.daemon.kill()
        self.tree.cleanup()

    def start(self, syslog, extra=""):
        self.daemon = Vigild(self.tree)
        self.daemon.config.write_text(config(self.tree, syslog, extra))
        return self.daemon.start()

    def send(self, zone, transport, *args):
        """logger as a sender whose clock shows `zone`'s local time; returns when it ran."""
        d = self.daemon
        sent = datetime.datetime.now(datetime.timezone.utc)
        port = str(d.udp_port if transport == "udp" else d.tcp_port)
        flag = "-d" if transport == "udp" else "-T"
        subprocess.run(["logger", "-n", "127.0.0.1", "-P", port, flag, "--rfc3164", *args],
                       check=True, timeout=10, env=dict(os.environ, TZ=zone))
        return sent

    def alerts_with(self, token, count):
        def found():
            alerts = [a for a in stored_alerts(self.tree.data)
                      if any(token in e["fields"].get("event.original", "")
                             for e in a["evidence"])]
            return alerts if len(alerts) >= count else None
        return wait_until(found, f"{count} alert(s) for {token}")

    def assert_sent_at(self, alert, sent):
        self.assertEqual(schema_errors(alert, ALERT_SCHEMA), [])
        event_time = parse_time(alert["event_time"])
        self.assertLess(abs(event_time - sent), TOLERANCE,
                        f"event_time {alert['event_time']} is not the send time {sent}")

    def test_each_listener_reads_its_senders_in_its_zone(self):
        token = "zone-" + uuid.uuid4().hex[:10]
        self.tree.add_rule("token.yml", keyword_rule(ZONE_RULE_ID, token))
        self.start("  udp: {listen: 127.0.0.1:0, timezone: Asia/Tokyo}\n"
                   "  tcp: {listen: 127.0.0.1:0, timezone: America/New_York}\n")
        tokyo = self.send("Asia/Tokyo", "udp", "-t", "app", f"tokyo {token}")
        new_york = self.send("America/New_York", "tcp", "-t", "app", f"new-york {token}")
        alerts = self.alerts_with(token, 2)
        by_city = {a["evidence"][0]["fields"]["message"].split()[0]: a for a in alerts}
        self.assert_sent_at(by_city["tokyo"], tokyo)
        self.assert_sent_at(by_city["new-york"], new_york)

    def test_a_host_rule_wins_over_the_listener_zone(self):
        token = "host-" + uuid.uuid4().hex[:10]
        self.tree.add_rule("token.yml", keyword_rule(ZONE_RULE_ID, token))
        # logger writes this machine's host name; the rule matches it in upper case, by glob.
        host = socket.gethostname().split(".")[0]
        self.start("  udp: {listen: 127.0.0.1:0, timezone: Asia/Tokyo}\n"
                   "  tcp: 127.0.0.1:0\n",
                   "time:\n"
                   "  max_future_skew: 2m\n"
                   "  zones:\n"
                   "    - {source: 192.0.2.0/24, timezone: Europe/Berlin}\n"
                   f"    - {{host: \"{host.upper()[:-1]}*\", timezone: America/Los_Angeles}}\n")
        sent = self.send("America/Los_Angeles", "udp", "-t", "app", f"pacific {token}")
        (alert,) = self.alerts_with(token, 1)
        self.assert_sent_at(alert, sent)
        self.assertEqual(alert["evidence"][0]["fields"]["host.name"], host)

    def test_an_unknown_cef_vendor_has_its_own_log_source(self):
        token = "cef-" + uuid.uuid4().hex[:10]
        self.tree.add_rule("linux.yml", keyword_rule(LINUX_RULE_ID, token, title="linux token"))
        self.tree.add_rule("device.yml", f"""title: Acme widget firewall token
id: {DEVICE_RULE_ID}
status: test
author: vigil integration tests
level: high
logsource: {{product: acme_corp, service: widget_firewall}}
detection:
  keywords: ['{token}']
  condition: keywords
""")
        self.start("  udp: 127.0.0.1:0\n  tcp: 127.0.0.1:0\n")
        cef = (f"CEF:0|Acme Corp.|Widget Firewall|3.1|100|Blocked {token}|7|"
               "src=203.0.113.5 dst=10.0.0.2 act=blocked")
        self.send("UTC", "udp", "-t", "widgetfw", cef)
        self.send("UTC", "udp", "-t", "kernel", f"linux line {token}")
        alerts = self.alerts_with(token, 2)
        fired = {a["rule"]["id"]: a["evidence"][0] for a in alerts}
        self.assertEqual(len(alerts), 2, [a["rule"]["id"] for a in alerts])
        self.assertEqual(set(fired), {DEVICE_RULE_ID, LINUX_RULE_ID})
        self.assertEqual(fired[DEVICE_RULE_ID]["parser"], "cef")
        self.assertIn("CEF:0|Acme Corp.", fired[DEVICE_RULE_ID]["fields"]["event.original"])
        self.assertNotIn("CEF:", fired[LINUX_RULE_ID]["fields"]["event.original"])

        # vigil parse names the log source a rule author writes for this device.
        line = self.tree.root / "cef.log"
        line.write_text(f"<134>Dec  4 10:00:00 fw1 {cef}\n")
        _, out, _ = vigil("parse", str(line))
        parsed = json.loads(out.splitlines()[0])
        self.assertEqual(parsed["parser"], "cef")
        self.assertEqual(parsed["logsource"],
                         {"class": "cef_leef_device", "product": "acme_corp",
                          "service": "widget_firewall"})


if __name__ == "__main__":
    unittest.main()
