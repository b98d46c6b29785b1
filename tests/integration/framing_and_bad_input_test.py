#!/usr/bin/env python3
"""Bad input is counted with a reason and never takes data around it down with it.

Over real sockets: oversize frames in both TCP framings are skipped and the connection keeps
working; a malformed octet count resynchronises and keeps the damaged bytes as a record; a
record with an invalid priority becomes an event with a parse-error reason that rules still
see; /healthz and /metrics answer curl.
"""

import pathlib
import socket
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ALERT_SCHEMA, TempTree, Vigild, keyword_rule, octet,  # noqa: E402
                           schema_errors, stored_alerts, wait_until)


class FramingAndBadInput(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.token = "tok" + uuid.uuid4().hex[:10]
        self.tree.add_rule("token.yml", keyword_rule("7e0b5a40-1b7f-4c3a-8d55-3c9a1e2f0a11", self.token))
        self.daemon = Vigild(self.tree, syslog_extra="  max_frame_bytes: 1024\n").start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def messages(self):
        return sorted(a["evidence"][0]["fields"]["message"] for a in stored_alerts(self.tree.data))

    def test_health_and_metrics_answer(self):
        code, body = self.daemon.curl("/healthz")
        self.assertEqual(code, 200)
        self.assertIn('"status":"ready"', body)
        code, body = self.daemon.curl("/metrics")
        self.assertEqual(code, 200)
        self.assertIn("# TYPE vigil_received_total counter", body)
        code, _ = self.daemon.curl("/no/such/path")
        self.assertEqual(code, 404)

    def test_oversize_octet_frame_is_skipped_and_the_connection_stays_usable(self):
        d = self.daemon
        big = b"<13>1 - host app - - - " + self.token.encode() + b" " + b"x" * 2000
        d.tcp_send(octet(f"<13>1 - host app - - - before {self.token}".encode()) + octet(big) +
                   octet(f"<13>1 - host app - - - after {self.token}".encode()))
        wait_until(lambda: len(stored_alerts(self.tree.data)) == 2, "two alerts around the oversize frame")
        self.assertEqual(self.messages(), [f"after {self.token}", f"before {self.token}"])
        wait_until(lambda: d.metric("vigil_dropped_total", reason="oversize_frame", source="syslog_tcp") == 1,
                   "the oversize frame counted")

    def test_oversize_line_is_skipped_up_to_its_newline(self):
        d = self.daemon
        d.tcp_send(f"<13>Nov 21 10:00:00 host app: before {self.token}\n".encode() +
                   b"<13>Nov 21 10:00:00 host app: " + self.token.encode() + b"y" * 3000 + b"\n" +
                   f"<13>Nov 21 10:00:00 host app: after {self.token}\n".encode())
        wait_until(lambda: len(stored_alerts(self.tree.data)) == 2, "two alerts around the oversize line")
        self.assertEqual(self.messages(), [f"after {self.token}", f"before {self.token}"])
        wait_until(lambda: d.metric("vigil_dropped_total", reason="oversize_frame", source="syslog_tcp") == 1,
                   "the oversize line counted")

    def test_bad_octet_count_resynchronises_and_keeps_the_damaged_record(self):
        d = self.daemon
        d.tcp_send(octet(f"<13>1 - host app - - - first {self.token}".encode()) +
                   f"12x<13>damaged {self.token}\n".encode() +
                   octet(f"<13>1 - host app - - - last {self.token}".encode()))
        wait_until(lambda: len(stored_alerts(self.tree.data)) == 3, "three alerts, the damaged record included")
        self.assertIn(f"12x<13>damaged {self.token}", self.messages())
        wait_until(lambda: d.metric("vigil_framing_errors_total", reason="bad_octet_count", source="syslog_tcp") == 1,
                   "the bad count counted")

    def test_invalid_priority_becomes_an_event_with_a_reason(self):
        d = self.daemon
        d.udp_send(f"<999>Nov 21 10:00:00 host app: broken priority {self.token}".encode())
        d.udp_send(b"")
        alerts = wait_until(lambda: stored_alerts(self.tree.data), "an alert for the malformed record")
        self.assertEqual(schema_errors(alerts[0], ALERT_SCHEMA), [])
        evidence = alerts[0]["evidence"][0]
        self.assertEqual(evidence["parse_error"], "pri_out_of_range")
        self.assertEqual(evidence["fields"]["error.type"], "pri_out_of_range")
        self.assertEqual(evidence["fields"]["event.original"], f"<999>Nov 21 10:00:00 host app: broken priority {self.token}")
        wait_until(lambda: d.metric("vigil_parse_errors_total", parser="rfc3164", reason="pri_out_of_range") == 1,
                   "the parse error counted by reason")
        wait_until(lambda: d.metric("vigil_parse_errors_total", parser="rfc3164", reason="empty_record") == 1,
                   "the empty datagram counted")

    def test_a_connection_closed_mid_frame_delivers_what_arrived(self):
        d = self.daemon
        with socket.create_connection(("127.0.0.1", d.tcp_port)) as s:
            s.sendall(b"500 <13>1 - host app - - - cut short " + self.token.encode())
        alerts = wait_until(lambda: stored_alerts(self.tree.data), "an alert for the truncated frame")
        self.assertEqual(alerts[0]["evidence"][0]["fields"]["message"], f"cut short {self.token}")
        wait_until(lambda: d.metric("vigil_framing_errors_total", reason="truncated_frame", source="syslog_tcp") == 1,
                   "the truncated frame counted")


if __name__ == "__main__":
    unittest.main()
