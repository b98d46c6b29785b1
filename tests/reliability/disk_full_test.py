#!/usr/bin/env python3
"""A full disk (a small tmpfs under the data directory): no crash and no crash loop, a clear
error, /healthz not ready with the reason, back-pressure on the sources (HTTP not acknowledged,
TCP reading paused), and recovery on its own once space returns, with every event that was
taken processed. Then a start while the disk is full: vigild waits with a clear message and
starts once space returns.

Needs root for the tmpfs mount (CI runs as root); elsewhere the test reports itself skipped.
"""

import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, Outcome, report, rss_kib  # noqa: E402
from vigil_harness import TempTree, Vigild, wait_until  # noqa: E402

DISK_BYTES = 64 * 1024 * 1024
MIN_FREE = 8 * 1024 * 1024
WINDOW = 1000


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


class DiskFull(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("mounting a tmpfs needs root")
        self.tree = TempTree()
        self.disk = self.tree.root / "disk"
        self.disk.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(self.disk)],
                       check=True)
        self.tree.data = self.disk / "var"
        self.filler = self.disk / "filler"
        self.events = EventStream()
        self.events.add_rules(self.tree)
        self.config = f"outputs:\n  stdout: false\nmin_free_disk_bytes: {MIN_FREE}\n"
        self.daemon = None

    def tearDown(self):
        if self.daemon and self.daemon.process and self.daemon.process.poll() not in (None, 0):
            print("vigild exited", self.daemon.process.returncode, "\n" + self.daemon.log()[-3000:])
        if self.daemon:
            self.daemon.kill()
        subprocess.run(["umount", "-l", str(self.disk)], check=False)
        self.tree.cleanup()

    def fill_to(self, left):
        """Leaves `left` bytes free on the tmpfs (another program filling the disk)."""
        size = self.filler.stat().st_size if self.filler.exists() else 0
        grow = free_bytes(self.disk) - left
        with open(self.filler, "ab") as f:
            f.truncate(size + max(grow, 0))
            # tmpfs allocates on write, not on truncate.
            f.seek(size)
            chunk = b"\0" * (1 << 20)
            remaining = grow
            while remaining > 0:
                f.write(chunk[:min(remaining, len(chunk))])
                remaining -= len(chunk)

    def post(self, numbers, timeout_args=("-m", "20")):
        return self.daemon.curl_input("/ingest", self.events.json_lines(numbers), "-X", "POST",
                                      "--data-binary", "@-", *timeout_args)

    def test_full_disk_pushes_back_and_recovers(self):
        d = self.daemon = Vigild(self.tree, extra_config=self.config,
                                 syslog_extra=f"  max_unconfirmed_records: {WINDOW}\n",
                                 http_extra="  ack_timeout: 2s\n").start()
        before = self.events.take(100)
        self.assertEqual(self.post(before), (200, '{"accepted":100}'))

        self.fill_to(MIN_FREE // 2)
        wait_until(lambda: d.curl("/healthz")[0] == 503, "/healthz not ready on a full disk")
        code, health = d.curl("/healthz")
        self.assertIn('"alert_store":{"ready":false,"reason":"disk full:', health)
        self.assertIn("below min_free_disk_bytes", health)
        self.assertEqual(d.metric("vigil_store_disk_full"), 1)

        # HTTP: taken, but not durable in time: 503, not 200.
        during = self.events.take(100)
        code, body = self.post(during)
        self.assertEqual(code, 503, body)
        self.assertIn("not stored within 2000 ms", body)
        self.assertGreaterEqual(d.metric("vigil_http_ingest_requests_total", endpoint="ingest",
                                         result="not_durable"), 1)
        # TCP: reading pauses once syslog.max_unconfirmed_records are read and not durable.
        tcp_events = self.events.take(3 * WINDOW)
        sender = threading.Thread(target=self.send_tcp, args=(self.events.syslog_lines(tcp_events),))
        sender.start()
        wait_until(lambda: d.metric("vigil_unconfirmed_window_waits_total", source="syslog_tcp") > 0,
                   "TCP reading paused on the full disk", deadline=60)
        received = d.metric("vigil_received_total", source="syslog_tcp")
        self.assertLess(received, len(tcp_events))
        self.assertIsNone(d.process.poll(), "vigild must not exit on a full disk")
        self.assertTrue(any("disk full" in line and "retrying" in line for line in d.log_lines), d.log())

        # Space returns: everything resumes on its own.
        self.filler.unlink()
        wait_until(lambda: d.curl("/healthz")[0] == 200, "/healthz ready once space returns", deadline=30)
        sender.join(120)
        self.assertFalse(sender.is_alive())
        after = self.events.take(100)
        self.assertEqual(self.post(after), (200, '{"accepted":100}'), d.log())
        everything = list(before) + list(during) + list(tcp_events) + list(after)
        wait_until(lambda: d.metric("vigil_alerts_stored_total") >= len(everything),
                   "every event taken stored", deadline=120)
        rss = rss_kib(d.process.pid)
        self.assertEqual(d.stop(), 0, d.log())
        outcome = Outcome(self.events, self.tree.data, everything)
        report("disk_full", sent=len(everything), acknowledged=len(before) + len(after),
               **outcome.figures(), tcp_read_while_full=received, rss_kib=rss)
        outcome.check(self)

    def send_tcp(self, payload):
        with socket.create_connection(("127.0.0.1", self.daemon.tcp_port), timeout=120) as s:
            s.sendall(payload)

    def test_start_on_a_full_disk_waits_and_then_starts(self):
        Vigild(self.tree, extra_config=self.config).start().stop()  # the database exists
        self.fill_to(MIN_FREE // 2)
        d = self.daemon = Vigild(self.tree, extra_config=self.config)
        process_started = threading.Thread(target=d.start)
        process_started.start()
        wait_until(lambda: d.process is not None and any(
            "waiting for space before opening the alert store" in line for line in d.log_lines),
            "a clear message that vigild waits for space")
        self.assertIsNone(d.process.poll(), "no exit, so no crash loop")
        self.filler.unlink()
        process_started.join(60)
        self.assertEqual(d.curl("/healthz")[0], 200)
        self.assertTrue(any("disk space is back" in line for line in d.log_lines), d.log())
        self.assertEqual(d.stop(), 0, d.log())


if __name__ == "__main__":
    unittest.main()
