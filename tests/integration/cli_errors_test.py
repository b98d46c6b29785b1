#!/usr/bin/env python3
"""What users see when something is wrong: exit codes and messages of vigil and vigild."""

import pathlib
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import VIGILD, TempTree, keyword_rule, vigil  # noqa: E402

BROKEN_RULE = """title: Broken rule
id: broken-rule-1
level: high
logsource: {product: plan9}
detection:
  selection:
    message|startswith|endswith: x
    Image|sha1: evil.exe
  condition: selection or filter
"""


class CliErrors(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()

    def tearDown(self):
        self.tree.cleanup()

    def vigild(self, *args):
        return subprocess.run([VIGILD, *args], capture_output=True, text=True, timeout=60)

    def test_rules_check_names_file_line_rule_and_reason_and_exits_2(self):
        self.tree.add_rule("good.yml", keyword_rule("good-rule-1", "fine"))
        path = self.tree.add_rule("broken.yml", BROKEN_RULE)
        code, out, _ = vigil("rules", "check", str(self.tree.rules), check=False)
        self.assertEqual(code, 2, out)
        self.assertIn(f"{path}:4: broken-rule-1: log source (product: plan9) has no mapping in schemas/logsources.yaml", out)
        self.assertIn(f"{path}:7: broken-rule-1: modifier 'endswith' conflicts with an earlier one", out)
        self.assertIn(f"{path}:8: broken-rule-1: unsupported modifier 'sha1' in 'Image|sha1'", out)
        self.assertIn(f"{path}:9: broken-rule-1: condition 'selection or filter': unknown search identifier 'filter'", out)
        self.assertIn("1 loaded, 1 rejected, 4 error(s)", out)

    def test_rules_check_of_a_clean_directory_exits_0(self):
        self.tree.add_rule("good.yml", keyword_rule("good-rule-1", "fine"))
        code, out, _ = vigil("rules", "check", str(self.tree.rules), check=False)
        self.assertEqual(code, 0, out)
        self.assertIn("1 loaded, 0 rejected, 0 error(s)", out)

    def test_rules_test_fails_on_a_fixture_that_does_not_hold(self):
        self.tree.add_rule("good.yml", keyword_rule("good-rule-1", "needle"))
        (self.tree.rules / "tests").mkdir()
        (self.tree.rules / "tests" / "good.yml").write_text(
            "rule: good-rule-1\nmatch:\n  - '<13>Nov 21 10:00:00 h a: no such word'\n")
        code, out, _ = vigil("rules", "test", str(self.tree.rules), check=False)
        self.assertEqual(code, 1, out)
        self.assertIn("FAIL  good-rule-1", out)
        self.assertIn("good.yml:3: good-rule-1: should match but did not: <13>Nov 21 10:00:00 h a: no such word", out)

    def test_vigild_reports_every_config_error_with_its_line_and_exits_2(self):
        config = self.tree.root / "bad.yaml"
        config.write_text("data_dir: ./var\nworkerz: 2\nsyslog:\n  tcp: localhost\n")
        result = self.vigild("--config", str(config))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f"{config}:2: unknown key 'workerz'", result.stderr)
        self.assertIn(f"{config}:4: 'syslog.tcp': invalid listen address 'localhost': no port", result.stderr)

    def test_vigild_refuses_unknown_options_and_a_missing_rules_directory(self):
        result = self.vigild("--rule-dir", "x")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown option --rule-dir", result.stderr)
        config = self.tree.root / "ok.yaml"
        config.write_text(f"data_dir: {self.tree.data}\nhttp: {{listen: off}}\n"
                          "syslog: {udp: off, tcp: off}\n")
        result = self.vigild("--config", str(config), "--rules-dir", str(self.tree.root / "missing"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("does not exist", result.stderr)

    def test_vigild_exits_1_when_its_port_is_taken(self):
        self.tree.add_rule("good.yml", keyword_rule("good-rule-1", "fine"))
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            config = self.tree.root / "port.yaml"
            config.write_text(f"data_dir: {self.tree.data}\nrules_dir: {self.tree.rules}\n"
                              f"syslog: {{udp: off, tcp: 127.0.0.1:{port}}}\nhttp: {{listen: off}}\n")
            result = self.vigild("--config", str(config))
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f"syslog TCP listener 127.0.0.1:{port}: cannot bind", result.stderr)

    def test_vigil_alerts_rejects_a_bad_duration_and_a_missing_store(self):
        code, _, err = vigil("alerts", "--data-dir", str(self.tree.data), "--since", "5x", check=False)
        self.assertEqual(code, 2)
        self.assertIn("--since: '5x' is neither a duration", err)
        code, _, err = vigil("alerts", "--data-dir", str(self.tree.data), check=False)
        self.assertEqual(code, 1)
        self.assertIn("no alert database at", err)


if __name__ == "__main__":
    unittest.main()
