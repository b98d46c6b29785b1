#!/usr/bin/env python3
"""Correlation alerts are a function of the events' times and contents only (issue 12).

A seeded generator writes a few thousand RFC 5424 syslog lines in time order, with millisecond
timestamps: sshd failures and accepted logins, iptables denies and accepts, antivirus console
records (detections, definition updates as heartbeats, scans started and completed) and plain
application lines. Planted in it are correlations of every kind this test's rules use
(event_count, value_count, temporal, temporal_ordered, absence [A] and [A, B], suppressed
alerts that are updated) and their near misses (one event too few, spread beyond the timespan,
another key, the wrong order), background noise on other keys, and a filler tail of more than
an hour of event time in which nothing is decided.

The reference model (tests/support/event_time_model.py, no vigil code) computes the alerts the
contract (event_time_spec) requires. The same stream then goes through vigild in many shapes,
each run twice, and every run must store exactly those alerts (rule id, key, first_seen,
last_seen, count), with the same alert ids everywhere and no late events:

  workers 1, 2, 4 (shards as many as workers), one TCP connection;
  workers 2 with correlation.shards 1, 2, 4;
  four TCP connections, the stream split round-robin line by line;
  Kafka, three partitions, each with a time-ordered share;
  one TCP connection sent slowly, in chunks;
  `vigil replay FILE --rules DIR --json`.

A daemon run is done when every shard's vigil_correlation_watermark_seconds has reached the
stream's newest event time minus allowed_lateness; vigild is then stopped (SIGTERM) and its
alerts read with `vigil alerts --json`.

The reference model and the generator are checked first, on their own (ReferenceModel,
GeneratedStream): `python3 event_time_determinism_test.py ReferenceModel GeneratedStream` runs
them without vigild.
"""

import collections
import datetime
import json
import os
import pathlib
import random
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from event_time_model import Correlation, Event, expected_alerts  # noqa: E402
from vigil_harness import (VIGIL, KafkaMock, TempTree, Vigild, rfc3339_ms, stored_alerts, vigil,  # noqa: E402
                           wait_until)

SEED = int(os.environ.get("VIGIL_EVENT_TIME_SEED", "20261204"))
SECOND = 1000
MINUTE = 60 * SECOND
LATENESS_MS = 30 * SECOND
# The default max_input_lag: the stream is older than the wall clock, so no input is lagging
# however unevenly its connections or partitions are read (lagging sources are
# event_time_poison_test.py's subject).
CONFIG = """correlation:
  allowed_lateness: 30s
  idle_timeout: 2s
  shards: {shards}
"""
KAFKA_TOPIC = "events"
KAFKA_PARTITIONS = 3

# --- rules ----------------------------------------------------------------------------------

DETECTION_RULES = """title: sshd login failure
id: 7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f01
name: et_ssh_failed
logsource: {product: linux, service: syslog}
detection:
  selection: {event.action: ssh_login, event.outcome: failure}
  remote: {source.ip|exists: true}
  condition: selection and remote
---
title: sshd login accepted
id: 7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f02
name: et_ssh_accepted
logsource: {product: linux, service: syslog}
detection:
  selection: {event.action: ssh_login, event.outcome: success}
  remote: {source.ip|exists: true}
  condition: selection and remote
---
title: firewall deny
id: 7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f03
name: et_fw_deny
logsource: {category: firewall}
detection:
  selection: {event.action: deny, destination.port|exists: true}
  condition: selection
---
title: antivirus detection
id: 7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f04
name: et_av_detection
logsource: {category: antivirus}
detection:
  selection: {event.module: antivirus, event.code: virus_found, user.name|exists: true}
  condition: selection
---
title: antivirus definitions updated (the agent's heartbeat)
id: 7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f05
name: et_av_heartbeat
logsource: {category: antivirus}
detection:
  selection: {event.module: antivirus, event.code: definitions_updated}
  condition: selection
---
title: antivirus scan started
id: 7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f06
name: et_scan_started
logsource: {category: antivirus}
detection:
  selection: {event.module: antivirus, event.code: scan_started}
  condition: selection
---
title: antivirus scan completed
id: 7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f07
name: et_scan_completed
logsource: {category: antivirus}
detection:
  selection: {event.module: antivirus, event.code: scan_completed}
  condition: selection
"""

# What each detection rule above tests (log source; field -> value, "*" = present), for the check
# that vigil parses the generated lines into the fields and matches the model is given.
DETECTION = {
    "et_ssh_failed": ({"product": "linux", "service": "syslog"},
                      {"event.action": "ssh_login", "event.outcome": "failure", "source.ip": "*"}),
    "et_ssh_accepted": ({"product": "linux", "service": "syslog"},
                        {"event.action": "ssh_login", "event.outcome": "success", "source.ip": "*"}),
    "et_fw_deny": ({"category": "firewall"}, {"event.action": "deny", "destination.port": "*"}),
    "et_av_detection": ({"category": "antivirus"},
                        {"event.module": "antivirus", "event.code": "virus_found", "user.name": "*"}),
    "et_av_heartbeat": ({"category": "antivirus"}, {"event.module": "antivirus", "event.code": "definitions_updated"}),
    "et_scan_started": ({"category": "antivirus"}, {"event.module": "antivirus", "event.code": "scan_started"}),
    "et_scan_completed": ({"category": "antivirus"}, {"event.module": "antivirus", "event.code": "scan_completed"}),
}


def detection_matches(parsed):
    """The detection rules a `vigil parse` record matches, by DETECTION."""
    logsource, fields = parsed["logsource"], parsed["fields"]

    def has(key, want):
        got = logsource.get(key)
        return want in got if isinstance(got, list) else got == want

    return {name for name, (source, tests) in DETECTION.items()
            if all(has(k, v) for k, v in source.items())
            and all(fields.get(f) if v == "*" else (fields.get(f) or "").lower() == v for f, v in tests.items())}


BRUTE_FORCE = Correlation("7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f11", "event_count", ("et_ssh_failed",),
                          ("source.ip",), 2 * MINUTE, gte=5, suppress_ms=10 * MINUTE)
PORT_SCAN = Correlation("7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f12", "value_count", ("et_fw_deny",),
                        ("source.ip",), 1 * MINUTE, gte=8, field="destination.port", suppress_ms=5 * MINUTE)
LOGIN_AND_MALWARE = Correlation("7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f13", "temporal",
                                ("et_ssh_accepted", "et_av_detection"), ("host.name", "user.name"),
                                3 * MINUTE)
