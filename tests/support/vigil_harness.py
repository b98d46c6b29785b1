"""Starts the real vigild for integration tests and talks to it with real clients.

vigild runs with a temporary data directory, a temporary rules directory and port 0 for
every listener; the bound ports are read from its log. Waiting is always for a condition
with a deadline, never a fixed sleep.
"""

import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

SOURCE_DIR = pathlib.Path(os.environ.get("VIGIL_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
VIGILD = os.environ.get("VIGILD", str(SOURCE_DIR / "build/daemon/vigild"))
VIGIL = os.environ.get("VIGIL", str(SOURCE_DIR / "build/daemon/vigil"))

DEFAULT_DEADLINE = 30.0


def wait_until(condition, what, deadline=DEFAULT_DEADLINE, interval=0.02):
    """Polls `condition` until it returns a truthy value; fails with `what` after the deadline."""
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {deadline}s waiting for {what} (last value: {last!r})")


class TempTree:
    """A temporary directory with rules/ and var/ that is removed afterwards."""

    def __init__(self):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="vigil-it-"))
        self.rules = self.root / "rules"
        self.data = self.root / "var"
        self.rules.mkdir()

    def add_rule(self, name, text):
        path = self.rules / name
        path.write_text(text)
        return path

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def keyword_rule(rule_id, token, title="integration test rule", level="high"):
    return f"""title: {title}
id: {rule_id}
status: test
author: vigil integration tests
level: {level}
tags: [attack.t1110]
logsource: {{product: linux}}
detection:
  keywords:
    - '{token}'
  condition: keywords
"""


# ECS firewall events (the firewall_ecs log source class of schemas/logsources.yaml), for records
# sent over HTTP as JSON.
ECS = '"event":{"dataset":"iptables.log","category":"network","kind":"event"}'


def firewall_rule(rule_id, token, level="high", title=None, extra=""):
    """A detection rule on firewall events whose message contains `token`; `extra`: more keys."""
    return f"""title: {title or f"firewall event carrying {token}"}
id: {rule_id}
author: vigil integration tests
level: {level}
logsource: {{category: firewall}}
detection:
  selection:
    message|contains: '{token}'
  condition: selection
{extra}"""


def tenants_section(tokens):
    """The `tenants:` configuration section for {name: (ingest token, read token)}."""
    return "tenants:\n" + "".join(f"  - name: {name}\n    ingest_tokens: [{ingest}]\n    read_token: {read}\n"
                                   for name, (ingest, read) in tokens.items())


