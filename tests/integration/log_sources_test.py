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
                self.assertEqual(len(events), len(records_of(sample)), name)
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


if __name__ == "__main__":
    unittest.main()