DENY_FAIL_ACCEPT = Correlation("7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f14", "temporal_ordered",
                               ("et_fw_deny", "et_ssh_failed", "et_ssh_accepted"), ("source.ip",),
                               5 * MINUTE)
AGENT_SILENT = Correlation("7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f15", "absence", ("et_av_heartbeat",),
                           ("host.name",), 5 * MINUTE)
SCAN_UNFINISHED = Correlation("7a1e0c52-3b8d-4f61-9e2a-5c4d3b2a1f16", "absence",
                              ("et_scan_started", "et_scan_completed"), ("host.name",), 4 * MINUTE)
CORRELATIONS = [BRUTE_FORCE, PORT_SCAN, LOGIN_AND_MALWARE, DENY_FAIL_ACCEPT, AGENT_SILENT, SCAN_UNFINISHED]
BY_ID = {c.id: c for c in CORRELATIONS}


def duration(ms):
    return f"{ms // SECOND}s"


def correlation_yaml(c):
    """The YAML document of a model correlation: the rules the test writes are these."""
    lines = [f"title: event-time test {c.type} {c.id[-2:]}", f"id: {c.id}", "level: high",
             "correlation:", f"  type: {c.type}", f"  rules: [{', '.join(c.rules)}]",
             f"  group-by: [{', '.join(c.group_by)}]", f"  timespan: {duration(c.timespan_ms)}"]
    if c.type in ("event_count", "value_count"):
        field = f"field: {c.field}, " if c.field else ""
        lines.append(f"  condition: {{{field}gte: {c.gte}}}")
    if c.suppress_ms:
        lines.append(f"  suppress: {duration(c.suppress_ms)}")
    return "\n".join(lines) + "\n"


def write_rules(directory):
    directory = pathlib.Path(directory)
    (directory / "event_time_detection.yml").write_text(DETECTION_RULES)
    (directory / "event_time_correlation.yml").write_text("---\n".join(correlation_yaml(c) for c in CORRELATIONS))


# --- the stream -----------------------------------------------------------------------------

T0 = int(datetime.datetime(2025, 3, 3, 8, 0, tzinfo=datetime.timezone.utc).timestamp() * 1000)
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yves",
         "root", "admin", "oracle", "test", "guest", "ubuntu", "pi", "postgres", "git", "deploy"]
MALWARE = ["Trojan.GenericKD.71234561", "Worm.Conficker.B", "Ransom.LockBit", "PUA.CoinMiner",
           "HackTool.Mimikatz"]


