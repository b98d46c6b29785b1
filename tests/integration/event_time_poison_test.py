#!/usr/bin/env python3
"""One bad clock does not blind correlation (issue 12).

- A syslog line dated 2099 (itself a failed login) arrives before a brute force (eight sshd "Failed password" lines
  from one address at the current time, RFC 5424, over TCP). Its event time is more than
  time.max_future_skew ahead of its receipt, so it is re-timed to the receipt (the original kept
  in event.original_time) and counted in vigil_input_future_skewed_total: it must not carry the
  watermark to 2099, so the brute force still alerts, none of its failures is late, and a
  second brute force after a restart on the same data directory (the checkpointed watermark)
  alerts too. A single-event rule that matches the 2099 line shows the re-timed event.
- A source two hours behind (a second TCP connection sending events stamped two hours ago,
  beside one sending current ones, both continuously for a few seconds) is lagging: it does not
  hold the watermark back, so the current source's brute force alerts; the metrics name it
  (vigil_input_lagging 1, vigil_input_watermark_lag_seconds about 7200) and count its matches as
  late with reason lagging_input.

allowed_lateness and idle_timeout are 1 s, so alerts come about a second after the events that
complete them; every wait is for a condition, with a deadline.
"""

import datetime
import pathlib
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import TempTree, Vigild, rfc3339_ms, stored_alerts, wait_until  # noqa: E402

BRUTE_FORCE_ID = "b6f0d2a4-1c3e-4f5a-8b7c-9d0e1f2a3b41"
CANARY_ID = "b6f0d2a4-1c3e-4f5a-8b7c-9d0e1f2a3b42"
RULES = f"""title: SSH brute force from one source address (as the shipped pack's)
id: {BRUTE_FORCE_ID}
level: medium
correlation:
  type: event_count
  rules: [poison_ssh_failed]
  group-by: [source.ip]
  timespan: 2m
  condition: {{gte: 8}}
  suppress: 30m
---
title: SSH login failure from a remote address
id: b6f0d2a4-1c3e-4f5a-8b7c-9d0e1f2a3b40
name: poison_ssh_failed
logsource: {{product: linux, service: syslog}}
detection:
  failed_login: {{event.action: ssh_login, event.outcome: failure}}
  remote: {{source.ip|exists: true}}
  condition: failed_login and remote
---
title: a record from the device with the broken clock
id: {CANARY_ID}
level: low
logsource: {{product: linux}}
detection:
  keywords: ['vigil-poison-canary']
  condition: keywords
"""
CONFIG = """time:
  max_future_skew: 5m
correlation:
  allowed_lateness: 1s
  idle_timeout: 1s
  checkpoint_interval: 200ms
"""
FUTURE = "2099-01-01T00:00:00.000Z"
TWO_HOURS_MS = 2 * 3600 * 1000


def now_ms():
    return int(time.time() * 1000)


