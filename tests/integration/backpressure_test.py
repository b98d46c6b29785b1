#!/usr/bin/env python3
"""Back-pressure end to end with a slow sink: the stdout output blocks (the test stops reading
vigild's stdout), the alert stage stalls, TCP reading pauses (nothing read becomes durable, so
the unconfirmed window fills) and HTTP ingest answers 503 with Retry-After (the pipeline is full,
or the records are not durable in time). When the sink drains again, every record sent over TCP is
stored: nothing is lost.
"""

import pathlib
import sys
import threading
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import TempTree, Vigild, keyword_rule, stored_alerts, wait_until  # noqa: E402

# More than the rings hold (one worker: 64 input batches of up to ~1,300 records, 64 alert
# batches of 256).
RECORDS = 200000


class Backpressure(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.token = "bp" + uuid.uuid4().hex[:8]
        self.tree.add_rule("token.yml", keyword_rule("5c2e8f1a-9b3d-4e6f-8a7c-1d2e3f4a5b6c", self.token))
        # Requests taken while nothing becomes durable are answered after http.ack_timeout.
        self.daemon = Vigild(self.tree, extra_config="outputs:\n  stdout: true\n", workers=1,
                             http_extra="  ack_timeout: 1s\n").start()

    def tearDown(self):
        self.daemon.resume_stdout()
        self.daemon.kill()
        self.tree.cleanup()

    def test_a_slow_sink_pauses_tcp_and_refuses_http_without_losing_records(self):
        d = self.daemon
        d.pause_stdout()
        payload = "".join(f"<13>Nov 21 10:00:00 host app: {self.token} record {i}\n" for i in range(RECORDS))
        # The sender blocks for as long as the sink is stalled.
        sender = threading.Thread(target=d.tcp_send, args=(payload.encode(), 120))
        sender.start()
        # Reading pauses when the pipeline is full or, first here, when as many records as
        # syslog.max_unconfirmed_records are read and not durable (the stalled alert stage
        # makes nothing durable).
        wait_until(lambda: d.metric("vigil_backpressure_waits_total", source="syslog_tcp")
                   + d.metric("vigil_unconfirmed_window_waits_total", source="syslog_tcp") > 0,
                   "TCP reading paused")
        self.assertLessEqual(d.metric("vigil_unconfirmed_records", source="syslog_tcp"), 100000 + 5000)
        # The worker frees an input slot now and then until it blocks on its alert ring, so a
        # request may still get in at first (it matches no rule); soon every one is refused.
        answers = []

        def refused():
            code, body = d.curl_input("/ingest", b'{"message":"while full"}\n', "-X", "POST",
                                      "--data-binary", "@-", "-D", "-")
            answers.append((code, body))
            return code == 503

        wait_until(refused, "HTTP ingest refusing with 503")
        self.assertIn("Retry-After: 1", answers[-1][1])
        self.assertEqual({code for code, _ in answers} - {200, 503}, set())
        self.assertLess(d.metric("vigil_received_total", source="syslog_tcp"), RECORDS)

        d.resume_stdout()
        sender.join(60)
        self.assertFalse(sender.is_alive())
        wait_until(lambda: d.metric("vigil_alerts_stored_total") == RECORDS, f"{RECORDS} alerts stored",
                   deadline=120)
        self.assertEqual(d.metric("vigil_dropped_total"), 0)
        self.assertEqual(d.metric("vigil_received_total", source="syslog_tcp"), RECORDS)
        self.assertEqual(d.stop(), 0, d.log())
        # Every record is an alert; the newest ones are the last records sent.
        newest = stored_alerts(self.tree.data, "--limit", "3")
        self.assertEqual(len(newest), 3)
        self.assertTrue(all(self.token in a["evidence"][0]["fields"]["message"] for a in newest))


if __name__ == "__main__":
    unittest.main()
