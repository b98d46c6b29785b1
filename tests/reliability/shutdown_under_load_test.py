#!/usr/bin/env python3
"""SIGTERM under load: HTTP clients and a TCP sender keep sending while vigild is told to stop.
It must exit 0 within 10 s, and every event an HTTP 200 acknowledged must be processed (its
alert stored); what TCP delivered before the stop is processed too, as far as vigild read it.
"""

import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, report, rss_kib  # noqa: E402
from vigil_harness import TempTree, Vigild, wait_until  # noqa: E402

PER_REQUEST = 500
CLIENTS = 3


class ShutdownUnderLoad(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.events = EventStream()
        self.events.add_rules(self.tree)
        self.acked = set()
        self.lock = threading.Lock()

    def tearDown(self):
        self.tree.cleanup()

    def client(self, d, stop):
        while not stop.is_set():
            with self.lock:
                numbers = self.events.take(PER_REQUEST)
            result = subprocess.run(
                ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-m", "20", "-X", "POST",
                 "--data-binary", "@-", f"http://127.0.0.1:{d.http_port}/ingest"],
                input=self.events.json_lines(numbers), capture_output=True, timeout=30)
            if result.stdout == b"200":
                with self.lock:
                    self.acked.update(numbers)
            elif result.returncode != 0:
                return

    def tcp_sender(self, d, sent):
        try:
            with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=5) as s:
                while True:
                    with self.lock:
                        numbers = self.events.take(200)
                    s.sendall(self.events.syslog_lines(numbers))
                    sent.extend(numbers)
                    time.sleep(0.002)  # steady load; counting a flood's alerts takes long
        except OSError:
            return

    def test_sigterm_under_load(self):
        d = Vigild(self.tree, extra_config="outputs:\n  stdout: false\n").start()
        stop = threading.Event()
        tcp_sent = []
        threads = [threading.Thread(target=self.client, args=(d, stop)) for _ in range(CLIENTS)]
        threads.append(threading.Thread(target=self.tcp_sender, args=(d, tcp_sent)))
        for t in threads:
            t.start()
        wait_until(lambda: len(self.acked) >= 10 * PER_REQUEST, "load under way")
        rss = rss_kib(d.process.pid)
        started = time.monotonic()
        d.process.send_signal(signal.SIGTERM)
        code = d.process.wait(30)
        took = time.monotonic() - started
        stop.set()
        for t in threads:
            t.join(30)
        processed = self.events.processed(self.tree.data)
        lost = sorted(n for n in self.acked if n not in processed)
        duplicated = sorted(n for n, c in processed.items() if c > 1)
        report("sigterm_under_load", sent=self.events.next, acknowledged=len(self.acked),
               processed=len(processed), lost=len(lost), duplicated=len(duplicated),
               tcp_sent=len(tcp_sent), exit_seconds=round(took, 2), rss_kib=rss)
        self.assertEqual(code, 0, d.log())
        self.assertLess(took, 10.0)
        self.assertEqual(lost, [], f"{len(lost)} acknowledged events not processed")
        self.assertEqual(duplicated, [])


if __name__ == "__main__":
    unittest.main()