def stamp(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def failure(ms, address, user="root"):
    return (f"<38>1 {stamp(ms)} bastion sshd 4242 - - Failed password for {user} from {address} "
            f"port 40022 ssh2\n").encode()


def input_label(connection):
    """The name vigild gives a TCP connection's input: "syslog_tcp ADDRESS:PORT" of the peer."""
    address, port = connection.getsockname()[:2]
    return f"syslog_tcp {address}:{port}"


def alerts_of(data, rule_id, **key):
    return [a for a in stored_alerts(data, "--rule", rule_id) if not key or a.get("key") == key]


class EventTimePoison(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.tree.add_rule("poison.yml", RULES)
        # One worker, one correlator shard: the 2099 line and the brute force meet the same
        # shard whatever their keys hash to (an engine with a clock per shard is caught too).
        self.daemon = Vigild(self.tree, extra_config=CONFIG, workers=1).start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def brute_force(self, connection, address):
        start = now_ms()
        for i, user in enumerate(["root", "admin", "oracle", "test", "guest", "ubuntu", "pi", "user"]):
            connection.sendall(failure(start + 10 * i, address, user))

    def test_a_line_dated_2099_does_not_blind_correlation_before_or_after_a_restart(self):
        d = self.daemon
        with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=10) as connection:
            sent = now_ms()
            # A failed login itself: it feeds the brute-force correlation (its own address) and the
            # canary rule.
            connection.sendall(f"<38>1 {FUTURE} badclock sshd 77 - - Failed password for vigil-poison-canary "
                               f"from 192.0.2.99 port 40022 ssh2\n".encode())
            self.brute_force(connection, "203.0.113.50")
            wait_until(lambda: alerts_of(self.tree.data, BRUTE_FORCE_ID, **{"source.ip": "203.0.113.50"}),
                       "the brute-force alert after the 2099 line", deadline=20)
            label = input_label(connection)
            self.assertEqual(d.metric_value("vigil_input_future_skewed_total", input=label), 1,
                             d.metric_samples("vigil_input_future_skewed_total"))
            self.assertEqual(d.metric_value("vigil_future_skewed_events_total"), 1)
            self.assertEqual(d.metric_value("vigil_correlation_late_events_total"), 0)

        [alert] = alerts_of(self.tree.data, BRUTE_FORCE_ID)
        self.assertEqual(alert["count"], 8)
        self.assertEqual(alert["key"], {"source.ip": "203.0.113.50"})

        # The canary: re-timed to its receipt, the original time kept.
        [canary] = wait_until(lambda: alerts_of(self.tree.data, CANARY_ID), "the 2099 line's own alert")
        evidence = canary["evidence"][0]
        self.assertTrue(evidence["fields"].get("event.original_time", "").startswith("2099-01-01T00:00:00"),
                        evidence["fields"])
        times = {name: value for name, value in (("event_time", canary.get("event_time")),
                                                 ("@timestamp", evidence.get("@timestamp"))) if value}
        self.assertTrue(times, canary)
        for name, value in times.items():
            self.assertLess(abs(rfc3339_ms(value) - sent), 60_000, f"{name} {value} is not the receipt time")

        # After a restart (the checkpointed state and watermark restored), another address.
        self.assertEqual(d.stop(), 0, d.log())
        d.start()
        with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=10) as connection:
            self.brute_force(connection, "203.0.113.51")
            wait_until(lambda: alerts_of(self.tree.data, BRUTE_FORCE_ID, **{"source.ip": "203.0.113.51"}),
                       "the brute-force alert after the restart", deadline=20)
        self.assertEqual(d.metric_value("vigil_correlation_late_events_total"), 0)
        self.assertEqual(d.stop(), 0, d.log())
        self.assertEqual(len(alerts_of(self.tree.data, BRUTE_FORCE_ID)), 2)

    def test_a_source_two_hours_behind_is_lagging_and_does_not_hold_the_others_back(self):
        d = self.daemon
        normal = socket.create_connection(("127.0.0.1", d.tcp_port), timeout=10)
        behind = socket.create_connection(("127.0.0.1", d.tcp_port), timeout=10)
        stop = threading.Event()
        errors = []

        def send():
            # Both sources, side by side, every 100 ms: failures from one address each.
            try:
                i = 0
                while not stop.is_set():
                    ms = now_ms()
                    normal.sendall(failure(ms, "203.0.113.60", f"user{i}"))
                    behind.sendall(failure(ms - TWO_HOURS_MS, "198.51.100.70", f"user{i}"))
                    i += 1
                    stop.wait(0.1)
            except OSError as e:
                errors.append(e)

        sender = threading.Thread(target=send, daemon=True)
        started = time.monotonic()
        sender.start()
        try:
            lagging, current = input_label(behind), input_label(normal)
            wait_until(lambda: d.metric_value("vigil_input_lagging", input=lagging) == 1,
                       f"vigil_input_lagging{{input=\"{lagging}\"}} 1", deadline=20)
            lag = d.metric_value("vigil_input_watermark_lag_seconds", input=lagging)
            self.assertAlmostEqual(lag, 7200, delta=60)
            self.assertEqual(d.metric_value("vigil_input_lagging", input=current), 0)
            self.assertGreaterEqual(d.metric_value("vigil_inputs", state="lagging"), 1)
            wait_until(lambda: d.metric_value("vigil_input_late_events_total", input=lagging,
                                              reason="lagging_input") >= 1,
                       "the lagging source's matches counted late (lagging_input)", deadline=20)
            wait_until(lambda: alerts_of(self.tree.data, BRUTE_FORCE_ID, **{"source.ip": "203.0.113.60"}),
                       "the current source's brute-force alert", deadline=20)
            # Continuous for a few seconds at least.
            wait_until(lambda: time.monotonic() - started >= 3, "three seconds of sending", deadline=10)
            self.assertEqual(d.metric_value("vigil_input_late_events_total", input=current), 0)
            self.assertEqual(d.metric_value("vigil_input_lagging", input=lagging), 1)
        finally:
            stop.set()
            sender.join(10)
            normal.close()
            behind.close()
        self.assertEqual(errors, [])
        self.assertEqual(d.stop(), 0, d.log())


if __name__ == "__main__":
    unittest.main()
