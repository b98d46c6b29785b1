#!/usr/bin/env python3
"""Log-source recognition and mapping, family by family, from fixtures (tests/data/logsources).

Each fixture file holds sample records of one log-source family, each with where its shape
comes from (the vendor's documentation). For every sample, `vigil parse` on the shipped schemas
must put it into the expected class and give the expected fields their expected values; and
`vigil replay` with the shipped rule pack must raise exactly the expected rules' alerts on it
(none for a benign sample). A sample may be a group of records (`records:`) when a rule needs
several events.
"""

import json
import pathlib
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import SOURCE_DIR, vigil  # noqa: E402

FIXTURES = SOURCE_DIR / "tests" / "data" / "logsources"
SCHEMAS = SOURCE_DIR / "schemas"
RULES = SOURCE_DIR / "rules"


def samples():
    for path in sorted(FIXTURES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for sample in doc["samples"]:
            yield path.name, doc, sample


def records_of(sample):
    return sample["records"] if "records" in sample else [sample["line"]]


def parse(records, fmt):
    with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
        f.write("\n".join(records) + "\n")
        f.flush()
        _, out, _ = vigil("parse", f.name, "--schemas-dir", str(SCHEMAS), "--format", fmt)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def replay(records, fmt):
    with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
        f.write("\n".join(records) + "\n")
        f.flush()
        _, out, _ = vigil("replay", f.name, "--rules", str(RULES), "--schemas-dir", str(SCHEMAS),
                          "--format", fmt, "--json")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


class LogSources(unittest.TestCase):
    def test_fixtures_exist_and_cite_their_source(self):
        files = sorted(FIXTURES.glob("*.yaml"))
        self.assertGreater(len(files), 0)
        for path in files:
            doc = yaml.safe_load(path.read_text())
            self.assertTrue(doc.get("family"), path.name)
            for sample in doc["samples"]:
                self.assertTrue(sample.get("source") or doc.get("source"),
                                f"{path.name}: {sample.get('name')}: no source")

    def test_each_sample_gets_its_class_and_fields(self):
        for file, doc, sample in samples():
            name = f"{file}: {sample['name']}"
            with self.subTest(sample=name):
                fmt = sample.get("format", doc.get("format", "auto"))
                events = parse(records_of(sample), fmt)
                # One event per record, unless the sample says (a batch document splits).
                self.assertEqual(len(events), sample.get("events", len(records_of(sample))), name)
                event = events[0]
                self.assertEqual(event.get("logsource", {}).get("class"), sample["class"],
                                 f"{name}: {json.dumps(event)[:2000]}")
                if "mapping" in sample:
                    self.assertEqual(event.get("mapping"), sample["mapping"], name)
                if "time" in sample:
                    self.assertEqual(event.get("@timestamp"), sample["time"], name)
                for field, want in (sample.get("fields") or {}).items():
                    got = event["fields"].get(field)
                    self.assertEqual(got, str(want), f"{name}: field {field}: "
                                     f"{json.dumps(event['fields'])[:2000]}")

    def test_malicious_samples_alert_and_benign_ones_do_not(self):
        for file, doc, sample in samples():
            if "alerts" not in sample:
                continue
            name = f"{file}: {sample['name']}"
            with self.subTest(sample=name):
                fmt = sample.get("format", doc.get("format", "auto"))
                alerts = replay(records_of(sample), fmt)
                got = sorted({a["rule"]["id"] for a in alerts})
                self.assertEqual(got, sorted(sample["alerts"]),
                                 f"{name}: {[a['rule'].get('title') for a in alerts]}")

    def test_explain_names_the_envelope_the_near_misses_the_class_and_the_rules(self):
        doc = yaml.safe_load((FIXTURES / "windows.yaml").read_text())
        wazuh_alert = next(s for s in doc["samples"] if "Wazuh alert" in s["name"])
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write(wazuh_alert["line"] + "\n")
            f.flush()
            _, out, _ = vigil("parse", f.name, "--explain", "--rules", str(RULES),
                              "--schemas-dir", str(SCHEMAS))
        explain = json.loads(out.splitlines()[0])["explain"]
        self.assertEqual(explain["envelopes"], ["wazuh_alert"])
        classes = explain["classes"]
        self.assertEqual(classes[-1]["class"], "security_process_creation")
        self.assertTrue(classes[-1]["matched"])
        self.assertIn("winlog.channel = Security", classes[-1]["held"])
        self.assertIn("event.code = 4688", classes[-1]["held"])
        # Every class before it that the event nearly fell into says which test failed.
        for near in classes[:-1]:
            self.assertFalse(near["matched"])
            self.assertTrue(near["held"] and near["failed"], near)
        rule_ids = {r["id"] for r in explain["rules"]}
        self.assertIn("97a80ec7-0e2f-4d05-9ef4-65760e634f6b", rule_ids)  # whoami /priv
        self.assertNotIn("e5d3ad38-ee26-46e1-b021-a7461bdb034c", rule_ids)  # a web rule

        # A syslog line of an unknown program: the near misses are the program classes.
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write("<14>Nov 20 10:00:00 host1 myapp[1]: started\n")
            f.flush()
            _, out, _ = vigil("parse", f.name, "--explain", "--rules", str(RULES),
                              "--schemas-dir", str(SCHEMAS))
        explain = json.loads(out.splitlines()[0])["explain"]
        failed = {c["class"]: c.get("failed") for c in explain["classes"]}
        self.assertEqual(failed["syslog_sshd"], "process.name is myapp, not sshd")
        self.assertEqual(explain["classes"][-1]["class"], "syslog_linux")


if __name__ == "__main__":
    unittest.main()
