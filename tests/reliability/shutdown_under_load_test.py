#!/usr/bin/env python3
"""SIGTERM under load: HTTP clients and a TCP sender keep sending while vigild is told to stop.
It must exit 0 within 10 s, and every event an HTTP 200 acknowledged must be processed (its
alert stored); what TCP delivered before the stop is processed too, as far as vigild read it.
"""

import pathlib
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, Load, Outcome, report, rss_kib  # noqa: E402
from vigil_harness import TempTree, Vigild, wait_until  # noqa: E402

PER_REQUEST = 500
CLIENTS = 3


class ShutdownUnderLoad(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.events = EventStream()
        self.events.add_rules(self.tree)
        self.load = Load(self.events)

    def tearDown(self):
        self.tree.cleanup()

    def test_sigterm_under_load(self):
        d = Vigild(self.tree, extra_config="outputs:\n  stdout: false\n").start()
        stop = threading.Event()
        tcp_sent = []
        threads = [threading.Thread(target=self.load.http_client, args=(d, stop, PER_REQUEST))
                   for _ in range(CLIENTS)]
        # A steady stream, not a flood: counting a flood's alerts afterwards takes long.
        threads.append(threading.Thread(target=self.load.tcp_sender, args=(d, tcp_sent, stop, 0.005)))
        for t in threads:
            t.start()
        wait_until(lambda: len(self.load.acked) >= 10 * PER_REQUEST, "load under way")
        rss = rss_kib(d.process.pid)
        started = time.monotonic()
        d.process.send_signal(signal.SIGTERM)
        code = d.process.wait(30)
        took = time.monotonic() - started
        stop.set()
        for t in threads:
            t.join(30)
        outcome = Outcome(self.events, self.tree.data, self.load.acked)
        report("sigterm_under_load", sent=self.events.next, acknowledged=len(self.load.acked),
               **outcome.figures(),
               tcp_sent=len(tcp_sent), exit_seconds=round(took, 2), rss_kib=rss)
        self.assertEqual(code, 0, d.log())
        self.assertLess(took, 10.0)
        outcome.check(self)


if __name__ == "__main__":
    unittest.main()
