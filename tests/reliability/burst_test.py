#!/usr/bin/env python3
"""A burst of ten times the steady rate, on each transport: TCP, HTTP and Kafka lose nothing
and push back where it shows (reading paused, 503 with Retry-After, partitions paused); UDP,
which cannot push back, loses exactly what its drop counters say.

Each case runs its own vigild with one worker (so the burst outruns it): two seconds at the
steady rate, one burst sent as fast as the client goes (at least ten times the steady rate),
two seconds steady again. Every event carries the marker, so every processed event has one
alert; the figures are the events sent, acknowledged, processed, lost and duplicated.
"""

import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliability import EventStream, Outcome, report, rss_kib  # noqa: E402
from vigil_harness import KafkaMock, TempTree, Vigild, wait_until  # noqa: E402

# Events per second. Every event raises an alert here, so over TCP (which pushes back) the burst
# goes at the alert stage's pace; since alerts are graded and their deadlines stored
# (issue 16) that is about 48,000/s on the 2-core CI machine (README "Alert stage").
STEADY_RATE = 4000
STEADY_SECONDS = 2
# librdkafka's mock cluster keeps about 5 MB per partition (older messages are deleted, as by
# retention): the Kafka burst stays well below that over its four partitions, spread evenly
# (records without a key go to random partitions one by one, not batch by batch as librdkafka's
# sticky partitioner sends them: that put up to 70% of the burst into one partition).
BURST = {"tcp": 200000, "http": 150000, "kafka": 100000, "udp": 100000}
HTTP_PER_REQUEST = 1000
HTTP_PARALLEL = 100


