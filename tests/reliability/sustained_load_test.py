#!/usr/bin/env python3
"""Sustained load for minutes: vigild's resident memory stays bounded and flat, and every event
is processed.

One TCP connection streams RFC 5424 lines stamped now from a thousand hosts at a fixed pace and
two curl clients post JSON events; one event in fifty carries the marker (an alert each), and a
correlation counts marked events per host over ten seconds (a thousand keys whose windows open
and close as event time advances). RSS is sampled every few seconds. After a warm-up third, the
last third may not grow past the middle third's peak by more than a small margin (memtables,
caches and windows have reached their caps), and no sample may pass the bound.
"""

import os
import pathlib
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, Load, Outcome, report, rss_kib  # noqa: E402
from vigil_harness import TempTree, Vigild, wait_until  # noqa: E402

SECONDS = float(os.environ.get("VIGIL_SUSTAINED_SECONDS", "180"))
TCP_RATE = 20000  # lines per second
MARKED_EVERY = 50
SAMPLE_EVERY = 5.0
RSS_BOUND_KIB = 768 * 1024
FLAT_MARGIN_KIB = 48 * 1024


class SustainedLoad(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.events = EventStream()
        self.events.add_rules(self.tree)
        # The correlation's own base rule: a rule a correlation names raises no alert itself.
        self.tree.add_rule("per_host.yml", f"""title: marked syslog event
id: 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4c
name: marked_syslog_event
logsource: {{product: linux}}
detection:
  keywords: ['{self.events.marker}']
  condition: keywords
---
title: marked events per host
id: 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
level: low
correlation:
  type: event_count
  rules: [marked_syslog_event]
  group-by: [host.name]
  timespan: 10s
  condition: {{gte: 1000}}
""")
        self.load = Load(self.events)

    def tearDown(self):
        self.tree.cleanup()

    def tcp_stream(self, d, stop, sent):
        """TCP_RATE lines a second in slices of 100 ms, stamped now."""
        with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=30) as s:
            tick = time.monotonic()
            while not stop.is_set():
                numbers = self.load.take(TCP_RATE // 10)
                s.sendall(self.events.current_syslog_lines(numbers, MARKED_EVERY))
                sent.extend(numbers)
                tick += 0.1
                time.sleep(max(0.0, tick - time.monotonic()))

    def http_client(self, d, stop, acked):
        while not stop.is_set():
            numbers = self.load.take(500)
            code, _ = d.curl_input("/ingest", self.events.json_lines(numbers, marked_every=MARKED_EVERY),
                                   "-X", "POST", "--data-binary", "@-")
            if code == 200:
                acked.extend(numbers)
            time.sleep(0.05)

    def test_rss_stays_flat_under_minutes_of_load(self):
        d = Vigild(self.tree, extra_config="outputs:\n  stdout: false\n").start()
        stop = threading.Event()
        tcp_sent, http_acked = [], []
        threads = [threading.Thread(target=self.tcp_stream, args=(d, stop, tcp_sent))]
        threads += [threading.Thread(target=self.http_client, args=(d, stop, http_acked)) for _ in range(2)]
        for t in threads:
            t.start()
        samples = []
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            time.sleep(SAMPLE_EVERY)  # the sampling period, not a wait for a condition
            samples.append(rss_kib(d.process.pid))
        stop.set()
        for t in threads:
            t.join(30)
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tcp") == len(tcp_sent),
                   "every TCP line read", deadline=60)
        marked = [n for n in tcp_sent + http_acked if n % MARKED_EVERY == 0]
        wait_until(lambda: d.metric("vigil_rule_matches_total") >= len(marked), "every marked event matched",
                   deadline=60)
        self.assertEqual(d.stop(), 0, d.log())
        outcome = Outcome(self.events, self.tree.data, marked)
        third = len(samples) // 3
        middle_peak, last_peak = max(samples[third:2 * third]), max(samples[2 * third:])
        report("sustained_load", seconds=round(time.monotonic() - started), sent=self.events.next,
               tcp_sent=len(tcp_sent), http_acknowledged=len(http_acked), marked=len(marked),
               **outcome.figures(),
               rss_kib_first=samples[0], rss_kib_middle_peak=middle_peak, rss_kib_last_peak=last_peak,
               rss_kib_max=max(samples))
        print("RSS samples (KiB, every %gs): %s" % (SAMPLE_EVERY, " ".join(map(str, samples))))
        outcome.check(self)
        self.assertLessEqual(max(samples), RSS_BOUND_KIB)
        self.assertLessEqual(last_peak, middle_peak + FLAT_MARGIN_KIB, "RSS still growing in the last third")


if __name__ == "__main__":
    unittest.main()
