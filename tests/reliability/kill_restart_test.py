#!/usr/bin/env python3
"""`kill -9` during ingest, again and again, each followed by a restart: every event an HTTP
200 or a Kafka offset commit acknowledged is processed (its alert stored), none twice,
correlation windows carry across the kills, and the syslog TCP loss window (what was read but
not durable when the process died) stays within syslog.max_unconfirmed_records.

Each round starts vigild on the same data directory and the same Kafka consumer group, sends
the round's parts of the correlation groups (below), then numbered events over HTTP (curl,
several requests at once), TCP and Kafka (kcat into librdkafka's mock cluster), and kills
vigild with SIGKILL at a random moment. Events whose request was not answered 200 may or may
not be processed (at-least-once); every acknowledged one must be. Kafka records are read again
from the committed offsets after each restart; after the last round vigild runs until every
offset is committed, so every record produced must be processed, and a committed offset that
passed an unprocessed record would show as a loss.

Correlation: group g gets one part in each of rounds g, g+1 and g+2 (posted and answered 200
before the load starts); a value_count correlation needs three distinct parts per group within
an hour. So every group whose three parts were sent must have exactly one correlation alert,
only possible if each kill kept the windows (restored from the checkpoints), and the last two
groups, one or two parts short, none.
"""

import json
import os
import random
import signal
import sys
import threading
import time
import pathlib
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import ECS, EventStream, Load, Outcome, report, rss_kib  # noqa: E402
from vigil_harness import KafkaMock, TempTree, Vigild, stored_alerts, wait_until  # noqa: E402

ROUNDS = int(os.environ.get("VIGIL_KILL_ROUNDS", "20"))
PER_REQUEST = 500
CLIENTS = 3
WINDOW = 5000
KAFKA_PER_ROUND = 3000
PARTS = 3
CORRELATION_ID = "3e9a0b1c-2d3e-4f5a-8b6c-7d8e9f0a1b2c"