class Burst(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.events = EventStream()
        self.events.add_rules(self.tree)
        self.mock = None

    def tearDown(self):
        if self.mock:
            self.mock.stop()
        self.tree.cleanup()

    def daemon(self, extra=""):
        return Vigild(self.tree, extra_config="outputs:\n  stdout: false\n" + extra, workers=1).start()

    def run_phases(self, send):
        """Steady, burst, steady; `send(numbers)` sends one slice (and may return how long
        offering it took, when it also waits for answers). Returns the burst's offered rate."""
        self.steady(send)
        numbers = self.events.take(BURST[self.transport])
        started = time.monotonic()
        offered = send(numbers) or time.monotonic() - started
        rate = len(numbers) / offered
        self.steady(send)
        self.assertGreaterEqual(rate, 10 * STEADY_RATE, "the burst was not ten times the steady rate")
        return round(rate)

    def steady(self, send):
        tick = time.monotonic()
        for _ in range(STEADY_SECONDS * 10):
            send(self.events.take(STEADY_RATE // 10))
            tick += 0.1
            time.sleep(max(0.0, tick - time.monotonic()))  # pacing, not a wait for a condition

    def stop(self, d):
        """Stops vigild; its RSS just before."""
        rss = rss_kib(d.process.pid)
        self.assertEqual(d.stop(), 0, d.log())
        return rss

    def outcome(self, wanted, **figures):
        """Reports and checks: every event in `wanted` processed once."""
        outcome = Outcome(self.events, self.tree.data, wanted)
        report(f"burst_{self.transport}", sent=self.events.next, **outcome.figures(), **figures)
        outcome.check(self)

    def test_tcp(self):
        self.transport = "tcp"
        d = self.daemon()
        with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=60) as s:
            rate = self.run_phases(lambda numbers: s.sendall(self.events.syslog_lines(numbers)))
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tcp") == self.events.next,
                   "every line read", deadline=60)
        waits = (d.metric("vigil_backpressure_waits_total", source="syslog_tcp")
                 + d.metric("vigil_unconfirmed_window_waits_total", source="syslog_tcp"))
        rss = self.stop(d)
        self.outcome(range(self.events.next), burst_rate=rate, reading_paused=waits, rss_kib=rss)
        self.assertGreater(waits, 0, "the burst never paused reading")

    def test_http(self):
        self.transport = "http"
        d = self.daemon()
        self.acked, self.refused = set(), 0
        rate = self.run_phases(lambda numbers: self.post_until_acknowledged(d, numbers))
        refused = {result: d.metric("vigil_http_ingest_requests_total", endpoint="ingest", result=result)
                   for result in ("busy", "not_durable")}
        rss = self.stop(d)
        self.outcome(sorted(self.acked), acknowledged=len(self.acked), burst_rate=rate,
                     answered_503=self.refused, **refused, rss_kib=rss)
        self.assertEqual(self.refused, sum(refused.values()), "503 answers differ from the counters")
        self.assertEqual(len(self.acked), self.events.next, "not every event was acknowledged")
        self.assertGreater(self.refused, 0, "the burst was never refused with 503")

    def post_until_acknowledged(self, d, numbers, deadline=120):
        """curl --parallel posts the slice in requests of HTTP_PER_REQUEST events; the ones not
        answered 200 are sent again after their Retry-After. Returns how long the first round
        took (the slice offered once)."""
        pending = [numbers[i:i + HTTP_PER_REQUEST] for i in range(0, len(numbers), HTTP_PER_REQUEST)]
        started = time.monotonic()
        end = started + deadline
        first_round = None
        with tempfile.TemporaryDirectory() as work:
            while pending:
                self.assertLess(time.monotonic(), end, f"{len(pending)} requests never acknowledged")
                args = ["curl", "-sS", "--parallel", "--parallel-max", str(HTTP_PARALLEL)]
                for i, chunk in enumerate(pending):
                    body = pathlib.Path(work) / f"{i}.ndjson"
                    body.write_bytes(self.events.json_lines(chunk))
                    # Options after --next apply to the next request only; its answer is named by
                    # the request's index.
                    args += (["--next"] if i else []) + [
                        "-m", "30", "-o", "/dev/null", "-w", f"{i} %{{http_code}}\n", "-X", "POST",
                        "--data-binary", f"@{body}", f"http://127.0.0.1:{d.http_port}/ingest"]
                result = subprocess.run(args, capture_output=True, text=True, timeout=deadline)
                codes = dict(line.split() for line in result.stdout.splitlines())
                first_round = first_round or time.monotonic() - started
                retry = []
                for i, chunk in enumerate(pending):
                    if codes.get(str(i)) == "200":
                        self.acked.update(chunk)
                    else:
                        self.refused += codes.get(str(i)) == "503"
                        retry.append(chunk)
                pending = retry
                if pending:
                    time.sleep(1)  # the Retry-After vigild answered with
        return first_round

    def test_kafka(self):
        self.transport = "kafka"
        self.mock = KafkaMock("burst:4")
        d = self.daemon(f"kafka:\n  brokers: {self.mock.bootstrap}\n  topics: [burst]\n  group_id: vigil-burst\n"
                        f"  commit_interval: 200ms\n")
        rate = self.run_phases(lambda numbers: self.mock.produce(
            "burst", self.events.syslog_lines(numbers).decode().splitlines(),
            "-X", "sticky.partitioning.linger.ms=0"))
        held = [self.mock.low_watermark("burst", p) for p in range(4)]
        self.assertEqual(held, [0] * 4, "the mock broker deleted records before they were read")

        def committed():
            return sum(v for _, v in d.metric_samples("vigil_kafka_committed_offset"))
        wait_until(lambda: committed() == self.events.next, "every offset committed", deadline=120)
        pauses = d.metric("vigil_kafka_pauses_total") + d.metric("vigil_backpressure_waits_total", source="kafka")
        skipped = d.metric("vigil_kafka_offsets_skipped_total")
        rss = self.stop(d)
        self.outcome(range(self.events.next), committed=self.events.next, burst_rate=rate,
                     consumption_paused=pauses, offsets_skipped=skipped, rss_kib=rss)
        self.assertGreater(pauses, 0, "the burst never paused consumption")

    def test_udp(self):
        self.transport = "udp"
        d = self.daemon()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            target = ("127.0.0.1", d.udp_port)

            def send(numbers):
                for n in numbers:
                    s.sendto(self.events.syslog_lines([n]), target)
            rate = self.run_phases(send)

            # The kernel reports its drops with the next datagram it queues: trickle numbered
            # datagrams until every one sent is either taken or counted as dropped by the kernel.
            def accounted():
                send(self.events.take(1))
                return (d.metric("vigil_received_total", source="syslog_udp")
                        + d.metric("vigil_dropped_total", source="syslog_udp", reason="kernel_buffer_overflow")
                        == self.events.next)
            wait_until(accounted, "every datagram taken or counted as dropped", deadline=60, interval=0.05)
        dropped = {labels["reason"]: int(v) for labels, v in d.metric_samples("vigil_dropped_total")
                   if labels.get("source") == "syslog_udp" and v}
        wait_until(lambda: d.metric("vigil_rule_matches_total") + sum(dropped.values()) >= self.events.next,
                   "every datagram not dropped matched", deadline=60)
        rss = self.stop(d)
        processed = self.events.processed(self.tree.data)
        lost = self.events.next - len(processed)
        report("burst_udp", sent=self.events.next, processed=len(processed), lost=lost,
               dropped_counted=sum(dropped.values()),
               **{f"dropped_{reason}": n for reason, n in dropped.items()}, burst_rate=rate, rss_kib=rss)
        self.assertEqual(lost, sum(dropped.values()), "UDP loss differs from the drop counters")
        self.assertGreater(lost, 0, "the burst lost nothing: it did not outrun the socket")


if __name__ == "__main__":
    unittest.main()