def stamp(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def record(ms, kind, rng, **f):
    """One syslog line of `kind` at `ms` and the Event the model sees (fields the correlations
    read, names of the detection rules the line matches)."""
    ts = stamp(ms)
    av = f'<132>1 {ts} avconsole AVServer - - - product="Example AV" vendor="Example Security"'
    if kind == "ssh_failed":
        line = (f"<38>1 {ts} {f['host']} sshd {rng.randint(1000, 60000)} - - Failed password for "
                f"{f['user']} from {f['ip']} port {rng.randint(1024, 65535)} ssh2")
        fields, rules = {"source.ip": f["ip"], "user.name": f["user"], "host.name": f["host"]}, {"et_ssh_failed"}
    elif kind == "ssh_accepted":
        line = (f"<38>1 {ts} {f['host']} sshd {rng.randint(1000, 60000)} - - Accepted password for "
                f"{f['user']} from {f['ip']} port {rng.randint(1024, 65535)} ssh2")
        fields, rules = {"source.ip": f["ip"], "user.name": f["user"], "host.name": f["host"]}, {"et_ssh_accepted"}
    elif kind in ("fw_deny", "fw_allow"):
        verdict = "DROP" if kind == "fw_deny" else "ACCEPT"
        line = (f"<4>1 {ts} fw1 kernel - - - [{rng.randint(1000, 999999)}.{rng.randint(100, 999)}] "
                f"{verdict} IN=eth0 OUT= MAC=00 SRC={f['ip']} DST=192.0.2.200 LEN=60 TOS=0x00 PREC=0x00 "
                f"TTL=50 ID={rng.randint(1, 65535)} DF PROTO=TCP SPT={rng.randint(1024, 65535)} "
                f"DPT={f['port']} WINDOW=1024 RES=0x00 SYN URGP=0")
        fields = {"source.ip": f["ip"], "destination.port": str(f["port"])}
        rules = {"et_fw_deny"} if kind == "fw_deny" else set()
    elif kind == "av_detection":
        line = (f'{av} event=virus_found host="{f["host"]}" user="{f["user"]}" malware="{f["malware"]}" '
                f'action="quarantined" scan="realtime" sig_version="2025.03.03.001"')
        fields, rules = {"host.name": f["host"], "user.name": f["user"]}, {"et_av_detection"}
    elif kind == "av_heartbeat":
        line = f'{av} event=definitions_updated host="{f["host"]}" sig_version="2025.03.03.001"'
        fields, rules = {"host.name": f["host"]}, {"et_av_heartbeat"}
    elif kind == "scan_started":
        line = f'{av} event=scan_started host="{f["host"]}" scan="scheduled" sig_version="2025.03.03.001"'
        fields, rules = {"host.name": f["host"]}, {"et_scan_started"}
    elif kind == "scan_completed":
        line = (f'{av} event=scan_completed host="{f["host"]}" scanned={rng.randint(1000, 90000)} infected=0 '
                f'cleaned=0 duration={rng.randint(30, 600)} sig_version="2025.03.03.001"')
        fields, rules = {"host.name": f["host"]}, {"et_scan_completed"}
    elif kind == "app":
        line = (f"<13>1 {ts} {f['host']} app {rng.randint(1000, 60000)} - - request served in "
                f"{rng.randint(1, 900)} ms status {rng.choice([200, 200, 200, 304, 404])}")
        fields, rules = {"host.name": f["host"]}, set()
    else:
        raise ValueError(kind)
    return line, Event(ms, fields, frozenset(rules))


class Stream:
    """The generated stream: `lines` and `events` in time order, and what the tests need to
    know about it."""

    def __init__(self):
        self.lines = []
        self.events = []
        self.scenario_of = {}  # (correlation id, key) -> planted scenario name
        self.planted = []  # (scenario, correlation id, key, first, last, count) written by hand
        self.near_misses = []  # (scenario, correlation id, key): planted, must raise no alert
        self.tail_start = 0
        self.newest = 0

    @property
    def final_watermark(self):
        return self.newest - LATENESS_MS

    def expected(self):
        return expected_alerts(CORRELATIONS, self.events, self.final_watermark)


class _Builder:
    def __init__(self, rng):
        self.rng = rng
        self.items = []  # (ms, kind, fields)
        self.taken = set()  # one event per millisecond in the whole stream
        self.stream = Stream()
        self.counters = collections.Counter()

    def fresh(self, pool):
        """A key value no other scenario uses."""
        self.counters[pool] += 1
        n = self.counters[pool]
        if pool == "bf":
            return f"203.0.113.{n}"
        if pool == "scan":
            return f"198.51.100.{n}"
        if pool == "chain":
            return f"192.0.2.{n}"
        if pool == "login":
            return f"100.64.0.{n}"
        if pool == "ws":
            return f"ws-{n:03d}"
        if pool == "av":
            return f"av-{n:03d}"
        raise ValueError(pool)

    def place(self, start, events):
        """Puts a scenario's events (offset, kind, fields) at `start`, moved on by whole
        milliseconds until none shares a millisecond with an event already placed."""
        while any(start + off in self.taken for off, _, _ in events):
            start += 1
        for off, kind, fields in events:
            self.taken.add(start + off)
            self.items.append((start + off, kind, fields))
        return start

    def noise(self, ms, kind, **fields):
        while ms in self.taken:
            ms += 1
        self.taken.add(ms)
        self.items.append((ms, kind, fields))

    def plant(self, name, start, events, expect):
        """A planted scenario and the alerts written down for it: `expect` =
        [(correlation, key, first offset, last offset, count)]."""
        at = self.place(start, events)
        for corr, key, first, last, count in expect:
            self.stream.planted.append((name, corr.id, key, at + first, at + last, count))
        return at

    def name_keys(self, name, keys):
        for corr, key in keys:
            self.stream.scenario_of[(corr.id, key)] = name


def _jitter(rng, ms, spread=400):
    return ms + rng.randint(0, spread)


def _scenarios(b):
    """The planted scenarios: (name, events, expected alerts, keys involved). Offsets in ms."""
    rng = b.rng
    out = []

    def server():
        return f"srv-{rng.randint(1, 12):02d}"

    def failures(ip, offsets):
        return [(o, "ssh_failed", {"ip": ip, "user": rng.choice(USERS), "host": server()}) for o in offsets]

    # event_count: 5 failures from one address within 2 minutes, quiet (updated) for 10 minutes.
    ip = b.fresh("bf")
    offs = [0, _jitter(rng, 10 * SECOND), _jitter(rng, 25 * SECOND), _jitter(rng, 40 * SECOND), 55 * SECOND]
    out.append(("brute force fires", failures(ip, offs), [(BRUTE_FORCE, (ip,), 0, offs[-1], 5)],
                [(BRUTE_FORCE, (ip,))]))
    ip = b.fresh("bf")
    offs = [0, 30 * SECOND, 60 * SECOND, 90 * SECOND, 120 * SECOND]
    out.append(("brute force spanning exactly the timespan fires", failures(ip, offs),
                [(BRUTE_FORCE, (ip,), 0, offs[-1], 5)], [(BRUTE_FORCE, (ip,))]))
    ip = b.fresh("bf")
    out.append(("brute force 1 ms longer than the timespan does not fire",
                failures(ip, [0, 30 * SECOND, 60 * SECOND, 90 * SECOND, 120 * SECOND + 1]), [],
                [(BRUTE_FORCE, (ip,))]))
    ip = b.fresh("bf")
    out.append(("brute force one failure too few", failures(ip, [0, 15 * SECOND, 30 * SECOND, 45 * SECOND]), [],
                [(BRUTE_FORCE, (ip,))]))
    ip = b.fresh("bf")
    out.append(("brute force spread beyond the timespan",
                failures(ip, [int(i * 32.5 * SECOND) for i in range(6)]), [], [(BRUTE_FORCE, (ip,))]))
    ip, other = b.fresh("bf"), b.fresh("bf")
    out.append(("brute force split over two addresses",
                failures(ip, [0, 20 * SECOND, 40 * SECOND]) + failures(other, [10 * SECOND, 30 * SECOND]), [],
                [(BRUTE_FORCE, (ip,)), (BRUTE_FORCE, (other,))]))
    ip = b.fresh("bf")
    offs = [0, 10 * SECOND, 20 * SECOND, 35 * SECOND, 50 * SECOND, 3 * MINUTE, 6 * MINUTE, 10 * MINUTE + 40 * SECOND]
    out.append(("brute force updated while quiet", failures(ip, offs), [(BRUTE_FORCE, (ip,), 0, offs[-1], 8)],
                [(BRUTE_FORCE, (ip,))]))
    ip = b.fresh("bf")
    first = [0, 10 * SECOND, 20 * SECOND, 30 * SECOND, 40 * SECOND]
    again = [11 * MINUTE + o for o in first]
    out.append(("brute force again after the quiet period", failures(ip, first + again),
                [(BRUTE_FORCE, (ip,), 0, first[-1], 5), (BRUTE_FORCE, (ip,), again[0], again[-1], 5)],
                [(BRUTE_FORCE, (ip,))]))
    ip = b.fresh("bf")
    offs = first + [5 * MINUTE, 6 * MINUTE] + [12 * MINUTE + o for o in first[:4]]
    out.append(("brute force quiet updates then one failure too few", failures(ip, offs),
                [(BRUTE_FORCE, (ip,), 0, 6 * MINUTE, 7)], [(BRUTE_FORCE, (ip,))]))
    ip = b.fresh("bf")
    offs = [0, 100 * SECOND, 130 * SECOND, 150 * SECOND, 170 * SECOND, 190 * SECOND]
    out.append(("brute force whose first failure slid out of the window", failures(ip, offs),
                [(BRUTE_FORCE, (ip,), 100 * SECOND, 190 * SECOND, 5)], [(BRUTE_FORCE, (ip,))]))

    # value_count: 8 distinct destination ports denied to one address within a minute.
    def denies(ip, offsets, ports):
        return [(o, "fw_deny", {"ip": ip, "port": p}) for o, p in zip(offsets, ports)]

    ip = b.fresh("scan")
    offs = [i * 5 * SECOND + rng.randint(0, 900) for i in range(8)]
    out.append(("port scan fires", denies(ip, offs, [22, 23, 25, 80, 110, 143, 443, 3389]),
                [(PORT_SCAN, (ip,), offs[0], offs[-1], 8)], [(PORT_SCAN, (ip,))]))
    ip = b.fresh("scan")
    out.append(("port scan with one port too few",
                denies(ip, [i * 4 * SECOND for i in range(12)], [22, 23, 25, 80, 110, 143, 443, 22, 23, 25, 80, 110]),
                [], [(PORT_SCAN, (ip,))]))
    ip = b.fresh("scan")
    out.append(("port scan spread beyond the timespan",
                denies(ip, [i * 9 * SECOND for i in range(8)], [21, 22, 23, 25, 53, 80, 110, 443]), [],
                [(PORT_SCAN, (ip,))]))
    ip, other = b.fresh("scan"), b.fresh("scan")
    out.append(("port scan split over two addresses",
                denies(ip, [0, 8 * SECOND, 16 * SECOND, 24 * SECOND, 32 * SECOND], [22, 23, 25, 80, 110]) +
                denies(other, [4 * SECOND, 12 * SECOND, 20 * SECOND, 28 * SECOND], [143, 443, 445, 3389]), [],
                [(PORT_SCAN, (ip,)), (PORT_SCAN, (other,))]))
    ip = b.fresh("scan")
    offs = [i * 3 * SECOND for i in range(8)] + [1 * MINUTE, 2 * MINUTE, 3 * MINUTE, 4 * MINUTE + 30 * SECOND]
    out.append(("port scan updated while quiet",
                denies(ip, offs, [22, 23, 25, 80, 110, 143, 443, 3389, 22, 8080, 22, 23]),
                [(PORT_SCAN, (ip,), 0, offs[-1], 12)], [(PORT_SCAN, (ip,))]))
    ip = b.fresh("scan")
    offs = [0, 20 * SECOND, 25 * SECOND, 30 * SECOND, 35 * SECOND, 40 * SECOND, 45 * SECOND, 62 * SECOND, 70 * SECOND]
    out.append(("port scan counting a port by its last sighting",
                denies(ip, offs, [22, 23, 25, 80, 110, 143, 443, 22, 8080]),
                [(PORT_SCAN, (ip,), 20 * SECOND, 70 * SECOND, 8)], [(PORT_SCAN, (ip,))]))

    # temporal: an accepted login and a malware detection for one user on one host, any order,
    # within 3 minutes.
    def login(host, user, o):
        return (o, "ssh_accepted", {"host": host, "user": user, "ip": b.fresh("login")})

    def detection(host, user, o):
        return (o, "av_detection", {"host": host, "user": user, "malware": rng.choice(MALWARE)})

    for name, first_kind, gap, fires in [
        ("login then malware fires", login, 100 * SECOND, True),
        ("malware then login fires", detection, 150 * SECOND, True),
        ("login and malware exactly the timespan apart fire", login, 3 * MINUTE, True),
        ("login and malware 1 ms beyond the timespan", login, 3 * MINUTE + 1, False),
    ]:
        host, user = b.fresh("ws"), rng.choice(USERS[:20])
        second_kind = detection if first_kind is login else login
        events = [first_kind(host, user, 0), second_kind(host, user, gap)]
        out.append((f"temporal: {name}", events,
                    [(LOGIN_AND_MALWARE, (host, user), 0, gap, 2)] if fires else [],
                    [(LOGIN_AND_MALWARE, (host, user))]))
    host = b.fresh("ws")
    out.append(("temporal: login and malware of two users",
                [login(host, "alice", 0), detection(host, "bob", 60 * SECOND)], [],
                [(LOGIN_AND_MALWARE, (host, "alice")), (LOGIN_AND_MALWARE, (host, "bob"))]))
    host, user = b.fresh("ws"), rng.choice(USERS[:20])
    out.append(("temporal: a second login renews the first",
                [login(host, user, 0), login(host, user, 200 * SECOND), detection(host, user, 300 * SECOND)],
                [(LOGIN_AND_MALWARE, (host, user), 200 * SECOND, 300 * SECOND, 2)],
                [(LOGIN_AND_MALWARE, (host, user))]))

    # temporal_ordered: deny, then failure, then accepted login from one address in 5 minutes.
    def step(kind, ip, o):
        if kind == "deny":
            return (o, "fw_deny", {"ip": ip, "port": rng.choice([22, 2222])})
        return (o, "ssh_failed" if kind == "fail" else "ssh_accepted",
                {"ip": ip, "user": rng.choice(USERS[:20]), "host": server()})

    for name, steps, fires in [
        ("deny, failure, accepted fires", [("deny", 0), ("fail", 60 * SECOND), ("accept", 120 * SECOND)], True),
        ("in the wrong order", [("fail", 0), ("deny", 30 * SECOND), ("accept", 60 * SECOND)], False),
        ("without the failure", [("deny", 0), ("accept", 60 * SECOND)], False),
        ("spread beyond the timespan", [("deny", 0), ("fail", 100 * SECOND), ("accept", 5 * MINUTE + 1)], False),
    ]:
        ip = b.fresh("chain")
        events = [step(kind, ip, o) for kind, o in steps]
        out.append((f"temporal_ordered: {name}", events,
                    [(DENY_FAIL_ACCEPT, (ip,), 0, steps[-1][1], 3)] if fires else [],
                    [(DENY_FAIL_ACCEPT, (ip,))]))
    ip, other = b.fresh("chain"), b.fresh("chain")
    out.append(("temporal_ordered: the last step from another address",
                [step("deny", ip, 0), step("fail", ip, 40 * SECOND), step("accept", other, 80 * SECOND)], [],
                [(DENY_FAIL_ACCEPT, (ip,)), (DENY_FAIL_ACCEPT, (other,))]))
    ip = b.fresh("chain")
    out.append(("temporal_ordered: a later deny restarts the chain",
                [step("deny", ip, 0), step("deny", ip, 200 * SECOND), step("fail", ip, 250 * SECOND),
                 step("accept", ip, 360 * SECOND)],
                [(DENY_FAIL_ACCEPT, (ip,), 200 * SECOND, 360 * SECOND, 3)], [(DENY_FAIL_ACCEPT, (ip,))]))

    # absence [A, B]: a scan started and not completed within 4 minutes.
    def scan(kind, host, o):
        return (o, kind, {"host": host})

    for name, completed_after, fires in [
        ("completed in time", 3 * MINUTE, False),
        ("never completed", None, True),
        ("completed too late", 4 * MINUTE + 30 * SECOND, True),
        ("completed exactly at the timespan", 4 * MINUTE, False),
    ]:
        host = b.fresh("ws")
        events = [scan("scan_started", host, 0)]
        if completed_after is not None:
            events.append(scan("scan_completed", host, completed_after))
        out.append((f"unfinished scan: {name}", events,
                    [(SCAN_UNFINISHED, (host,), 0, 0, 1)] if fires else [], [(SCAN_UNFINISHED, (host,))]))
    host, other = b.fresh("ws"), b.fresh("ws")
    out.append(("unfinished scan: completed on another host",
                [scan("scan_started", host, 0), scan("scan_completed", other, 60 * SECOND)],
                [(SCAN_UNFINISHED, (host,), 0, 0, 1)], [(SCAN_UNFINISHED, (host,)), (SCAN_UNFINISHED, (other,))]))
    host = b.fresh("ws")
    out.append(("unfinished scan: one completion answers two starts",
                [scan("scan_started", host, 0), scan("scan_started", host, 60 * SECOND),
                 scan("scan_completed", host, 2 * MINUTE)], [], [(SCAN_UNFINISHED, (host,))]))
    return out


def generate(seed=SEED):
    """The stream for `seed`: the same seed gives the same lines."""
    rng = random.Random(seed)
    b = _Builder(rng)
    main_start = T0 + MINUTE

    # Planted scenarios, each on keys of its own, every scenario twice, in shuffled order.
    scenarios = _scenarios(b) + _scenarios(b)
    rng.shuffle(scenarios)
    for i, (name, events, expect, keys) in enumerate(scenarios):
        start = main_start + i * 70 * SECOND + rng.randint(0, 20 * SECOND)
        b.plant(name, start, events, expect)
        b.name_keys(name, keys)
        if not expect:
            b.stream.near_misses += [(name, corr.id, key) for corr, key in keys]
    main_end = max(ms for ms, _, _ in b.items)

    # Persistent attackers on keys of their own: the model alone says what they raise.
    attacker = "203.0.113.254"
    ms = main_start + 5 * MINUTE
    while ms < main_start + 45 * MINUTE:
        b.noise(ms, "ssh_failed", ip=attacker, user=rng.choice(USERS), host=f"srv-{rng.randint(1, 12):02d}")
        ms += rng.randint(12 * SECOND, 40 * SECOND)
    b.name_keys("persistent brute force", [(BRUTE_FORCE, (attacker,)), (DENY_FAIL_ACCEPT, (attacker,))])
    scanner = "198.51.100.254"
    ms = main_start + 20 * MINUTE
    while ms < main_start + 50 * MINUTE:
        b.noise(ms, "fw_deny", ip=scanner, port=rng.choice([21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443,
                                                             445, 993, 1433, 3306, 3389, 5900, 8080]))
        ms += rng.randint(2 * SECOND, 12 * SECOND)
    b.name_keys("persistent port scan", [(PORT_SCAN, (scanner,)), (DENY_FAIL_ACCEPT, (scanner,))])

    # Antivirus agents sending a heartbeat about every minute, each falling silent once at the
    # end; three with a gap on the way: shorter than the timespan, longer, and exactly as long.
    for kind in ["steady"] * 6 + ["short gap", "long gap", "exact gap"]:
        host = b.fresh("av")
        ms = main_start + rng.randint(0, 5 * MINUTE)
        stop = main_start + rng.randint(40 * MINUTE, 75 * MINUTE)
        gap_at = main_start + rng.randint(15 * MINUTE, 30 * MINUTE)
        beats = []
        while ms < stop:
            beats.append(ms)
            if kind != "steady" and gap_at is not None and ms >= gap_at:
                ms += {"short gap": 4 * MINUTE + 40 * SECOND, "long gap": 6 * MINUTE, "exact gap": 5 * MINUTE}[kind]
                gap_at = None
            else:
                ms += rng.randint(58 * SECOND, 62 * SECOND)
        expect = [(AGENT_SILENT, (host,), beats[-1] - beats[0], beats[-1] - beats[0], 1)]
        if kind == "long gap":
            before = max(x for x in beats if x + 6 * MINUTE in beats)
            expect.insert(0, (AGENT_SILENT, (host,), before - beats[0], before - beats[0], 1))
        b.plant(f"agent heartbeats ({kind})", beats[0], [(x - beats[0], "av_heartbeat", {"host": host})
                                                         for x in beats], expect)
        b.name_keys(f"agent heartbeats ({kind})", [(AGENT_SILENT, (host,))])
        main_end = max(main_end, beats[-1])

    # Background noise on keys of its own (10.0.0.0/8 addresses, pc-* and srv-* hosts).
    span = main_end - main_start - 5 * MINUTE
    for _ in range(2300):
        ms = main_start + rng.randint(0, span)
        ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        pc = f"pc-{rng.randint(0, 999):03d}"
        kind = rng.choices(["app", "ssh_failed", "ssh_accepted", "fw_deny", "fw_allow", "av_detection", "scan"],
                           [35, 15, 10, 12, 8, 5, 5])[0]
        if kind == "app":
            b.noise(ms, "app", host=f"web{rng.randint(1, 8)}")
        elif kind in ("ssh_failed", "ssh_accepted"):
            b.noise(ms, kind, ip=ip, user=rng.choice(USERS), host=f"srv-{rng.randint(1, 12):02d}")
        elif kind in ("fw_deny", "fw_allow"):
            b.noise(ms, kind, ip=ip, port=rng.choice([22, 80, 443, 445, 3389, 8080]))
        elif kind == "av_detection":
            b.noise(ms, kind, host=pc, user=rng.choice(USERS), malware=rng.choice(MALWARE))
        else:
            b.noise(ms, "scan_started", host=pc)
            b.noise(ms + rng.randint(20 * SECOND, 200 * SECOND), "scan_completed", host=pc)

    b.items.sort(key=lambda item: item[0])
    stream = b.stream
    for ms, kind, fields in b.items:
        line, event = record(ms, kind, rng, **fields)
        stream.lines.append(line)
        stream.events.append(event)

    # Everything is decided by now (absences included); the tail starts a minute later and runs
    # for 65 minutes of application lines that no rule matches.
    decided = expected_alerts(CORRELATIONS, stream.events, 2 ** 62)
    last_decision = max(max(a.fired_at, a.last_change) for a in decided)
    stream.tail_start = max(last_decision, stream.events[-1].time_ms) + MINUTE
    ms = stream.tail_start
    while ms < stream.tail_start + 65 * MINUTE:
        line, event = record(ms, "app", rng, host=f"web{rng.randint(1, 8)}")
        stream.lines.append(line)
        stream.events.append(event)
        ms += rng.randint(4 * SECOND, 10 * SECOND)
    stream.newest = stream.events[-1].time_ms

    final = stream.expected()
    assert [a.facts() for a in final] == [a.facts() for a in decided], "a decision depends on the tail"
    assert all(max(a.fired_at, a.last_change) < stream.tail_start for a in final), "a decision in the tail"
    assert stream.newest - stream.tail_start >= 60 * MINUTE
    return stream


# --- reading alerts -------------------------------------------------------------------------

def correlation_alerts(documents):
    """{facts: id} of the correlation alerts among alert documents; an alert stored or printed
    more than once (its updates) counts once, in its final state (the largest count and
    last_seen)."""
    final = {}
    for doc in documents:
        corr = BY_ID.get(doc["rule"]["id"])
        if corr is None:
            continue
        state = (doc["count"], rfc3339_ms(doc["last_seen"]), doc.get("updated_at") or "")
        if doc["id"] not in final or state >= final[doc["id"]][0]:
            final[doc["id"]] = (state, doc)
    out = collections.Counter()
    ids = {}
    for alert_id, (_, doc) in final.items():
        corr = BY_ID[doc["rule"]["id"]]
        key = tuple(doc["key"].get(f) for f in corr.group_by)
        facts = (corr.id, key, rfc3339_ms(doc["first_seen"]), rfc3339_ms(doc["last_seen"]), doc["count"])
        out[facts] += 1
        ids[facts] = alert_id
    return out, ids


def describe(stream, facts):
    rule_id, key, first, last, count = facts
    corr = BY_ID[rule_id]
    scenario = stream.scenario_of.get((rule_id, key), "noise")
    return (f"{corr.type:16} key={'/'.join(map(str, key)):28} first={stamp(first)} last={stamp(last)} "
            f"count={count:<3} [{scenario}]")


def diff(stream, expected, got, missing_label="missing", unexpected_label="unexpected"):
    """Readable difference of two Counters of facts; empty when equal."""
    lines = []
    for label, sign, part in ((missing_label, "-", expected - got), (unexpected_label, "+", got - expected)):
        if part:
            lines.append(f"{label} ({sum(part.values())}):")
            lines += [f"  {sign} " + describe(stream, f) + (f" x{n}" if n > 1 else "")
                      for f, n in sorted(part.items(), key=repr)]
    return "\n".join(lines)


# --- the reference model and the generator on their own -------------------------------------

def _ev(t, rules, **fields):
    return Event(t, {k.replace("_", "."): v for k, v in fields.items()}, frozenset(rules))


class ReferenceModel(unittest.TestCase):
    """Small cases worked out by hand from the contract."""

    def facts(self, corr, events, final=10 ** 9):
        return [a.facts() for a in expected_alerts([corr], events, final)]

    def test_event_count_fires_on_the_nth_event_in_the_window_and_the_quiet_period_updates_it(self):
        c = Correlation("ec", "event_count", ("f",), ("source.ip",), 100, gte=3, suppress_ms=1000)
        events = [_ev(t, {"f"}, source_ip="a") for t in (0, 10, 150, 160, 170, 500, 1169, 1170, 1180, 1190)]
        # 0 and 10 fall out before 150; 150, 160, 170 fire at 170 (quiet until 1170); 500 and
        # 1169 update it; 1170, 1180, 1190 are a new window that fires again.
        self.assertEqual(self.facts(c, events), [("ec", ("a",), 150, 1169, 5), ("ec", ("a",), 1170, 1190, 3)])

    def test_event_count_window_includes_both_ends_and_keys_do_not_mix(self):
        c = Correlation("ec", "event_count", ("f",), ("source.ip",), 100, gte=3)
        events = [_ev(0, {"f"}, source_ip="a"), _ev(50, {"f"}, source_ip="b"), _ev(60, {"f"}, source_ip="a"),
                  _ev(70, {"f"}, source_ip="b"), _ev(100, {"f"}, source_ip="a"), _ev(171, {"f"}, source_ip="b")]
        self.assertEqual(self.facts(c, events), [("ec", ("a",), 0, 100, 3)])

    def test_value_count_counts_distinct_values_by_their_last_sighting(self):
        c = Correlation("vc", "value_count", ("d",), ("source.ip",), 100, gte=3, field="destination.port")
        events = [_ev(0, {"d"}, source_ip="a", destination_port="22"),
                  _ev(10, {"d"}, source_ip="a", destination_port="23"),
                  _ev(105, {"d"}, source_ip="a", destination_port="22"),
                  _ev(120, {"d"}, source_ip="a", destination_port="24"),  # 23 is out: 22, 24
                  _ev(130, {"d"}, source_ip="a", destination_port="25")]
        self.assertEqual(self.facts(c, events), [("vc", ("a",), 105, 130, 3)])

    def test_temporal_fires_when_every_rule_matched_within_the_timespan_in_any_order(self):
        c = Correlation("tp", "temporal", ("x", "y"), ("host.name",), 100)
        events = [_ev(0, {"y"}, host_name="h"), _ev(101, {"x"}, host_name="h"),  # 1 too far apart
                  _ev(150, {"y"}, host_name="h"), _ev(300, {"x"}, host_name="g"), _ev(401, {"y"}, host_name="g")]
        self.assertEqual(self.facts(c, events), [("tp", ("h",), 101, 150, 2)])

    def test_temporal_ordered_needs_the_order_and_keeps_the_latest_start(self):
        c = Correlation("to", "temporal_ordered", ("a", "b", "c"), ("source.ip",), 100)
        events = [_ev(0, {"b"}, source_ip="x"), _ev(10, {"a"}, source_ip="x"), _ev(20, {"c"}, source_ip="x"),
                  _ev(30, {"a"}, source_ip="x"), _ev(40, {"b"}, source_ip="x"), _ev(200, {"a"}, source_ip="y"),
                  _ev(250, {"a"}, source_ip="y"), _ev(290, {"b"}, source_ip="y"), _ev(320, {"c"}, source_ip="y")]
        # x: b, a, c is not in order; a(30), b(40) and nothing after. y: a(250) b(290) c(320).
        self.assertEqual(self.facts(c, events), [("to", ("y",), 250, 320, 3)])

    def test_absence_of_a_fires_when_the_clock_passes_the_last_a_plus_the_timespan(self):
        c = Correlation("ab", "absence", ("hb",), ("host.name",), 100)
        events = [_ev(0, {"hb"}, host_name="h"), _ev(100, {"hb"}, host_name="h"),  # exactly due: no alert
                  _ev(201, {"hb"}, host_name="h"), _ev(250, {"other"}, host_name="h")]
        # 100 -> 201 is a silence: due at 200, decided before the heartbeat at 201 is applied.
        # The second absence is due at 301: decided once the watermark is past 301.
        self.assertEqual(self.facts(c, events, final=301), [("ab", ("h",), 100, 100, 1)])
        self.assertEqual(self.facts(c, events, final=302), [("ab", ("h",), 100, 100, 1), ("ab", ("h",), 201, 201, 1)])

    def test_absence_of_b_after_a_fires_for_an_unanswered_a(self):
        c = Correlation("ab2", "absence", ("a", "b"), ("host.name",), 100)
        events = [_ev(0, {"a"}, host_name="p"), _ev(100, {"b"}, host_name="p"),  # answered at the edge
                  _ev(0, {"a"}, host_name="q"), _ev(101, {"b"}, host_name="q"),  # too late
                  _ev(0, {"a"}, host_name="r"), _ev(50, {"b"}, host_name="s")]  # B of another key
        self.assertEqual(self.facts(c, sorted(events, key=lambda e: e.time_ms)),
                         [("ab2", ("q",), 0, 0, 1), ("ab2", ("r",), 0, 0, 1)])

    def test_matches_at_or_after_the_final_watermark_are_not_applied(self):
        c = Correlation("ec", "event_count", ("f",), ("source.ip",), 100, gte=2)
        events = [_ev(0, {"f"}, source_ip="a"), _ev(50, {"f"}, source_ip="a")]
        self.assertEqual(self.facts(c, events, final=50), [])
        self.assertEqual(self.facts(c, events, final=51), [("ec", ("a",), 0, 50, 2)])

    def test_an_event_without_a_group_by_field_is_not_counted(self):
        c = Correlation("ec", "event_count", ("f",), ("source.ip",), 100, gte=2)
        self.assertEqual(self.facts(c, [_ev(0, {"f"}, source_ip="a"), _ev(10, {"f"}, user_name="u")]), [])


class GeneratedStream(unittest.TestCase):
    """The generator is deterministic and plants what it says it plants."""

    @classmethod
    def setUpClass(cls):
        cls.stream = generate()
        cls.expected = cls.stream.expected()

    def test_the_same_seed_gives_the_same_stream_and_another_seed_another(self):
        self.assertEqual(generate().lines, self.stream.lines)
        self.assertNotEqual(generate(SEED + 1).lines, self.stream.lines)

    def test_events_are_in_time_order_with_one_event_per_millisecond(self):
        times = [e.time_ms for e in self.stream.events]
        self.assertEqual(times, sorted(times))
        self.assertEqual(len(times), len(set(times)))
        self.assertTrue(2000 <= len(times) <= 6000, len(times))
        for line, event in zip(self.stream.lines, self.stream.events):
            self.assertIn(stamp(event.time_ms), line)

    def test_planted_correlations_fire_as_written_and_near_misses_do_not(self):
        by_key = collections.defaultdict(list)
        for a in self.expected:
            by_key[(a.rule_id, a.key)].append(a.facts())
        for name, rule_id, key, first, last, count in self.stream.planted:
            with self.subTest(scenario=name, key=key):
                self.assertIn((rule_id, key, first, last, count), by_key[(rule_id, key)])
        planted = collections.Counter((r, k) for _, r, k, _, _, _ in self.stream.planted)
        for (rule_id, key), alerts in by_key.items():
            if (rule_id, key) in planted:
                self.assertEqual(len(alerts), planted[(rule_id, key)], (rule_id, key, alerts))
        for name, rule_id, key in self.stream.near_misses:
            with self.subTest(scenario=name, key=key):
                self.assertEqual(by_key.get((rule_id, key), []), [])
        kinds = collections.Counter(BY_ID[a.rule_id].type for a in self.expected)
        self.assertEqual(set(kinds), {"event_count", "value_count", "temporal", "temporal_ordered", "absence"})

    def test_the_tail_is_over_an_hour_of_lines_no_rule_matches(self):
        tail = [e for e in self.stream.events if e.time_ms >= self.stream.tail_start]
        self.assertTrue(all(not e.rules for e in tail))
        self.assertGreaterEqual(tail[-1].time_ms - tail[0].time_ms, 60 * MINUTE)
        self.assertGreaterEqual(len(tail), 4 * KAFKA_PARTITIONS)


# --- vigild -----------------------------------------------------------------------------------

def _sockets(port, n):
    return [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(n)]


def _send_interleaved(connections, lines, block=50):
    """Line i goes to connection i % n; the connections are written in turns of `block` lines
    each, so all of them move forward together."""
    shares = [[] for _ in connections]
    for i, line in enumerate(lines):
        shares[i % len(connections)].append(line)
    for start in range(0, max(len(s) for s in shares), block):
        for s, share in zip(connections, shares):
            chunk = share[start:start + block]
            if chunk:
                s.sendall(("\n".join(chunk) + "\n").encode())


class EventTimeDeterminism(unittest.TestCase):
    """Every variant twice; each run against the reference, the ids against every other run."""

    ids = {}  # facts -> (alert id, the run that first stored it)

    @classmethod
    def setUpClass(cls):
        cls.stream = generate()
        cls.expected = collections.Counter(a.facts() for a in cls.stream.expected())
        cls.payload = ("\n".join(cls.stream.lines) + "\n").encode()

    def problems(self, run, documents, got, ids, late):
        """What is wrong with one run: its alerts against the reference, late events, alert ids
        against those of every earlier run."""
        out = [diff(self.stream, self.expected, got)] if got != self.expected else []
        if late:
            out.append(f"{late} late events (vigil_correlation_late_events_total)")
        other = []
        for facts, alert_id in sorted(ids.items(), key=repr):
            seen = self.ids.setdefault(facts, (alert_id, run))
            if seen[0] != alert_id and facts in self.expected:
                other.append(f"  {alert_id}, {seen[0]} in {seen[1]}: {describe(self.stream, facts)}")
        if other:
            out.append(f"alert ids that differ from an earlier run ({len(other)}):")
            out += other[:5] + ([f"  ... and {len(other) - 5} more"] if len(other) > 5 else [])
        if not out:
            return ""
        return "\n".join([f"=== {run}: {len(documents)} alert documents, {sum(got.values())} correlation "
                          f"alerts, {sum(self.expected.values())} expected"] + out)

    def twice(self, name, run):
        """Runs a variant twice; fails with every difference of either run, and between them."""
        results, report = [], []
        for attempt in (1, 2):
            label = f"{name}, run {attempt}"
            documents, late = run(label)
            got, ids = correlation_alerts(documents)
            results.append(got)
            report.append(self.problems(label, documents, got, ids, late))
        if results[0] != results[1]:
            report.append(f"=== {name}: the two runs differ\n" +
                          diff(self.stream, results[0], results[1], "only in run 1", "only in run 2"))
        report = "\n".join(r for r in report if r)
        if report:
            self.fail("\n" + report)

    def run_daemon(self, run, feed, workers=2, shards=0, extra=""):
        tree = TempTree()
        try:
            write_rules(tree.rules)
            d = Vigild(tree, extra_config=CONFIG.format(shards=shards) + extra, workers=workers).start()
            try:
                feed(d)
                target = self.stream.final_watermark / 1000 - 1

                def watermark_reached():
                    marks = [v for _, v in d.metric_samples("vigil_correlation_watermark_seconds")]
                    return marks and min(marks) >= target and marks

                wait_until(watermark_reached, f"every shard's watermark at {target:.0f} "
                           f"(the newest event minus allowed_lateness)", deadline=60)
                late = d.metric_value("vigil_correlation_late_events_total")
                self.assertEqual(d.stop(), 0, d.log())
            finally:
                d.kill()
            return stored_alerts(tree.data), int(late)
        finally:
            tree.cleanup()

    def test_vigil_parses_the_lines_into_what_the_model_reads(self):
        tree = TempTree()
        try:
            path = tree.root / "stream.log"
            path.write_bytes(self.payload)
            _, out, _ = vigil("parse", str(path))
        finally:
            tree.cleanup()
        parsed = [json.loads(line) for line in out.splitlines() if line.strip()]
        self.assertEqual(len(parsed), len(self.stream.events))
        wrong = []
        for line, record, event in zip(self.stream.lines, parsed, self.stream.events):
            fields = {k: record["fields"].get(k) for k in event.fields}
            if (rfc3339_ms(record.get("@timestamp", "")) != event.time_ms or fields != event.fields
                    or detection_matches(record) != event.rules):
                wrong.append(f"{line}\n  parsed: {record.get('@timestamp')} {fields} "
                             f"{sorted(detection_matches(record))}\n  model: {event.fields} {sorted(event.rules)}")
        self.assertEqual(wrong[:5], [], f"{len(wrong)} lines differ from what the model is given")

    def one_connection(self, d):
        with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=30) as s:
            s.sendall(self.payload)

    def test_workers_1_2_4_with_a_shard_per_worker(self):
        for workers in (1, 2, 4):
            with self.subTest(workers=workers):
                self.twice(f"workers {workers}", lambda run: self.run_daemon(run, self.one_connection, workers))

    def test_two_workers_with_1_2_4_shards(self):
        for shards in (1, 2, 4):
            with self.subTest(shards=shards):
                self.twice(f"workers 2, shards {shards}",
                           lambda run: self.run_daemon(run, self.one_connection, 2, shards))

    def test_four_tcp_connections_round_robin(self):
        def feed(d):
            connections = _sockets(d.tcp_port, 4)
            try:
                wait_until(lambda: d.metric_value("vigil_inputs", state="waiting") >= 4,
                           "vigild reporting the 4 connections as waiting inputs")
                _send_interleaved(connections, self.stream.lines)
            finally:
                for s in connections:
                    s.close()

        self.twice("four TCP connections", lambda run: self.run_daemon(run, feed))

    def test_kafka_three_partitions(self):
        def run(name):
            mock = KafkaMock(f"{KAFKA_TOPIC}:{KAFKA_PARTITIONS}")
            try:
                shares = [self.stream.lines[p::KAFKA_PARTITIONS] for p in range(KAFKA_PARTITIONS)]
                for p, share in enumerate(shares):
                    mock.produce(KAFKA_TOPIC, share, "-p", str(p))
                held = [mock.count(KAFKA_TOPIC, p) for p in range(KAFKA_PARTITIONS)]
                self.assertEqual(held, [len(s) for s in shares], "the mock cluster did not keep every record")
                config = (f"kafka:\n  brokers: {mock.bootstrap}\n  topics: [{KAFKA_TOPIC}]\n"
                          f"  group_id: vigil-event-time\n"
                          f"  properties: {{session.timeout.ms: '6000', heartbeat.interval.ms: '500'}}\n")
                return self.run_daemon(name, lambda d: None, extra=config)
            finally:
                mock.stop()

        self.twice("Kafka, 3 partitions", run)

    def test_one_connection_sent_slowly(self):
        def feed(d):
            chunks = 20
            size = -(-len(self.stream.lines) // chunks)
            with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=30) as s:
                for start in range(0, len(self.stream.lines), size):
                    s.sendall(("\n".join(self.stream.lines[start:start + size]) + "\n").encode())
                    time.sleep(0.15)  # the speed is the variant: well under idle_timeout (2 s)

        self.twice("one connection, slowly", lambda run: self.run_daemon(run, feed))

    def test_vigil_replay(self):
        def run(name):
            tree = TempTree()
            try:
                write_rules(tree.rules)
                stream_file = tree.root / "stream.log"
                stream_file.write_bytes(self.payload)
                # The daemon runs' correlation settings (--config, as every vigil command takes).
                config = tree.root / "vigil.yaml"
                config.write_text(f"data_dir: {tree.data}\nrules_dir: {tree.rules}\n" + CONFIG.format(shards=0))
                result = subprocess.run([VIGIL, "replay", str(stream_file), "--rules", str(tree.rules), "--json",
                                         "--config", str(config)],
                                        capture_output=True, text=True, timeout=120)
                self.assertEqual(result.returncode, 0, f"vigil replay exited {result.returncode}:\n"
                                 f"{result.stderr[:1500]}{result.stdout[-1500:]}")
                return [json.loads(line) for line in result.stdout.splitlines() if line.strip()], 0
            finally:
                tree.cleanup()

        self.twice("vigil replay", run)


if __name__ == "__main__":
    unittest.main()
