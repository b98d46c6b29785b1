#!/usr/bin/env python3
"""Hot reload under load: no event lost, no alert from a half-built or invalid rule set.

A sender streams records over one TCP connection while the rule set changes underneath:
rule A (fires on every record) is replaced by rule B through `vigil rules reload`, an invalid
set is pushed and rejected (the running set stays), SIGHUP switches back to A and the API to B
again. Every record carries both rules' tokens, so exactly one alert per record must exist,
made by the rule of the set that was running, tagged with that set's version. The file watch
is tested on its own: rule files copied in one by one load once, as the final set.
"""

import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import TempTree, Vigild, keyword_rule, stored_alerts, vigil, wait_until  # noqa: E402

RULE_A = "aaaaaaaa-0000-4000-8000-00000000000a"
RULE_B = "bbbbbbbb-0000-4000-8000-00000000000b"
# The stream runs until the reloads are done (at most this many records, 20 s).
MAX_RECORDS = 200_000


class RuleReload(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        suffix = uuid.uuid4().hex[:8]
        self.token_a = "alpha" + suffix
        self.token_b = "bravo" + suffix
        self.write_rule(RULE_A, self.token_a)
        self.daemon = None

    def start(self, watch):
        self.daemon = Vigild(self.tree, extra_config=f"rules_watch: {'true' if watch else 'false'}\n"
                                                      "rules_watch_debounce_ms: 300\n").start()
        return self.daemon

    def tearDown(self):
        if self.daemon:
            self.daemon.kill()
        self.tree.cleanup()

    def write_rule(self, rule_id, token, name="active.yml"):
        # Write beside, then rename: the watch sees one complete file appear.
        path = self.tree.rules / name
        staging = self.tree.root / (name + ".new")
        staging.write_text(keyword_rule(rule_id, token, title=f"rule {rule_id[:1]}"))
        staging.replace(path)

    def rules_state(self):
        code, body = self.daemon.curl("/api/v1/rules")
        self.assertEqual(code, 200)
        import json
        return json.loads(body)

    def let_records_through(self, count=1000):
        """Waits until `count` more records have been parsed by the running rule set."""
        start = self.daemon.metric("vigil_events_parsed_total")
        wait_until(lambda: self.daemon.metric("vigil_events_parsed_total") >= start + count,
                   f"{count} more records parsed")

    def reload_cli(self):
        return vigil("rules", "reload", "--url", f"http://127.0.0.1:{self.daemon.http_port}", check=False)

    def test_reloads_under_load_lose_nothing_and_never_mix_rule_sets(self):
        d = self.start(watch=False)
        sent = []
        reloads_done = threading.Event()

        def send():
            with socket.create_connection(("127.0.0.1", d.tcp_port)) as s:
                chunk = 500
                for start in range(0, MAX_RECORDS, chunk):
                    if reloads_done.is_set():
                        break
                    lines = "".join(
                        f"<13>Nov 21 10:00:00 host app: seq={i} {self.token_a} {self.token_b}\n"
                        for i in range(start, start + chunk))
                    s.sendall(lines.encode())
                    sent.append(start + chunk)
                    time.sleep(0.05)  # a steady stream of about 10,000 records/s

        sender = threading.Thread(target=send)
        sender.start()
        wait_until(lambda: sent and sent[-1] >= 2000, "the stream to start")

        # 1. Switch to rule B through the API: version 2.
        self.write_rule(RULE_B, self.token_b)
        code, out, _ = self.reload_cli()
        self.assertEqual(code, 0, out)
        self.assertIn("reloaded: rule set version 2, 1 rules", out)
        self.let_records_through()

        # 2. An invalid set is rejected; B keeps running.
        (self.tree.rules / "broken.yml").write_text(
            "title: broken\nid: broken-1\nlogsource: {product: linux}\ndetection:\n  s:\n"
            "    message|nosuchmodifier: x\n  condition: s\n")
        code, out, _ = self.reload_cli()
        self.assertEqual(code, 2, out)
        self.assertIn("broken.yml:6: broken-1: unsupported modifier 'nosuchmodifier'", out)
        self.assertIn("the running rule set (version 2) stays", out)
        state = self.rules_state()
        self.assertEqual(state["version"], 2)
        self.assertEqual(state["last_reload"]["result"], "failure")
        self.assertEqual([r["id"] for r in state["rules"]], [RULE_B])

        # 3. Fix the set and switch back to A with SIGHUP: version 3.
        (self.tree.rules / "broken.yml").unlink()
        self.write_rule(RULE_A, self.token_a)
        d.process.send_signal(signal.SIGHUP)
        state = wait_until(lambda: (s := self.rules_state())["version"] == 3 and s, "the SIGHUP reload")
        self.assertEqual([r["id"] for r in state["rules"]], [RULE_A])
        self.assertEqual(state["last_reload"]["trigger"], "signal")
        self.let_records_through()

        # 4. And to B once more through the API: version 4.
        self.write_rule(RULE_B, self.token_b)
        code, out, _ = self.reload_cli()
        self.assertEqual(code, 0, out)
        self.let_records_through()  # rule set 4 sees records too
        reloads_done.set()
        sender.join()
        records = sent[-1]
        self.assertLess(records, MAX_RECORDS, "the stream should have run through every reload")
        wait_until(lambda: d.metric("vigil_events_parsed_total") == records, f"{records} records parsed")
        alerts = wait_until(lambda: (a := stored_alerts(self.tree.data)) and len(a) == records and a,
                            f"{records} alerts", deadline=60)

        # One alert per record, and each made by the rule of the set that produced it.
        seqs = sorted(int(a["evidence"][0]["fields"]["message"].split()[0][4:]) for a in alerts)
        self.assertEqual(seqs, list(range(records)))
        expected_rule = {1: RULE_A, 2: RULE_B, 3: RULE_A, 4: RULE_B}
        versions = set()
        for a in alerts:
            version = a["rule"]["rule_set_version"]
            versions.add(version)
            self.assertIn(version, expected_rule, a["id"])
            self.assertEqual(a["rule"]["id"], expected_rule[version], f"alert {a['id']} of version {version}")
        self.assertEqual(versions, {1, 2, 3, 4}, "every rule set should have seen records")
        self.assertEqual(d.metric("vigil_reload_total", result="failure"), 1)
        self.assertEqual(d.metric("vigil_reload_total", result="success"), 3)
        self.assertEqual(d.stop(), 0, d.log())

    def test_hostile_rule_files_are_errors_at_startup_and_on_reload_not_crashes(self):
        # A condition 100,000 parentheses deep and YAML 100,000 brackets deep once overflowed
        # the stack: a crash loop at startup. They are rejected with a reason; the rest serves.
        deep_condition = keyword_rule("cccccccc-0000-4000-8000-00000000000c", "x").replace(
            "condition: keywords", "condition: " + "(" * 100000 + "keywords" + ")" * 100000)
        self.tree.add_rule("deep_condition.yml", deep_condition)
        self.tree.add_rule("deep_yaml.yml", "title: t\nid: d1\ndetection:\n  s: " + "[" * 100000
                           + "]" * 100000 + "\n  condition: s\n")
        d = self.start(watch=False)
        state = self.rules_state()
        self.assertEqual([r["id"] for r in state["rules"]], [RULE_A])
        errors = "\n".join(state["last_reload"]["errors"])
        self.assertIn("deep_condition.yml:11: cccccccc-0000-4000-8000-00000000000c: condition '((((",
                      errors)
        self.assertIn("nest more than 64 levels deep", errors)
        self.assertRegex(errors, r"deep_yaml.yml:4:\d+: invalid YAML: nested more than 2000 levels deep")
        self.assertLess(len(errors), 2000)
        # On reload too: rejected, and the running set (rule A) keeps serving.
        code, out, _ = self.reload_cli()
        self.assertEqual(code, 2, out)
        self.assertIn("the running rule set (version 1) stays", out)
        with socket.create_connection(("127.0.0.1", d.tcp_port)) as s:
            s.sendall(f"<13>Nov 21 10:00:00 host app: {self.token_a}\n".encode())
        alerts = wait_until(lambda: stored_alerts(self.tree.data), "the alert of rule A")
        self.assertEqual([a["rule"]["id"] for a in alerts], [RULE_A])
        self.assertEqual(d.stop(), 0, d.log())

    def test_a_long_compile_delays_neither_ingest_nor_shutdown(self):
        """Three rules of 20,000 regular expressions each (within the limits) take Hyperscan a
        minute or more to compile. Meanwhile the running rules keep making alerts, and SIGTERM
        stops vigild within 10 s without waiting for the compile (it used to wait)."""
        d = self.start(watch=False)
        for n in range(3):
            values = "".join(f"      - 'x{n}y{i}[a-z]+z{i}.*q'\n" for i in range(20000))
            (self.tree.rules / f"heavy{n}.yml").write_text(
                f"title: heavy {n}\nid: cccccccc-0000-4000-8000-00000000000{n}\nlevel: high\n"
                f"logsource: {{product: linux}}\ndetection:\n  sel:\n    message|re:\n{values}"
                "  condition: sel\n")
        def request_reload():
            # Never answered: vigild stops while it compiles, closing the connection.
            subprocess.run(["curl", "-sS", "-o", "/dev/null", "-X", "POST", "-m", "300",
                            f"http://127.0.0.1:{d.http_port}/api/v1/rules/reload"],
                           capture_output=True, timeout=320)

        reload = threading.Thread(target=request_reload, daemon=True)
        reload.start()
        wait_until(lambda: any("reloading rules from" in line and "(api)" in line for line in d.log_lines),
                   "the reload under way")
        # Ingest goes on with the running rule set.
        marker = uuid.uuid4().hex[:8]
        d.logger("-T", "--rfc3164", "-P", str(d.tcp_port), "-t", "app", f"{self.token_a} during compile {marker}")
        wait_until(lambda: any(marker in a["evidence"][0]["fields"].get("message", "")
                               for a in stored_alerts(self.tree.data, "--limit", "5")),
                   "an alert from the running rules during the compile")
        self.assertTrue(d.process.poll() is None and not any("rule set version 2" in l for l in d.log_lines),
                        "the compile must still be running for this test to mean anything")
        started = time.monotonic()
        self.assertEqual(d.stop(deadline=20), 0, d.log())
        self.assertLess(time.monotonic() - started, 10.0)
        self.assertTrue(any("a rule compile was still running; not waiting for it" in l for l in d.log_lines),
                        d.log())

    def test_files_copied_one_by_one_load_once_as_the_final_set(self):
        d = self.start(watch=True)
        before = d.metric("vigil_reload_total", result="success")
        for n in range(3):
            (self.tree.rules / f"extra{n}.yml").write_text(
                keyword_rule(f"cccccccc-0000-4000-8000-00000000000{n}", f"extra{n}"))
            time.sleep(0.05)  # a copy that takes a moment per file, well inside the quiet period
        state = wait_until(lambda: (s := self.rules_state())["loaded"] == 4 and s, "the four rules loaded")
        self.assertEqual(state["last_reload"]["trigger"], "watch")
        # Let another quiet period pass: no second reload may follow.
        time.sleep(0.6)
        self.assertEqual(d.metric("vigil_reload_total", result="success"), before + 1)


if __name__ == "__main__":
    unittest.main()
