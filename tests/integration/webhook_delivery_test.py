#!/usr/bin/env python3
"""Webhooks (issue 15) against real local receivers started by the test:

- a receiver that is down, then answers 500, then 429 with Retry-After, then comes up: every
  alert delivered, duplicates only under the same webhook-id, Retry-After honoured, and every
  request's signature verified by the npm package standardwebhooks under node;
- kill -9 with a full outbox, then a restart: everything delivered;
- a redirect is not followed; a private address is refused without allow_private;
- a hanging destination does not slow a live one;
- max_age turns undeliverable alerts into dead letters that `vigil webhooks dead` lists and
  `vigil webhooks retry` sends again;
- DingTalk's and Feishu's signatures, checked by their documented algorithms, and the WeCom
  and Slack message shapes.
"""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import statistics
import socket
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import ECS, TempTree, Vigild, firewall_rule, stored_alerts, vigil, wait_until  # noqa: E402
from webhook_receiver import Receiver, free_port, verify_standard_webhooks  # noqa: E402

RULE_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()
RULE = firewall_rule(RULE_ID, "tok-hook", extra="tags: [attack.t1071]\n")


def webhook(name, url, *extra):
    lines = [f"    - name: {name}", f"      url: {url}"] + [f"      {e}" for e in extra]
    return "\n".join(lines) + "\n"


def outputs(*hooks):
    return "outputs:\n  webhooks:\n" + "".join(hooks)


FAST = ("initial_backoff: 100ms", "max_backoff: 500ms")


