#!/usr/bin/env python3
"""Syslog over TLS (RFC 5425) with `openssl s_client`: octet-framed messages over TLS become
alerts; a plaintext client on the TLS port, and a client without a certificate where one is
required, are refused and counted.
"""

import json
import pathlib
import re
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from tls_pki import make_pki  # noqa: E402
from vigil_harness import TempTree, Vigild, keyword_rule, octet, stored_alerts, wait_until  # noqa: E402


def s_client(port, pki, payload, *extra):
    """openssl s_client sends `payload` and closes at its end; returns its exit code."""
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(pki / "ca.pem"),
         "-verify_return_error", "-quiet", "-no_ign_eof", *extra],
        input=payload, capture_output=True, timeout=30,
    )
    return result.returncode


class SyslogTls(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.pki = self.tree.root / "pki"
        self.pki.mkdir()
        make_pki(self.pki)
        self.token = "tls" + uuid.uuid4().hex[:8]
        self.tree.add_rule("token.yml", keyword_rule("3b9f1e27-6c5d-4a8b-9e0f-1a2b3c4d5e6f", self.token))
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            self.daemon.kill()
        self.tree.cleanup()

    def start(self, client_ca=False):
        tls = (f"  tls:\n    listen: 127.0.0.1:0\n    certificate: {self.pki / 'server.pem'}\n"
               f"    private_key: {self.pki / 'server.key'}\n")
        if client_ca:
            tls += f"    client_ca: {self.pki / 'ca.pem'}\n"
        self.daemon = Vigild(self.tree, syslog_extra=tls).start()
        return self.daemon

    def frames(self, n, what):
        return b"".join(octet(f"<38>1 2026-11-21T10:00:0{i}Z bastion sshd 7 - - {self.token} {what} {i}".encode())
                        for i in range(n))

    def test_octet_framed_messages_over_tls_become_alerts_and_plaintext_is_refused(self):
        d = self.start()
        self.assertEqual(s_client(d.tls_port, self.pki, self.frames(3, "over-tls")), 0)
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tls") == 3, "3 records over TLS")
        wait_until(lambda: len(stored_alerts(self.tree.data)) == 3, "3 alerts")
        alerts = stored_alerts(self.tree.data)
        self.assertEqual({a["evidence"][0]["transport"] for a in alerts}, {"syslog_tls"})

        # util-linux logger speaks plaintext: the handshake fails, nothing is read.
        d.logger("-P", str(d.tls_port), "-T", "--octet-count", "--rfc5424", "-t", "sshd",
                 f"{self.token} plaintext")
        wait_until(lambda: d.metric("vigil_tls_handshake_failures_total", source="syslog_tls") >= 1,
                   "the plaintext connection refused and counted")
        # A TLS 1.1 client is refused too.
        self.assertNotEqual(s_client(d.tls_port, self.pki, self.frames(1, "old"), "-tls1_1"), 0)
        self.assertEqual(d.metric("vigil_received_total", source="syslog_tls"), 3)
        self.check_dashboard_metrics(d)
        self.assertEqual(d.stop(), 0, d.log())
        self.daemon = None
        self.assertEqual(len(stored_alerts(self.tree.data)), 3)

    def check_dashboard_metrics(self, d):
        """Every series the shipped Grafana dashboard queries is exported (the per-rule
        correlation gauges appear once a correlation rule has state)."""
        source = pathlib.Path(__file__).resolve().parents[2]
        dashboard = json.loads((source / "packaging" / "grafana" / "vigil-dashboard.json").read_text())
        wanted = set()
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                wanted |= set(re.findall(r"vigil_[a-z_]+", target["expr"]))
        _, text = d.curl("/metrics")
        exported = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line.startswith("vigil_")}
        # Registered once a correlation has state, or when Kafka is configured; the per-input
        # series exist while an input is open (event_time_poison_test checks them).
        later = {"vigil_correlation_keys", "vigil_correlation_state_bytes", "vigil_kafka_consumer_lag",
                 "vigil_dead_letters_total", "vigil_kafka_pauses_total", "vigil_kafka_rebalances_total",
                 "vigil_kafka_commit_errors_total", "vigil_input_lagging", "vigil_input_future_skewed_total",
                 "vigil_input_watermark_lag_seconds", "vigil_input_late_events_total"}
        self.assertEqual(wanted - exported - later, set())

    def test_a_client_certificate_is_required_when_a_client_ca_is_configured(self):
        d = self.start(client_ca=True)
        # With TLS 1.3 the client learns of the refusal only after it sent its data, so its exit
        # code says nothing; the server must have read nothing and counted the failure.
        s_client(d.tls_port, self.pki, self.frames(1, "anonymous"))
        wait_until(lambda: d.metric("vigil_tls_handshake_failures_total", source="syslog_tls") >= 1,
                   "the client without a certificate refused and counted")
        self.assertEqual(d.metric("vigil_received_total", source="syslog_tls"), 0)
        self.assertEqual(s_client(d.tls_port, self.pki, self.frames(2, "with-cert"),
                                  "-cert", str(self.pki / "client.pem"), "-key", str(self.pki / "client.key")), 0)
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tls") == 2, "2 records")
        wait_until(lambda: len(stored_alerts(self.tree.data)) == 2, "2 alerts")


if __name__ == "__main__":
    unittest.main()
