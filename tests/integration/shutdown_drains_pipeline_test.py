#!/usr/bin/env python3
"""SIGTERM drains the pipeline: every record read before the signal ends up stored.

A burst of records, each of which fires a rule, is sent over one TCP connection. As soon as
vigild has read all of them (vigil_received_total), it gets SIGTERM while most are still in
its rings, workers or alert stage. It must exit 0 and every alert must be in RocksDB.
"""

import pathlib
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import TempTree, Vigild, keyword_rule, stored_alerts, wait_until  # noqa: E402

RECORDS = 20000


class ShutdownDrainsPipeline(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.token = "drain" + uuid.uuid4().hex[:8]
        self.tree.add_rule("token.yml", keyword_rule("0c8d1f52-5a8e-4b0b-9a4f-6f7c1d2e3b44", self.token))
        self.daemon = Vigild(self.tree, workers=2).start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def test_sigterm_stores_every_record_already_read(self):
        d = self.daemon
        payload = "".join(f"<13>Nov 21 10:00:00 host app: record {i} {self.token}\n" for i in range(RECORDS))
        d.tcp_send(payload.encode())
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tcp") == RECORDS,
                   f"{RECORDS} records read")
        self.assertEqual(d.stop(), 0, d.log())
        alerts = stored_alerts(self.tree.data)
        self.assertEqual(len(alerts), RECORDS)
        numbers = {int(a["evidence"][0]["fields"]["message"].split()[1]) for a in alerts}
        self.assertEqual(numbers, set(range(RECORDS)))


if __name__ == "__main__":
    unittest.main()