class KillRestart(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.events = EventStream()
        self.events.add_rules(self.tree)
        self.tree.add_rule("parts.yml", f"""title: correlation part
id: 3e9a0b1c-2d3e-4f5a-8b6c-7d8e9f0a1b2b
name: correlation_part
logsource: {{category: firewall}}
detection:
  selection:
    part_of: '{self.events.marker}'
  condition: selection
---
title: three distinct parts per group
id: {CORRELATION_ID}
level: high
correlation:
  type: value_count
  rules: [correlation_part]
  group-by: [user.name]
  timespan: 1h
  condition: {{field: part, gte: {PARTS}}}
""")
        self.load = Load(self.events)
        self.mock = KafkaMock("kill:4")

    def tearDown(self):
        self.mock.stop()
        self.tree.cleanup()

    def daemon(self):
        kafka = (f"kafka:\n  brokers: {self.mock.bootstrap}\n  topics: [kill]\n  group_id: vigil-kill\n"
                 f"  commit_interval: 200ms\n"
                 f"  properties: {{session.timeout.ms: '6000', heartbeat.interval.ms: '500'}}\n")
        # Short lateness and idle timeout: correlation matches wait less for the event-time
        # watermark (every input's progress) before they are applied.
        correlation = "correlation:\n  allowed_lateness: 1s\n  idle_timeout: 2s\n  checkpoint_interval: 200ms\n"
        return Vigild(self.tree, extra_config="outputs:\n  stdout: false\n" + kafka + correlation,
                      syslog_extra=f"  max_unconfirmed_records: {WINDOW}\n")

    def post_parts(self, d, round_number):
        """This round's parts of the groups it touches, answered 200."""
        body = "".join(json.dumps({"event": ECS, "user": {"name": f"group{g}"}, "part": round_number - g,
                                   "part_of": self.events.marker, "message": "correlation part"}) + "\n"
                       for g in range(max(0, round_number - PARTS + 1), round_number + 1)).encode()
        wait_until(lambda: d.curl_input("/ingest", body, "-X", "POST", "--data-binary", "@-")[0] == 200,
                   "the round's correlation parts acknowledged")

    def kafka_producer(self, produced):
        numbers = self.load.take(KAFKA_PER_ROUND)
        self.mock.produce("kill", self.events.syslog_lines(numbers).decode().splitlines())
        produced.extend(numbers)

    def committed(self, d):
        return sum(v for _, v in d.metric_samples("vigil_kafka_committed_offset"))

    def test_kill_9_loses_nothing_acknowledged(self):
        rng = random.Random(int(os.environ.get("VIGIL_KILL_SEED", "14")))
        rounds = []  # per round: TCP events the kernel took, records vigild had read at the kill
        kafka_produced = []
        rss = []
        started = time.monotonic()
        for round_number in range(ROUNDS):
            d = self.daemon().start()
            self.post_parts(d, round_number)
            stop = threading.Event()
            tcp_sent = []
            threads = [threading.Thread(target=self.load.http_client, args=(d, stop, PER_REQUEST))
                       for _ in range(CLIENTS)]
            threads.append(threading.Thread(target=self.load.tcp_sender, args=(d, tcp_sent)))
            threads.append(threading.Thread(target=self.kafka_producer, args=(kafka_produced,)))
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 1.2))  # the moment of the crash, not a wait for a condition
            rss.append(rss_kib(d.process.pid))
            read = d.metric("vigil_received_total", source="syslog_tcp")
            d.process.send_signal(signal.SIGKILL)
            d.process.wait()
            stop.set()
            for t in threads:
                t.join(60)
            rounds.append((tcp_sent, read))
        # One more start: RocksDB replays its write-ahead log, the group reads on from its
        # committed offsets until every record is committed.
        d = self.daemon().start()
        wait_until(lambda: self.committed(d) == len(kafka_produced), "every Kafka record committed",
                   deadline=120)
        wait_until(lambda: d.metric("vigil_correlation_buffered_matches") == 0,
                   "every correlation match applied (the watermark past them)", deadline=60)
        self.assertEqual(d.stop(), 0, d.log())
        acknowledged = self.load.acked | set(kafka_produced)
        outcome = Outcome(self.events, self.tree.data, acknowledged)
        # TCP has no acknowledgement: a crash loses what vigild read and had not made durable
        # (bounded by the window) plus what the kernel had taken and vigild had not read yet.
        tcp_lost = [sum(1 for n in sent if n not in outcome.processed) for sent, _ in rounds]
        read_lost = [max(0, read - sum(1 for n in sent if n in outcome.processed)) for sent, read in rounds]
        correlated = sorted(a["evidence"][0]["fields"]["user.name"] for a in stored_alerts(self.tree.data)
                            if a["rule"]["id"] == CORRELATION_ID)
        complete = sorted(f"group{g}" for g in range(ROUNDS - PARTS + 1))
        report("kill_9", rounds=ROUNDS, sent=self.events.next, acknowledged=len(acknowledged),
               http_acknowledged=len(self.load.acked), kafka_committed=len(kafka_produced),
               **outcome.figures(), correlation_alerts=len(correlated), correlation_expected=len(complete),
               tcp_sent=sum(len(sent) for sent, _ in rounds), tcp_lost=sum(tcp_lost),
               tcp_lost_per_kill_max=max(tcp_lost), tcp_read_lost_per_kill_max=max(read_lost),
               window=WINDOW, rss_kib_max=max(rss), seconds=round(time.monotonic() - started, 1))
        self.assertGreater(len(self.load.acked), ROUNDS * PER_REQUEST)
        outcome.check(self)
        self.assertEqual(correlated, complete, "correlation alerts differ from the model")
        # Read before the kill and lost: at most the window and one read (64 KiB of lines).
        self.assertLessEqual(max(read_lost), WINDOW + 65536 // 40)


if __name__ == "__main__":
    unittest.main()