class Webhooks(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.tree.add_rule("hook.yml", RULE)
        self.daemon = None
        self.receivers = []

    def tearDown(self):
        if self.daemon:
            self.daemon.kill()
        for r in self.receivers:
            r.stop()
        self.tree.cleanup()

    def receiver(self, **kwargs):
        r = Receiver(**kwargs)
        self.receivers.append(r)
        return r

    def start(self, config):
        self.daemon = Vigild(self.tree, extra_config=config).start()
        return self.daemon

    def send(self, count, tag="x"):
        lines = "".join(f'{{{ECS},"message":"tok-hook {tag} {i}"}}\n' for i in range(count))
        code, body = self.daemon.curl_input("/ingest", lines.encode(), "-X", "POST", "--data-binary", "@-")
        self.assertEqual(code, 200, body)

    def alert_ids(self):
        return {a["id"] for a in stored_alerts(self.tree.data)}

    def failed(self, name, reason):
        return self.daemon.metric("vigil_delivery_failed_total", destination=name, reason=reason)

    def test_outage_then_errors_then_throttling_then_everything_delivered_and_verified(self):
        port = free_port()
        self.start(outputs(webhook("soc", f"http://127.0.0.1:{port}/hook", f"secret: {SECRET}",
                                   "allow_private: true", *FAST)))
        self.send(20)
        wait_until(lambda: len(self.alert_ids()) == 20, "20 alerts stored")
        wait_until(lambda: self.failed("soc", "network") >= 2, "sends failing while the receiver is down")
        receiver = self.receiver(port=port, mode="fail")
        wait_until(lambda: self.failed("soc", "status") >= 3, "500s counted")
        receiver.mode = "throttle"
        wait_until(lambda: any(r["status"] == 429 for r in receiver.snapshot()), "a 429")
        time.sleep(0.3)  # let the 429s of the requests in flight land before opening up
        receiver.mode = "ok"
        ids = self.alert_ids()
        wait_until(lambda: set(receiver.delivered()) == ids, "every alert delivered")
        wait_until(lambda: self.daemon.metric("vigil_delivery_queue_depth", destination="soc") == 0, "outbox empty")
        requests = receiver.snapshot()
        # Duplicates only under the same id: the id is the alert's, on every attempt.
        for r in requests:
            self.assertEqual(json.loads(r["body"])["id"], r["headers"]["webhook-id"])
        self.assertEqual(self.daemon.metric("vigil_delivery_sent_total", destination="soc"), 20)
        # Retry-After: 2 s of silence after each 429 (the whole destination pauses).
        throttled = [r["time"] for r in requests if r["status"] == 429]
        last_429 = max(throttled)
        after = [r["time"] for r in requests if r["time"] > last_429]
        self.assertTrue(after)
        self.assertGreaterEqual(min(after) - last_429, 1.9)
        # Every request signed correctly, as a third-party library sees it.
        verdicts = verify_standard_webhooks(SECRET, requests)
        self.assertEqual(len(verdicts), len(requests))
        self.assertEqual([v for v in verdicts if not v["ok"]], [])
        # The same requests with another secret fail verification (the check can fail).
        other = "whsec_" + base64.b64encode(os.urandom(24)).decode()
        self.assertFalse(any(v["ok"] for v in verify_standard_webhooks(other, requests[:3])))

    def test_kill_9_with_a_full_outbox_then_restart_delivers_everything(self):
        port = free_port()
        self.start(outputs(webhook("soc", f"http://127.0.0.1:{port}/hook", f"secret: {SECRET}",
                                   "allow_private: true", *FAST)))
        self.send(30)
        wait_until(lambda: self.daemon.metric("vigil_delivery_queue_depth", destination="soc") == 30,
                   "30 alerts in the outbox")
        self.daemon.kill()
        receiver = self.receiver(port=port)
        self.daemon.start()
        ids = self.alert_ids()
        self.assertEqual(len(ids), 30)
        wait_until(lambda: set(receiver.delivered()) == ids, "the outbox delivered after the restart")
        self.assertTrue(all(v["ok"] for v in verify_standard_webhooks(SECRET, receiver.snapshot())))

    def test_a_redirect_is_not_followed_and_a_private_address_is_refused(self):
        target = self.receiver()
        redirecting = self.receiver(mode="redirect")
        redirecting.location = target.url
        private = self.receiver()
        self.start(outputs(webhook("moved", redirecting.url, "allow_private: true", *FAST),
                           webhook("inside", private.url, *FAST)))
        self.send(2)
        wait_until(lambda: self.failed("moved", "redirect") >= 2, "redirects counted")
        wait_until(lambda: self.failed("inside", "refused") >= 2, "the private address refused")
        self.assertEqual(target.snapshot(), [])
        self.assertEqual(private.snapshot(), [])
        self.assertTrue(any("redirects are not followed" in line for line in self.daemon.log_lines))

    def latency_of_live(self, config, live):
        """Median seconds from ingest to the live receiver, over 8 alerts sent one by one."""
        self.start(config)
        latencies = []
        for i in range(8):
            seen = len(live.snapshot())
            started = time.monotonic()
            self.send(1, tag=f"lat{i}")
            wait_until(lambda: len(live.snapshot()) > seen, "the live delivery")
            latencies.append(live.snapshot()[-1]["time"] - started)
        self.daemon.kill()
        self.daemon = None
        return statistics.median(latencies)

    def test_a_hanging_destination_does_not_delay_a_live_one(self):
        live = self.receiver()
        alone = self.latency_of_live(outputs(webhook("live", live.url, "allow_private: true")), live)
        # Accepts connections (the kernel's backlog) and never answers.
        hanging = socket.socket()
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(64)
        try:
            url = f"http://127.0.0.1:{hanging.getsockname()[1]}/hook"
            beside = self.latency_of_live(outputs(webhook("live", live.url, "allow_private: true"),
                                                  webhook("stuck", url, "allow_private: true", "timeout: 30s")), live)
        finally:
            hanging.close()
        print(f"live delivery latency: alone {alone * 1000:.1f} ms, beside a hanging destination "
              f"{beside * 1000:.1f} ms")
        self.assertLess(beside, alone + 0.25)

    def test_shutdown_does_not_wait_for_a_hanging_destination_and_loses_nothing(self):
        hanging = socket.socket()
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(64)
        port = hanging.getsockname()[1]
        try:
            self.start(outputs(webhook("soc", f"http://127.0.0.1:{port}/hook", f"secret: {SECRET}",
                                       "allow_private: true", "timeout: 60s", "concurrency: 2")))
            self.send(3)
            wait_until(lambda: len(self.alert_ids()) == 3, "3 alerts stored")
            # Two sends (the destination's concurrency) connect and wait for an answer that
            # never comes.
            hanging.settimeout(30)
            waiting = [hanging.accept()[0] for _ in range(2)]
            self.assertEqual(self.daemon.metric("vigil_delivery_sent_total", destination="soc"), 0)
            started = time.monotonic()
            self.assertEqual(self.daemon.stop(), 0)
            stopped_in = time.monotonic() - started
            for connection in waiting:
                connection.close()
        finally:
            hanging.close()
        print(f"SIGTERM with sends hanging (timeout 60 s): exit in {stopped_in:.2f} s")
        self.assertLess(stopped_in, 10)
        # The alerts stayed in the outbox: the next start delivers them.
        receiver = self.receiver(port=port)
        self.daemon.start()
        ids = self.alert_ids()
        wait_until(lambda: set(receiver.delivered()) == ids, "the outbox delivered after the restart")

    def test_undeliverable_alerts_become_dead_letters_and_are_sent_again(self):
        receiver = self.receiver(mode="fail")
        self.start(outputs(webhook("soc", receiver.url, "allow_private: true", "max_age: 1s", *FAST)))
        self.send(3)
        wait_until(lambda: self.daemon.metric("vigil_delivery_dead_total", destination="soc") == 3, "3 dead letters")
        _, out, _ = vigil("webhooks", "dead", "--config", str(self.daemon.config))
        dead = [json.loads(line) for line in out.splitlines()]
        self.assertEqual({d["alert_id"] for d in dead}, self.alert_ids())
        self.assertTrue(all(d["destination"] == "soc" and d["error"] == "HTTP 500" and d["attempts"] >= 1
                            for d in dead))
        receiver.mode = "ok"
        _, out, _ = vigil("webhooks", "retry", "--config", str(self.daemon.config),
                          "--url", f"http://127.0.0.1:{self.daemon.http_port}")
        self.assertEqual(json.loads(out), {"queued": 3})
        wait_until(lambda: set(receiver.delivered()) == self.alert_ids(), "the retried alerts delivered")
        _, out, _ = vigil("webhooks", "dead", "--config", str(self.daemon.config))
        self.assertEqual(out, "")

    def test_chat_robots_get_their_formats_and_signatures(self):
        ding, feishu, wecom, slack = (self.receiver() for _ in range(4))
        ding_secret, feishu_secret = "SEC" + os.urandom(16).hex(), os.urandom(16).hex()
        self.start(outputs(
            webhook("ding", ding.url + "?access_token=abc", "format: dingtalk", f"secret: {ding_secret}", "allow_private: true"),
            webhook("feishu", feishu.url, "format: feishu", f"secret: {feishu_secret}", "allow_private: true"),
            webhook("wecom", wecom.url, "format: wecom", "allow_private: true", "min_level: high"),
            webhook("slack", slack.url, "format: slack", "allow_private: true", "tags: [attack.t1071]")))
        self.send(1, tag="robots")
        for r in (ding, feishu, wecom, slack):
            wait_until(lambda r=r: r.delivered(), "a robot message")
        alert = stored_alerts(self.tree.data)[0]
        # DingTalk: timestamp (ms) and sign on the URL; sign = base64(HMAC-SHA256(secret,
        # "timestamp\nsecret")), URL-encoded.
        request = ding.snapshot()[0]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
        self.assertEqual(query["access_token"], ["abc"])
        stamp = query["timestamp"][0]
        self.assertLess(abs(int(stamp) - time.time() * 1000), 60_000)
        expected = base64.b64encode(hmac.new(ding_secret.encode(), f"{stamp}\n{ding_secret}".encode(),
                                             hashlib.sha256).digest()).decode()
        self.assertEqual(query["sign"], [expected])
        body = json.loads(request["body"])
        self.assertEqual(body["msgtype"], "markdown")
        self.assertIn(alert["rule"]["title"], body["markdown"]["title"])
        self.assertIn(alert["id"], body["markdown"]["text"])
        # Feishu: timestamp (s) and sign in the body; sign = base64(HMAC-SHA256 keyed with
        # "timestamp\nsecret" over an empty message).
        body = json.loads(feishu.snapshot()[0]["body"])
        key = f"{body['timestamp']}\n{feishu_secret}".encode()
        self.assertEqual(body["sign"], base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode())
        self.assertEqual(body["msg_type"], "interactive")
        self.assertIn("[II]", body["card"]["header"]["title"]["content"])
        self.assertIn(alert["id"], body["card"]["elements"][0]["content"])
        body = json.loads(wecom.snapshot()[0]["body"])
        self.assertEqual(body["msgtype"], "markdown")
        self.assertIn("**[II] firewall event carrying tok-hook**", body["markdown"]["content"])
        body = json.loads(slack.snapshot()[0]["body"])
        self.assertIn("*[II] firewall event carrying tok-hook*", body["text"])
        self.assertIn("tok-hook robots 0", body["text"])

    def test_a_robot_refusing_in_its_body_is_a_failure(self):
        robot = self.receiver(mode="robot_error")
        self.start(outputs(webhook("ding", robot.url, "format: dingtalk", "allow_private: true", *FAST)))
        self.send(1)
        wait_until(lambda: self.failed("ding", "status") >= 2, "the robot's refusal counted")
        self.assertEqual(self.daemon.metric("vigil_delivery_sent_total", destination="ding"), 0)


if __name__ == "__main__":
    unittest.main()
