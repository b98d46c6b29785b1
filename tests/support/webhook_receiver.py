"""A real local HTTP receiver for webhook tests: records every request and answers as the test
sets (`mode`): "ok" (200), "fail" (500), "throttle" (429 with Retry-After), "redirect" (302 to
`location`), or a robot's JSON error. `verify_standard_webhooks` checks signatures with the npm
package standardwebhooks under node (a third-party verifier)."""

import http.server
import json
import pathlib
import socket
import subprocess
import threading
import time

NODE_TOOLS = pathlib.Path(__file__).resolve().parents[1] / "node"


class Receiver:
    def __init__(self, port=0, mode="ok", retry_after="2"):
        self.mode = mode
        self.retry_after = retry_after
        self.location = "http://127.0.0.1:9/"
        self.requests = []  # dicts: time, path, headers (lower-case), body, status
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                mode = receiver.mode
                status = {"ok": 200, "fail": 500, "throttle": 429, "redirect": 302}.get(mode, 200)
                with receiver.lock:
                    receiver.requests.append({"time": time.monotonic(), "path": self.path, "body": body,
                                              "headers": {k.lower(): v for k, v in self.headers.items()},
                                              "status": status})
                answer = b'{"errcode":0,"errmsg":"ok"}' if mode == "ok" else b"{}"
                if mode == "robot_error":
                    answer = b'{"errcode":310000,"errmsg":"sign not match"}'
                self.send_response(status)
                if mode == "throttle":
                    self.send_header("Retry-After", receiver.retry_after)
                if mode == "redirect":
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def delivered(self):
        """webhook-id (or the body's alert id) of every request answered 2xx."""
        return [r["headers"].get("webhook-id") or r["body"] for r in self.snapshot() if r["status"] < 300]


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verify_standard_webhooks(secret, requests):
    """Runs tests/node/verify_webhook.js (npm standardwebhooks) over the requests; returns its
    verdicts, one dict per request: ok, id, error."""
    lines = "".join(json.dumps({"secret": secret, "headers": r["headers"], "body": r["body"]}) + "\n"
                    for r in requests)
    out = subprocess.run(["node", str(NODE_TOOLS / "verify_webhook.js")], input=lines, text=True,
                         capture_output=True, check=True, timeout=60).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]
