#!/usr/bin/env python3
"""The Kafka alert sink (issue 15) against librdkafka's mock cluster, read back with kcat: every
stored alert is produced once to the configured topic with key = alert id and value = the alert
JSON, and the outbox empties only as delivery reports come."""

import json
import pathlib
import subprocess
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import ECS, KafkaMock, TempTree, Vigild, firewall_rule, stored_alerts, wait_until  # noqa: E402

RULE = firewall_rule("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "tok-kafka", "critical")


class KafkaAlertSink(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.tree.add_rule("kafka.yml", RULE)
        self.kafka = KafkaMock("vigil-alerts:3")
        self.daemon = Vigild(self.tree, extra_config=(
            f"outputs:\n  kafka:\n    brokers: {self.kafka.bootstrap}\n    topic: vigil-alerts\n"
            "    min_level: high\n    initial_backoff: 200ms\n    max_backoff: 1s\n")).start()

    def tearDown(self):
        self.daemon.kill()
        self.kafka.stop()
        self.tree.cleanup()

    def topic(self):
        """(key, value) of every record of the topic, all partitions."""
        out = subprocess.run(["kcat", "-b", self.kafka.bootstrap, "-t", "vigil-alerts", "-C", "-e", "-q",
                              "-o", "beginning", "-f", "%k\t%s\n"], capture_output=True, text=True,
                             check=True, timeout=60).stdout
        return [tuple(line.split("\t", 1)) for line in out.splitlines() if line]

    def test_alerts_are_produced_with_their_id_as_key(self):
        lines = "".join(f'{{{ECS},"message":"tok-kafka {i}"}}\n' for i in range(25))
        code, body = self.daemon.curl_input("/ingest", lines.encode(), "-X", "POST", "--data-binary", "@-")
        self.assertEqual(code, 200, body)
        wait_until(lambda: len(stored_alerts(self.tree.data)) == 25, "25 alerts stored")
        wait_until(lambda: self.daemon.metric("vigil_delivery_sent_total", destination="kafka") == 25,
                   "25 delivery reports")
        records = self.topic()
        self.assertEqual(len(records), 25)
        stored = {a["id"]: a for a in stored_alerts(self.tree.data)}
        for key, value in records:
            self.assertEqual(json.loads(value), stored[key])
        self.assertEqual({k for k, _ in records}, set(stored))
        self.assertEqual(self.daemon.metric("vigil_delivery_queue_depth", destination="kafka"), 0)


if __name__ == "__main__":
    unittest.main()
