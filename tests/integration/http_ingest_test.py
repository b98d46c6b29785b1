#!/usr/bin/env python3
"""HTTP ingest with curl: NDJSON, JSON arrays, gzip, Splunk HEC, tokens, size limits, and
requests whose framing is ambiguous (Content-Length with Transfer-Encoding, two different
Content-Lengths). Records become alerts through a rule that looks for a token in them.
"""

import gzip
import json
import pathlib
import sys
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import (ALERT_SCHEMA, ECS, SOURCE_DIR, TempTree, Vigild, firewall_rule,  # noqa: E402
                           schema_errors, stored_alerts, vigil, wait_until)

INGEST_TOKEN = "ingest-" + uuid.uuid4().hex
HEC_TOKEN = str(uuid.uuid4())
CONFIG_HTTP = f"""  max_body_bytes: 4096
  max_decompressed_bytes: 65536
  max_compression_ratio: 50
  ingest_token: {INGEST_TOKEN}
  hec_token: {HEC_TOKEN}
  metrics_token: metrics-for-tests
"""


class HttpIngest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.token = "http" + uuid.uuid4().hex[:8]
        cls.tree.add_rule("token.yml", firewall_rule("7d1b9c2e-3f4a-4b5c-8d6e-7f8091a2b3c4", cls.token,
                                                        title="firewall event carrying a test token"))
        cls.daemon = Vigild(cls.tree, http_extra=CONFIG_HTTP).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.tree.cleanup()

    def post(self, path, body, *headers, token=INGEST_TOKEN, scheme="Bearer"):
        args = ["-X", "POST", "--data-binary", "@-"]
        if token:
            args += ["-H", f"Authorization: {scheme} {token}"]
        for h in headers:
            args += ["-H", h]
        return self.daemon.curl_input(path, body, *args)

    def alerts_with(self, marker):
        return [a for a in stored_alerts(self.tree.data) if marker in a["evidence"][0]["fields"].get("message", "")]

    def test_ndjson_array_and_gzip_bodies_become_alerts(self):
        marker = uuid.uuid4().hex[:8]
        ndjson = "".join(f'{{{ECS},"message":"{self.token} ndjson {marker} {i}"}}\n' for i in range(3))
        self.assertEqual(self.post("/ingest", ndjson.encode()), (200, '{"accepted":3}'))
        array = "[" + ",".join(f'{{{ECS},"message":"{self.token} array {marker} {i}"}}' for i in range(2)) + "]"
        self.assertEqual(self.post("/ingest", array.encode()), (200, '{"accepted":2}'))
        packed = gzip.compress(f'{{{ECS},"message":"{self.token} gzip {marker}"}}\n'.encode())
        self.assertEqual(self.post("/ingest", packed, "Content-Encoding: gzip"), (200, '{"accepted":1}'))
        wait_until(lambda: len(self.alerts_with(marker)) == 6, "6 alerts")
        messages = sorted(a["evidence"][0]["fields"]["message"] for a in self.alerts_with(marker))
        self.assertIn(f"{self.token} gzip {marker}", messages)
        alert = self.alerts_with(marker)[0]
        self.assertEqual(alert["evidence"][0]["transport"], "http")
        self.assertEqual(schema_errors(alert, ALERT_SCHEMA), [])

    def test_a_batch_document_is_split_into_its_records(self):
        # {"Records": [...]}, as CloudTrail writes its log files: one accepted record, split by
        # the worker into three events, two of which match.
        marker = uuid.uuid4().hex[:8]
        records = [f'{{{ECS},"message":"{self.token} batch {marker} {i}"}}' for i in range(2)]
        records.append(f'{{{ECS},"message":"no token, batch {marker}"}}')
        body = '{"Records": [' + ", ".join(records) + "]}"
        self.assertEqual(self.post("/ingest", body.encode()), (200, '{"accepted":1}'))
        wait_until(lambda: len(self.alerts_with(marker)) == 2, "2 alerts")
        messages = sorted(a["evidence"][0]["fields"]["message"] for a in self.alerts_with(marker))
        self.assertEqual(messages, [f"{self.token} batch {marker} 0", f"{self.token} batch {marker} 1"])
        # `vigil parse` shows the same three events.
        path = self.tree.root / f"batch-{marker}.json"
        path.write_text(body + "\n")
        _, out, _ = vigil("parse", str(path), "--schemas-dir", str(SOURCE_DIR / "schemas"))
        parsed = [json.loads(line) for line in out.splitlines()]
        self.assertEqual([e["fields"]["message"] for e in parsed],
                         [f"{self.token} batch {marker} {i}" for i in range(2)] + [f"no token, batch {marker}"])

    def test_splunk_hec_events_keep_time_and_host(self):
        marker = uuid.uuid4().hex[:8]
        events = (f'{{"event":{{{ECS},"message":"{self.token} hec {marker}"}},"time":1795000000,"host":"web07"}}'
                  f'{{"event":{{{ECS},"message":"{self.token} hec2 {marker}"}}}}')
        code, body = self.post("/services/collector/event", events.encode(), token=HEC_TOKEN, scheme="Splunk")
        self.assertEqual((code, body), (200, '{"text":"Success","code":0}'))
        wait_until(lambda: len(self.alerts_with(marker)) == 2, "2 HEC alerts")
        # The other paths HEC clients post events to.
        for path in ("/services/collector/event/1.0", "/services/collector"):
            event = f'{{"event":{{{ECS},"message":"{self.token} hec-path {marker}"}}}}'
            self.assertEqual(self.post(path, event.encode(), token=HEC_TOKEN, scheme="Splunk")[0], 200)
        wait_until(lambda: len(self.alerts_with(marker)) == 4, "4 HEC alerts")
        first = [a for a in self.alerts_with(marker) if f"hec {marker}" in a["evidence"][0]["fields"]["message"]][0]
        self.assertEqual(first["evidence"][0]["@timestamp"], "2026-11-18T11:06:40Z")
        self.assertEqual(first["evidence"][0]["fields"]["host.name"], "web07")

    def test_splunk_hec_time_that_is_not_a_time_is_refused(self):
        marker = uuid.uuid4().hex[:8]
        good = f'{{"event":{{{ECS},"message":"{self.token} hectime {marker}"}},"time":"1795000000.5"}}'
        for bad_time in ('1e300', '"soon"', '-5', '"nan"', '253402300800', 'true', '{"s":1}'):
            bad = f'{{"event":"x {marker}","time":{bad_time}}}'
            code, body = self.post("/services/collector/event", (good + bad).encode(),
                                   token=HEC_TOKEN, scheme="Splunk")
            self.assertEqual(code, 400, (bad_time, body))
            reply = json.loads(body)
            self.assertEqual(reply["code"], 6, body)
            self.assertEqual(reply["invalid-event-number"], 1, body)
            self.assertIn("'time'", reply["text"])
        self.assertEqual(self.daemon.metric("vigil_http_ingest_requests_total", endpoint="hec",
                                            result="bad_time"), 7)
        # Nothing of a refused request was taken; the good event alone is.
        self.assertEqual(self.post("/services/collector/event", good.encode(), token=HEC_TOKEN,
                                   scheme="Splunk")[0], 200)
        alerts = wait_until(lambda: self.alerts_with(marker), "the good event's alert")
        self.assertEqual(len(alerts), 1)
        self.assertEqual(alerts[0]["evidence"][0]["@timestamp"], "2026-11-18T11:06:40.500Z")

    def test_tokens_are_required(self):
        body = f'{{"message":"{self.token} unauthorised"}}\n'.encode()
        self.assertEqual(self.post("/ingest", body, token=None)[0], 401)
        self.assertEqual(self.post("/ingest", body, token=INGEST_TOKEN + "x")[0], 401)
        self.assertEqual(self.post("/ingest", body, token=HEC_TOKEN)[0], 401)
        hec = b'{"event":"x"}'
        self.assertEqual(self.post("/services/collector/event", hec, token=None),
                         (401, '{"text":"Token is required","code":2}'))
        self.assertEqual(self.post("/services/collector/event", hec, token="nope", scheme="Splunk"),
                         (403, '{"text":"Invalid token","code":4}'))
        self.assertEqual(self.daemon.metric("vigil_http_ingest_requests_total", endpoint="ingest",
                                            result="unauthorized"), 3)

    def test_multi_member_gzip_is_decoded_whole_and_trailing_garbage_refused(self):
        # Two gzip members back to back (concatenated .gz files): both members' records count.
        marker = uuid.uuid4().hex[:8]
        first = gzip.compress(f'{{{ECS},"message":"{self.token} member1 {marker}"}}\n'.encode())
        second = gzip.compress("".join(f'{{{ECS},"message":"{self.token} member2 {marker} {i}"}}\n'
                                       for i in range(2)).encode())
        self.assertEqual(self.post("/ingest", first + second, "Content-Encoding: gzip"),
                         (200, '{"accepted":3}'))
        wait_until(lambda: len(self.alerts_with(marker)) == 3, "3 alerts, one of each record")
        # Bytes after the last member that are not a gzip member: 400, nothing accepted.
        code, body = self.post("/ingest", first + b"not gzip", "Content-Encoding: gzip")
        self.assertEqual(code, 400, body)
        self.assertIn("damaged gzip body", body)
        # A second member cut short: 400 too.
        code, body = self.post("/ingest", first + second[: len(second) // 2], "Content-Encoding: gzip")
        self.assertEqual(code, 400, body)
        self.assertIn("damaged gzip body: truncated", body)

    def test_size_limits_answer_413(self):
        big = (f'{{"message":"{self.token} {"x" * 5000}"}}\n').encode()
        code, body = self.post("/ingest", big)
        self.assertEqual(code, 413, body)
        bomb = gzip.compress(b"{}\n" * 30000)  # 90 kB from a few hundred bytes
        code, body = self.post("/ingest", bomb, "Content-Encoding: gzip")
        self.assertEqual(code, 413, body)
        self.assertIn("decompressed body larger than", body)

    def test_ambiguous_framing_is_refused(self):
        for headers in (["Content-Length: 5", "Transfer-Encoding: chunked"],
                        ["Content-Length: 5", "Content-Length: 6"]):
            code, body = self.daemon.curl_input("/ingest", b"hello", "-X", "POST", "--data-binary", "@-",
                                                "-H", f"Authorization: Bearer {INGEST_TOKEN}",
                                                *sum((["-H", h] for h in headers), []))
            self.assertEqual(code, 400, (headers, body))


if __name__ == "__main__":
    unittest.main()