class Vigild:
    """One vigild process on port 0 for all listeners."""

    def __init__(self, tree, syslog_extra="", extra_config="", workers=2, http_extra=""):
        """`syslog_extra` / `http_extra`: more lines for those sections; `extra_config`: more
        sections. Unless `extra_config` has an `alerts:` section of its own: tests count one
        alert per matching record, so the per-rule rate limit (alerts.rate_limit) is off; and
        fixtures carry fixed event times long past, so retention by age (alerts.max_age, by
        event time) is off, or its first pass, whenever its thread gets to it, would delete
        some of the alerts a test is about to read."""
        self.tree = tree
        self.config = tree.root / "vigil.yaml"
        if not re.search(r"^alerts:", extra_config, re.M):
            extra_config = "alerts:\n  rate_limit: 0\n  max_age: 0s\n" + extra_config
        self.config.write_text(
            f"""data_dir: {tree.data}
rules_dir: {tree.rules}
workers: {workers}
syslog:
  udp: 127.0.0.1:0
  tcp: 127.0.0.1:0
{syslog_extra}http:
  listen: 127.0.0.1:0
{http_extra}{extra_config}
"""
        )
        # /metrics wants this token when the configuration sets one.
        m = re.search(r"metrics_token: (\S+)", http_extra)
        self.metrics_token = m.group(1) if m else None
        self.process = None
        self.stdout_lines = []
        self.log_lines = []
        self.ports = {}
        self._ready = threading.Event()
        self._stdout_open = threading.Event()
        self._stdout_open.set()

    def pause_stdout(self):
        """Stops reading vigild's stdout: once the pipe is full, its stdout output blocks (a
        slow sink)."""
        self._stdout_open.clear()

    def resume_stdout(self):
        self._stdout_open.set()

    def start(self):
        self.stdout_lines = []
        self.log_lines = []
        self.ports = {}
        self._ready.clear()
        self.process = subprocess.Popen(
            [VIGILD, "--config", str(self.config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        log_reader = threading.Thread(target=self._read_log, daemon=True)
        log_reader.start()
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        # A vigild that exits (a configuration error) fails at once, not after the deadline.
        end = time.monotonic() + DEFAULT_DEADLINE
        while not self._ready.wait(0.05):
            if self.process.poll() is not None:
                log_reader.join(5)
                raise AssertionError(f"vigild exited {self.process.returncode} before it was ready:\n"
                                     + self.log())
            if time.monotonic() > end:
                self.process.kill()
                raise AssertionError("vigild did not become ready:\n" + self.log())
        return self

    def _drain_stdout(self):
        stream = self.process.stdout
        while True:
            self._stdout_open.wait()
            line = stream.readline()
            if not line:
                break
            self.stdout_lines.append(line.rstrip("\n"))
        stream.close()

    def _read_log(self):
        stream = self.process.stderr
        for line in stream:
            self.log_lines.append(line.rstrip("\n"))
            m = re.search(r"listening: (syslog/udp|syslog/tcp|syslog/tls|https?) 127\.0\.0\.1:(\d+)", line)
            if m:
                self.ports["http" if m.group(1) == "https" else m.group(1)] = int(m.group(2))
            if "vigild ready" in line:
                self._ready.set()
        stream.close()

    def log(self):
        return "\n".join(self.log_lines)

    @property
    def tcp_port(self):
        return self.ports["syslog/tcp"]

    @property
    def tls_port(self):
        return self.ports["syslog/tls"]

    @property
    def udp_port(self):
        return self.ports["syslog/udp"]

    @property
    def http_port(self):
        return self.ports["http"]

    def stop(self, sig=signal.SIGTERM, deadline=DEFAULT_DEADLINE):
        """Signals vigild and returns its exit code."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(deadline)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("vigild did not stop after " + sig.name + ":\n" + self.log())

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    # --- real clients -------------------------------------------------------------------

    def logger(self, *args):
        """util-linux logger aimed at this vigild; args choose transport and format."""
        subprocess.run(["logger", "-n", "127.0.0.1", *args], check=True, timeout=10)

    def curl(self, path, *args):
        result = subprocess.run(
            ["curl", "-sS", "-w", "\n%{http_code}", *args, f"http://127.0.0.1:{self.http_port}{path}"],
            check=True, capture_output=True, text=True, timeout=10,
        )
        body, _, code = result.stdout.rpartition("\n")
        return int(code), body

    def curl_input(self, path, data, *args):
        """curl with `data` on its standard input (for --data-binary @-); (status, body)."""
        result = subprocess.run(
            ["curl", "-sS", "-w", "\n%{http_code}", *args, f"http://127.0.0.1:{self.http_port}{path}"],
            input=data, check=True, capture_output=True, timeout=10,
        )
        body, _, code = result.stdout.decode(errors="replace").rpartition("\n")
        return int(code), body.strip()

    def _metrics_auth(self):
        return ["-H", f"Authorization: Bearer {self.metrics_token}"] if self.metrics_token else []

    def metric(self, name, **labels):
        """The value of one series from GET /metrics (0 if absent)."""
        code, text = self.curl("/metrics", *self._metrics_auth())
        assert code == 200, text
        want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        total = 0
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            series, _, value = line.rpartition(" ")
            metric_name, _, label_text = series.partition("{")
            if metric_name != name:
                continue
            got = ",".join(sorted(label_text.rstrip("}").split(","))) if label_text else ""
            if not labels or got == want:
                total += int(value)
        return total

    def metric_samples(self, name):
        """Every series of one metric from GET /metrics as (labels, value) pairs; values are
        floats (gauges such as vigil_correlation_watermark_seconds are not integers)."""
        code, text = self.curl("/metrics", *self._metrics_auth())
        assert code == 200, text
        samples = []
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            series, _, value = line.rpartition(" ")
            metric_name, _, label_text = series.partition("{")
            if metric_name != name:
                continue
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', label_text))
            samples.append((labels, float(value)))
        return samples

    def metric_value(self, name, **labels):
        """The sum of the series of `name` whose labels include `labels` (0.0 if none)."""
        return sum(value for got, value in self.metric_samples(name)
                   if all(got.get(k) == v for k, v in labels.items()))

    def tcp_send(self, payload, timeout=10):
        """Sends `payload` over one TCP connection; `timeout`: longest wait without progress
        (a paused reader blocks the sender)."""
        with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=timeout) as s:
            s.sendall(payload)

    def udp_send(self, payload):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(payload, ("127.0.0.1", self.udp_port))


class KafkaMock:
    """vigil_kafka_mock (librdkafka's mock cluster; `topics` as TOPIC[:PARTITIONS]): serves
    while its stdin is open. kcat produces and consumes."""

    def __init__(self, *topics):
        program = os.environ.get("VIGIL_KAFKA_MOCK", str(SOURCE_DIR / "build/tests/vigil_kafka_mock"))
        self.process = subprocess.Popen([program, *topics], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline().strip()
        assert line.startswith("bootstrap="), line
        self.bootstrap = line.split("=", 1)[1]

    def stop(self):
        self.process.stdin.close()
        self.process.wait(10)
        self.process.stdout.close()

    def produce(self, topic, lines, *extra):
        """kcat -P: one record per line; `extra` are more kcat options (-p N, -K :, -H ...)."""
        subprocess.run(["kcat", "-b", self.bootstrap, "-t", topic, "-P", "-z", "none", *extra],
                       input="\n".join(lines) + "\n", text=True, check=True, timeout=60,
                       capture_output=True)

    def low_watermark(self, topic, partition):
        """The partition's first offset still held (kcat -Q with logical offset -2)."""
        out = subprocess.run(["kcat", "-b", self.bootstrap, "-Q", "-t", f"{topic}:{partition}:-2"],
                             capture_output=True, text=True, check=True, timeout=60).stdout
        return int(out.split()[-1])

    def count(self, topic, partition):
        """Records the partition holds (kcat -C from the start to the end)."""
        out = subprocess.run(["kcat", "-b", self.bootstrap, "-t", topic, "-p", str(partition), "-C", "-e",
                              "-q", "-o", "beginning"], capture_output=True, check=True, timeout=60).stdout
        return out.count(b"\n")


def vigil(*args, check=True):
    """Runs the vigil CLI; returns (exit code, stdout, stderr)."""
    result = subprocess.run([VIGIL, *args], capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"vigil {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.returncode, result.stdout, result.stderr


def stored_alerts(data_dir, *args):
    """`vigil alerts --json` as a list of alert documents, newest first: page after page (by the
    "next cursor" vigil prints on stderr), unless `args` sets --limit (then that one page)."""
    alerts, cursor = [], []
    one_page = "--limit" in args
    while True:
        _, out, err = vigil("alerts", "--data-dir", str(data_dir), "--json",
                            *(args if one_page else (*args, "--limit", "10000")), *cursor)
        alerts += [json.loads(line) for line in out.splitlines() if line.strip()]
        more = re.search(r"^next cursor: (\S+)$", err, re.M)
        if one_page or not more:
            return alerts
        cursor = ["--cursor", more.group(1)]


_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def rfc3339_ms(text):
    """An RFC 3339 time (as alerts and `vigil parse` print them) as Unix milliseconds."""
    m = _RFC3339.match(text or "")
    if not m:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    y, mo, d, h, mi, s, frac, zone = m.groups()
    offset = datetime.timedelta(0)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    moment = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=datetime.timezone(offset))
    return int(moment.timestamp()) * 1000 + int((frac or "0")[:3].ljust(3, "0"))


def octet(message: bytes) -> bytes:
    return str(len(message)).encode() + b" " + message


# --- alert schema --------------------------------------------------------------------------


def validate_with_ajv(alerts):
    """Validates alert documents against schemas/alert.schema.json with the npm package ajv
    (tests/node/validate_alerts.js, a third-party JSON Schema 2020-12 validator); returns its
    report {"valid": n, "invalid": [{"id", "errors"}]}."""
    lines = "".join(json.dumps(a) + "\n" for a in alerts)
    result = subprocess.run(["node", str(SOURCE_DIR / "tests" / "node" / "validate_alerts.js"),
                             str(SOURCE_DIR / "schemas" / "alert.schema.json")],
                            input=lines, capture_output=True, text=True, timeout=60)
    return json.loads(result.stdout)

ALERT_SCHEMA = json.loads((SOURCE_DIR / "schemas" / "alert.schema.json").read_text())


def schema_errors(value, schema, path="$"):
    """Checks `value` against the JSON Schema keywords schemas/ uses (type, required,
    properties, additionalProperties, items, minItems, enum, pattern, minimum); returns the
    problems found, empty when it conforms."""
    errors = []
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool,
             "number": (int, float)}
    expected = schema.get("type")
    if expected and not (isinstance(value, types[expected]) and not
                         (expected == "integer" and isinstance(value, bool))):
        return [f"{path}: expected {expected}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        errors.append(f"{path}: {value} < {schema['minimum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing '{key}'")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], f"{path}.{key}")
            elif extra is False:
                errors.append(f"{path}: unexpected '{key}'")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, f"{path}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        for i, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), f"{path}[{i}]")
    return errors
