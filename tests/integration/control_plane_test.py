#!/usr/bin/env python3
"""The control plane behind its tokens and TLS (issue 14, fault 8), with curl and openssl:

- with tokens set, GET /api/v1/* needs the read (or write) token, POST /api/v1/rules/reload the
  write token, /metrics the metrics token; wrong or missing tokens get 401 and are counted;
  /healthz stays open;
- with only an ingest token set, a route whose own token is not set refuses with 403 (it used
  to answer anyone);
- with no token at all, everything answers (the default on 127.0.0.1);
- HTTPS: curl verifies the server against the test CA, a plaintext request gets no answer, and
  SIGHUP puts a rotated certificate in place for new connections (a damaged one is refused and
  the old one stays).
"""

import pathlib
import shutil
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from tls_pki import make_certificate, make_pki  # noqa: E402
from vigil_harness import TempTree, Vigild, vigil, wait_until  # noqa: E402

READ, WRITE, METRICS, INGEST = "read-7f3a", "write-9c1d", "metrics-4e8b", "ingest-2a6f"


class Tokens(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = TempTree()
        cls.daemon = Vigild(cls.tree, http_extra=f"  ingest_token: {INGEST}\n  api_read_token: {READ}\n"
                                                 f"  api_write_token: {WRITE}\n  metrics_token: {METRICS}\n").start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        cls.tree.cleanup()

    def call(self, path, token=None, method="GET"):
        args = ["-X", method]
        if token:
            args += ["-H", f"Authorization: Bearer {token}"]
        return self.daemon.curl(path, *args)[0]

    def test_each_route_wants_its_own_token(self):
        for path in ("/api/v1/rules", "/api/v1/coverage"):
            self.assertEqual(self.call(path), 401, path)
            self.assertEqual(self.call(path, "wrong"), 401, path)
            self.assertEqual(self.call(path, METRICS), 401, path)
            self.assertEqual(self.call(path, INGEST), 401, path)
            self.assertEqual(self.call(path, READ), 200, path)
            self.assertEqual(self.call(path, WRITE), 200, path)
        reload = "/api/v1/rules/reload"
        self.assertEqual(self.call(reload, method="POST"), 401)
        self.assertEqual(self.call(reload, READ, method="POST"), 401)
        self.assertEqual(self.call(reload, WRITE, method="POST"), 200)
        self.assertEqual(self.call("/metrics"), 401)
        self.assertEqual(self.call("/metrics", READ), 401)
        self.assertEqual(self.call("/metrics", WRITE), 401)
        self.assertEqual(self.call("/healthz"), 200)
        code, text = self.daemon.curl("/metrics", "-H", f"Authorization: Bearer {METRICS}")
        self.assertEqual(code, 200)
        refused = {}
        for line in text.splitlines():
            if line.startswith("vigil_api_requests_refused_total{"):
                refused[line.split("{")[1].split("}")[0]] = float(line.rsplit(" ", 1)[1])
        self.assertGreaterEqual(refused['access="read",reason="missing_token"'], 2)
        self.assertGreaterEqual(refused['access="read",reason="wrong_token"'], 6)
        self.assertGreaterEqual(refused['access="write",reason="wrong_token"'], 1)
        self.assertGreaterEqual(refused['access="metrics",reason="wrong_token"'], 2)

    def test_a_401_says_how_to_authenticate(self):
        code, body = self.daemon.curl("/api/v1/rules", "-D", "-")
        self.assertEqual(code, 401)
        self.assertIn('WWW-Authenticate: Bearer realm="vigil"', body)
        self.assertIn("a Bearer token is required", body)


class OnlyAnIngestToken(unittest.TestCase):
    def test_routes_without_their_token_refuse(self):
        tree = TempTree()
        d = Vigild(tree, http_extra=f"  ingest_token: {INGEST}\n").start()
        try:
            code, body = d.curl("/metrics")
            self.assertEqual(code, 403)
            self.assertIn("needs http.metrics_token, which is not set", body)
            self.assertEqual(d.curl("/api/v1/rules")[0], 403)
            self.assertEqual(d.curl("/api/v1/rules/reload", "-X", "POST")[0], 403)
            self.assertEqual(d.curl("/healthz")[0], 200)
        finally:
            d.kill()
            tree.cleanup()


class NoTokens(unittest.TestCase):
    def test_everything_answers(self):
        tree = TempTree()
        d = Vigild(tree).start()
        try:
            for path in ("/metrics", "/api/v1/rules", "/api/v1/coverage", "/healthz"):
                self.assertEqual(d.curl(path)[0], 200, path)
        finally:
            d.kill()
            tree.cleanup()


class Https(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.pki = self.tree.root / "pki"
        self.pki.mkdir()
        make_pki(self.pki, names=("server",))
        self.daemon = Vigild(self.tree, http_extra=(
            f"  metrics_token: {METRICS}\n  api_write_token: {WRITE}\n  tls:\n    certificate: {self.pki / 'server.pem'}\n"
            f"    private_key: {self.pki / 'server.key'}\n")).start()

    def tearDown(self):
        self.daemon.kill()
        self.tree.cleanup()

    def https(self, path, *args):
        result = subprocess.run(
            ["curl", "-sS", "--cacert", str(self.pki / "ca.pem"), "-w", "\n%{http_code}", *args,
             f"https://127.0.0.1:{self.daemon.http_port}{path}"],
            capture_output=True, text=True, timeout=10)
        body, _, code = result.stdout.rpartition("\n")
        return result.returncode, int(code or 0), body

    def served_subject(self):
        result = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{self.daemon.http_port}", "-CAfile",
             str(self.pki / "ca.pem"), "-verify_return_error"],
            input=b"", capture_output=True, timeout=10)
        for line in result.stdout.decode(errors="replace").splitlines():
            if line.startswith("subject="):
                return line
        return result.stderr.decode(errors="replace")

    def test_https_with_token_and_certificate_rotation(self):
        rc, code, _ = self.https("/metrics", "-H", f"Authorization: Bearer {METRICS}")
        self.assertEqual((rc, code), (0, 200))
        self.assertEqual(self.https("/metrics")[1], 401)
        plain = subprocess.run(["curl", "-sS", "-m", "5", f"http://127.0.0.1:{self.daemon.http_port}/healthz"],
                               capture_output=True, timeout=10)
        self.assertNotEqual(plain.returncode, 0, "plaintext HTTP must not be answered on the HTTPS port")
        self.assertIn("CN = vigil test server", self.served_subject())
        # The CLI speaks HTTPS with the configuration's token, trusting its certificate's CA.
        url = f"https://127.0.0.1:{self.daemon.http_port}"
        _, out, _ = vigil("rules", "reload", "--config", str(self.daemon.config), "--url", url,
                          "--cacert", str(self.pki / "ca.pem"))
        self.assertIn("reloaded: rule set version", out)
        _, out, _ = vigil("rules", "coverage", "--config", str(self.daemon.config), "--url", url,
                          "--cacert", str(self.pki / "ca.pem"))
        self.assertIn("log source", out.lower())
        # Without --cacert it trusts the configuration's own certificate file.
        _, out, _ = vigil("rules", "reload", "--config", str(self.daemon.config), "--url", url)
        self.assertIn("reloaded: rule set version", out)
        other = self.tree.root / "other-ca"
        other.mkdir()
        make_pki(other, names=())
        code, out, err = vigil("rules", "reload", "--config", str(self.daemon.config), "--url", url,
                               "--cacert", str(other / "ca.pem"), check=False)
        self.assertNotEqual(code, 0, "a certificate another CA signed must fail the CLI")
        self.assertIn("TLS handshake", err)

        # Rotation: new files in place, SIGHUP, new connections see the new certificate.
        make_certificate(self.pki, "rotated", common_name="vigil rotated server")
        shutil.copy(self.pki / "rotated.pem", self.pki / "server.pem")
        shutil.copy(self.pki / "rotated.key", self.pki / "server.key")
        self.daemon.process.send_signal(signal.SIGHUP)
        wait_until(lambda: "CN = vigil rotated server" in self.served_subject(), "the rotated certificate served")
        self.assertTrue(any("http.tls: certificate and key reloaded" in l for l in self.daemon.log_lines))

        # A damaged file: refused, named, the rotated certificate stays.
        (self.pki / "server.key").write_text("not a key\n")
        self.daemon.process.send_signal(signal.SIGHUP)
        wait_until(lambda: any("http.tls: not reloaded, the old certificate stays" in l and "server.key" in l
                               for l in self.daemon.log_lines), "the damaged key refused by name")
        self.assertIn("CN = vigil rotated server", self.served_subject())
        self.assertEqual(self.https("/healthz")[1], 200)


if __name__ == "__main__":
    unittest.main()
