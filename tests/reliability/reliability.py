"""What every reliability scenario shares: numbered events, the model of the alerts they must
give, and the figures each scenario prints (sent, acknowledged, processed, lost, duplicated,
RSS).

Every event carries the marker and its number; the one rule the scenarios load raises one
alert per event, so the model is simple and exact: every processed event number has exactly
one alert (alert ids derive from the event, so an event processed twice is stored once).
"""

import json
import pathlib
import socket
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import stored_alerts  # noqa: E402,F401

JSON_RULE_ID = "0c7e1f2a-5b6d-4e8f-9a0b-1c2d3e4f5a6b"
SYSLOG_RULE_ID = "1d8f2a3b-6c7e-4f9a-8b1c-2d3e4f5a6b7c"

# ECS firewall events (the firewall_ecs log source class).
ECS = {"dataset": "iptables.log", "category": "network", "kind": "event"}


class EventStream:
    """Numbered events with a marker unique to the run."""

    def __init__(self):
        self.marker = "rel" + uuid.uuid4().hex[:10]
        self.next = 0

    def add_rules(self, tree):
        """One rule for JSON events (HTTP, Kafka), one for syslog text (TCP, UDP)."""
        tree.add_rule("reliability_json.yml", f"""title: reliability marker in JSON
id: {JSON_RULE_ID}
author: vigil reliability tests
level: high
logsource: {{category: firewall}}
detection:
  selection:
    message|contains: '{self.marker}'
  condition: selection
""")
        tree.add_rule("reliability_syslog.yml", f"""title: reliability marker in syslog
id: {SYSLOG_RULE_ID}
author: vigil reliability tests
level: high
logsource: {{product: linux}}
detection:
  keywords:
    - '{self.marker}'
  condition: keywords
""")

    def take(self, count):
        first = self.next
        self.next += count
        return range(first, first + count)

    def json_lines(self, numbers, pad=0, marked_every=1):
        filler = " " + "x" * pad if pad else ""
        return "".join(json.dumps({"event": ECS, "message": f"{self.tag(n, marked_every)} n={n}{filler}"}) + "\n"
                       for n in numbers).encode()

    def syslog_lines(self, numbers, marked_every=1):
        """RFC 3164 lines; only every `marked_every`-th number carries the marker (the others
        match no rule)."""
        return "".join(f"<14>Nov 21 10:00:00 host app: {self.tag(n, marked_every)} n={n}\n"
                       for n in numbers).encode()

    def current_syslog_lines(self, numbers, marked_every=1, hosts=1000):
        """RFC 5424 lines stamped now, from `hosts` host names in turn: event time advances, so
        correlation windows open and close as in production."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return "".join(f"<14>1 {stamp} host{n % hosts} app - - - {self.tag(n, marked_every)} n={n}\n"
                       for n in numbers).encode()

    def tag(self, n, marked_every):
        return self.marker if n % marked_every == 0 else "routine"

    def processed(self, data_dir):
        """Event number -> how many alerts of the stream's own two rules the store holds for it."""
        counts = {}
        for alert in stored_alerts(data_dir):
            if alert["rule"]["id"] not in (JSON_RULE_ID, SYSLOG_RULE_ID):
                continue
            message = alert["evidence"][0]["fields"].get("message", "")
            if self.marker not in message:
                continue
            n = int(message.split("n=")[1].split()[0])
            counts[n] = counts.get(n, 0) + 1
        return counts


class Outcome:
    """What the store holds for a stream against the events that had to be processed: `processed`
    (event number -> alerts), `lost` and `duplicated` (sorted event numbers)."""

    def __init__(self, events, data_dir, wanted):
        self.processed = events.processed(data_dir)
        self.lost = sorted(n for n in wanted if n not in self.processed)
        self.duplicated = sorted(n for n, c in self.processed.items() if c > 1)

    def figures(self):
        return {"processed": len(self.processed), "lost": len(self.lost), "duplicated": len(self.duplicated)}

    def check(self, test):
        test.assertEqual(self.lost, [], f"{len(self.lost)} events not processed: {spans(self.lost)}")
        test.assertEqual(self.duplicated, [], f"events processed twice: {spans(self.duplicated)}")


def spans(numbers):
    """Sorted numbers as runs "a-b" (the first twenty), for messages."""
    runs = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return " ".join(f"{a}-{b}" if a != b else str(a) for a, b in runs[:20]) + (" ..." if len(runs) > 20 else "")


class Load:
    """Senders against one vigild: curl clients posting numbered JSON events (the ones answered
    200 are recorded as acknowledged) and TCP connections streaming numbered syslog lines."""

    def __init__(self, events):
        self.events = events
        self.acked = set()
        self.lock = threading.Lock()

    def take(self, count):
        with self.lock:
            return self.events.take(count)

    def http_client(self, d, stop, per_request=500):
        """Posts until `stop` is set or vigild is gone."""
        while not stop.is_set():
            numbers = self.take(per_request)
            try:
                result = subprocess.run(
                    ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-m", "20", "-X", "POST",
                     "--data-binary", "@-", f"http://127.0.0.1:{d.http_port}/ingest"],
                    input=self.events.json_lines(numbers), capture_output=True, timeout=30)
            except subprocess.TimeoutExpired:
                continue
            if result.stdout == b"200":
                with self.lock:
                    self.acked.update(numbers)
            elif result.returncode != 0:
                return  # vigild is gone

    def tcp_sender(self, d, sent, stop=None, pace=0.0):
        """Streams lines over one connection until `stop` is set or vigild is gone; `sent` gets
        the numbers the kernel took. `pace`: a pause between writes of 200 lines."""
        try:
            with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=30) as s:
                while stop is None or not stop.is_set():
                    numbers = self.take(200)
                    s.sendall(self.events.syslog_lines(numbers))
                    sent.extend(numbers)
                    if pace:
                        time.sleep(pace)
        except OSError:
            return


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def report(scenario, **figures):
    """One line per scenario, the figures the README's Reliability section quotes."""
    # On a line of its own: unittest's progress marks ("." "F") do not end with a newline, and
    # `dev.sh test` picks these lines out by their start.
    print(f"\nRELIABILITY {scenario}: " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
