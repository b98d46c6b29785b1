#!/usr/bin/env python3
"""The Kafka source against librdkafka's mock cluster (a real Kafka protocol listener on
loopback), with kcat as producer and as a second consumer of the group:

- records become alerts and offsets are committed once they are durable; a new run starts from
  the group's committed offsets and shows them (and no lag) before it reads anything;
- vigild killed with SIGKILL in the middle of a stream loses nothing: after the restart every
  record produced has its alert (at least once), so no committed offset passed an unprocessed
  record;
- a second consumer joining and leaving the group: vigild gives partitions up and takes them
  back, and keeps consuming;
- a message too large, or one that does not parse, is counted and kept as a dead letter and
  does not block its partition (the one that does not parse is still an event);
- headers, key, partition and offset travel with each record as kafka.* fields;
- records the broker deleted (retention) while vigild was stopped are counted and logged as
  skipped offsets when it resumes, and every record still held is read.
"""

import pathlib
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import KafkaMock, TempTree, Vigild, keyword_rule, stored_alerts, wait_until  # noqa: E402


class KafkaIngest(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.token = "kafka" + uuid.uuid4().hex[:8]
        self.tree.add_rule("token.yml", keyword_rule("2f6e4d1c-8a9b-4c3d-b2e1-0f9a8b7c6d5e", self.token))
        self.mock = KafkaMock("logs:2")
        self.daemon = None
        self.others = []

    def tearDown(self):
        for p in self.others:
            p.kill()
            p.wait()
        if self.daemon:
            self.daemon.kill()
        self.mock.stop()
        self.tree.cleanup()

    def start(self, extra="", workers=2):
        # Short sessions: a killed member leaves the group in seconds, not the default 45 s.
        config = (f"kafka:\n  brokers: {self.mock.bootstrap}\n  topics: [logs]\n  group_id: vigil-it\n"
                  f"  commit_interval: 200ms\n"
                  f"  properties: {{session.timeout.ms: '6000', heartbeat.interval.ms: '500'}}\n{extra}")
        self.daemon = Vigild(self.tree, extra_config=config, workers=workers).start()
        return self.daemon

    def lines(self, first, count, what="record"):
        return [f"<13>Nov 21 10:00:00 host app: {self.token} {what} {i}" for i in range(first, first + count)]

    def committed(self, d):
        return (d.metric("vigil_kafka_committed_offset", partition="0", topic="logs") +
                d.metric("vigil_kafka_committed_offset", partition="1", topic="logs"))

    def alerted(self):
        return {int(a["evidence"][0]["fields"]["message"].split()[-1]) for a in stored_alerts(self.tree.data)}

    def test_records_become_alerts_and_offsets_commit_once_durable(self):
        d = self.start()
        self.mock.produce("logs", self.lines(0, 50), "-H", "tenant=acme", "-K", ":")
        wait_until(lambda: self.committed(d) == 50, "offsets of all 50 committed")
        self.assertEqual(d.metric("vigil_received_total", source="kafka"), 50)
        alert = stored_alerts(self.tree.data)[0]
        fields = alert["evidence"][0]["fields"]
        self.assertEqual(fields["kafka.topic"], "logs")
        self.assertIn(fields["kafka.partition"], ("0", "1"))
        self.assertEqual(fields["kafka.headers"], '{"tenant":"acme"}')
        wait_until(lambda: d.metric("vigil_kafka_consumer_lag", partition="0", topic="logs") +
                   d.metric("vigil_kafka_consumer_lag", partition="1", topic="logs") == 0, "no lag")

    def test_a_restart_starts_from_the_offsets_the_group_committed(self):
        # The committed offsets and the lag a new run shows are the group's, read at assignment:
        # a partition that run never has to commit to is not shown as unread.
        d = self.start()
        self.mock.produce("logs", self.lines(0, 40))
        wait_until(lambda: self.committed(d) == 40, "offsets of all 40 committed")
        d.stop()
        self.daemon = d = self.start()
        wait_until(lambda: d.metric("vigil_kafka_rebalances_total", kind="assign") >= 1, "partitions assigned",
                   deadline=60)
        wait_until(lambda: self.committed(d) == 40, "the group's committed offsets, learnt at assignment")
        wait_until(lambda: d.metric("vigil_kafka_consumer_lag", partition="0", topic="logs") +
                   d.metric("vigil_kafka_consumer_lag", partition="1", topic="logs") == 0, "no lag")
        self.assertEqual(d.metric("vigil_received_total", source="kafka"), 0)  # nothing read again

    def test_sigkill_in_the_middle_of_a_stream_loses_nothing(self):
        d = self.start()
        total = 3000
        self.mock.produce("logs", self.lines(0, total))
        wait_until(lambda: d.metric("vigil_received_total", source="kafka") >= 500, "part of the stream read")
        d.kill()  # SIGKILL
        self.daemon = None
        d = self.start()
        wait_until(lambda: self.committed(d) == total, f"offsets of all {total} committed", deadline=60)
        self.assertEqual(self.alerted(), set(range(total)))

    def test_a_second_consumer_joining_and_leaving_rebalances_the_group(self):
        d = self.start()
        self.mock.produce("logs", self.lines(0, 20))
        wait_until(lambda: len(self.alerted()) == 20, "20 alerts")
        other = subprocess.Popen(["kcat", "-b", self.mock.bootstrap, "-X", "session.timeout.ms=6000",
                                  "-X", "heartbeat.interval.ms=500", "-G", "vigil-it", "-o", "end", "logs"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.others.append(other)
        wait_until(lambda: d.metric("vigil_kafka_rebalances_total", kind="revoke") >= 1,
                   "vigild gave its partitions up for the rebalance", deadline=60)
        other.terminate()
        other.wait(30)
        self.others.remove(other)
        wait_until(lambda: d.metric("vigil_kafka_rebalances_total", kind="assign") >= 3,
                   "vigild took the partitions back", deadline=60)
        self.mock.produce("logs", self.lines(1000, 20, "after"))
        wait_until(lambda: set(range(1000, 1020)) <= self.alerted(), "the records produced after the rebalance",
                   deadline=60)

    def test_backpressure_pauses_the_partitions_and_loses_nothing(self):
        # A slow sink (the stdout output, not read) fills the pipeline: the source pauses its
        # partitions while it keeps polling, resumes when the sink drains, and every record
        # ends up an alert with its offset committed.
        d = self.start("outputs:\n  stdout: true\n", workers=1)
        d.pause_stdout()
        total = 60000  # more than one worker's rings hold
        self.mock.produce("logs", self.lines(0, total))
        held = subprocess.run(["kcat", "-b", self.mock.bootstrap, "-t", "logs", "-C", "-e", "-q"],
                              capture_output=True, check=True, timeout=120).stdout.count(b"\n")
        wait_until(lambda: d.metric("vigil_kafka_pauses_total") >= 1, "the partitions paused", deadline=60)
        self.assertLess(d.metric("vigil_received_total", source="kafka"), held)
        d.resume_stdout()
        wait_until(lambda: self.committed(d) == total and
                   d.metric("vigil_alerts_stored_total") == held, f"all {held} records alerted and committed",
                   deadline=120)
        self.assertEqual(d.metric("vigil_dropped_total"), 0)

    def test_oversized_and_unparseable_messages_are_dead_letters_and_do_not_block(self):
        d = self.start("  max_message_bytes: 1024\n")
        big = f"<13>Nov 21 10:00:00 host app: {self.token} big " + "x" * 4000
        broken = '{"message": "unterminated'
        self.mock.produce("logs", self.lines(0, 5) + [big, broken] + self.lines(5, 5))
        wait_until(lambda: len(self.alerted()) == 10, "the 10 records around them")
        wait_until(lambda: d.metric("vigil_dead_letters_total", reason="oversize") == 1, "one oversized")
        wait_until(lambda: d.metric("vigil_dead_letters_total", reason="unparseable") == 1, "one unparseable")
        wait_until(lambda: self.committed(d) == 12, "offsets past them committed")

    def test_records_deleted_by_retention_before_they_were_read_are_counted_as_skipped(self):
        d = self.start()
        self.mock.produce("logs", self.lines(0, 10), "-p", "0")
        wait_until(lambda: d.metric("vigil_kafka_committed_offset", partition="0", topic="logs") == 10,
                   "the first 10 records committed")
        d.stop()
        # While vigild is stopped, more than the mock broker keeps (about 5 MB a partition):
        # it deletes the oldest batches, as retention would.
        first = 10
        for _ in range(8):
            self.mock.produce("logs", self.lines(first, 1000, "y" * 1000), "-p", "0")
            first += 1000
        low = self.mock.low_watermark("logs", 0)
        self.assertGreater(low, 10, "the mock broker deleted nothing: the test needs it to")
        self.daemon = d = self.start()
        wait_until(lambda: d.metric("vigil_kafka_committed_offset", partition="0", topic="logs") == first,
                   "every record still held read and committed", deadline=60)
        self.assertEqual(d.metric("vigil_kafka_offsets_skipped_total", partition="0", topic="logs"), low - 10)
        self.assertIn(f"kafka: logs/0: offsets 10 to {low - 1} skipped ({low - 10})", d.log())
        self.assertEqual(self.alerted(), set(range(10)) | set(range(low, first)))


if __name__ == "__main__":
    unittest.main()
