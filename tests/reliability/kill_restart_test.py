#!/usr/bin/env python3
"""`kill -9` during ingest, again and again, each followed by a restart: every event an HTTP
200 acknowledged is processed (its alert stored), none twice, and the syslog TCP loss window
(what was read but not durable when the process died) stays within syslog.max_unconfirmed_records.

Each round starts vigild on the same data directory, sends numbered events over HTTP (curl,
several requests at once) and over TCP, and kills vigild with SIGKILL at a random moment.
Events whose request was not answered 200 may or may not be processed (at-least-once); every
acknowledged one must be.
"""

import os
import random
import signal
import sys
import threading
import time
import pathlib
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, Load, report, rss_kib  # noqa: E402
from vigil_harness import TempTree, Vigild, wait_until  # noqa: E402

ROUNDS = int(os.environ.get("VIGIL_KILL_ROUNDS", "20"))
PER_REQUEST = 500
CLIENTS = 3
WINDOW = 5000


class KillRestart(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.events = EventStream()
        self.events.add_rules(self.tree)
        self.load = Load(self.events)

    def tearDown(self):
        self.tree.cleanup()

    def daemon(self):
        return Vigild(self.tree, extra_config="outputs:\n  stdout: false\n",
                      syslog_extra=f"  max_unconfirmed_records: {WINDOW}\n")

    def test_kill_9_loses_nothing_acknowledged(self):
        rng = random.Random(int(os.environ.get("VIGIL_KILL_SEED", "14")))
        rounds = []  # per round: TCP events the kernel took, records vigild had read at the kill
        rss = []
        started = time.monotonic()
        for _ in range(ROUNDS):
            d = self.daemon().start()
            stop = threading.Event()
            tcp_sent = []
            threads = [threading.Thread(target=self.load.http_client, args=(d, stop, PER_REQUEST))
                       for _ in range(CLIENTS)]
            threads.append(threading.Thread(target=self.load.tcp_sender, args=(d, tcp_sent)))
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 1.2))  # the moment of the crash, not a wait for a condition
            rss.append(rss_kib(d.process.pid))
            read = d.metric("vigil_received_total", source="syslog_tcp")
            d.process.send_signal(signal.SIGKILL)
            d.process.wait()
            stop.set()
            for t in threads:
                t.join(30)
            rounds.append((tcp_sent, read))
        # The store as the crashes left it, after one more start (which replays RocksDB's WAL).
        d = self.daemon().start()
        self.assertEqual(d.stop(), 0, d.log())
        processed = self.events.processed(self.tree.data)
        lost = sorted(n for n in self.load.acked if n not in processed)
        duplicated = sorted(n for n, c in processed.items() if c > 1)
        # TCP has no acknowledgement: a crash loses what vigild read and had not made durable
        # (bounded by the window) plus what the kernel had taken and vigild had not read yet.
        tcp_lost = [sum(1 for n in sent if n not in processed) for sent, _ in rounds]
        read_lost = [max(0, read - sum(1 for n in sent if n in processed)) for sent, read in rounds]
        report("kill_9", rounds=ROUNDS, sent=self.events.next, acknowledged=len(self.load.acked),
               processed=len(processed), lost=len(lost), duplicated=len(duplicated),
               tcp_sent=sum(len(sent) for sent, _ in rounds), tcp_lost=sum(tcp_lost),
               tcp_lost_per_kill_max=max(tcp_lost), tcp_read_lost_per_kill_max=max(read_lost),
               window=WINDOW, rss_kib_max=max(rss), seconds=round(time.monotonic() - started, 1))
        self.assertGreater(len(self.load.acked), ROUNDS * PER_REQUEST)
        self.assertEqual(lost, [], f"{len(lost)} acknowledged events not processed")
        self.assertEqual(duplicated, [])
        # Read before the kill and lost: at most the window and one read (64 KiB of lines).
        self.assertLessEqual(max(read_lost), WINDOW + 65536 // 40)


if __name__ == "__main__":
    unittest.main()
