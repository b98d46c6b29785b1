#!/usr/bin/env python3
"""Connection limits: a client that opens more syslog TCP connections than
`syslog.max_connections_per_client` has the extra ones closed at once and counted; the
connections within the limit keep working; HTTP is limited the same way. Idle syslog
connections are closed after `syslog.idle_timeout`, so they cannot lock their address out;
HTTP connections that send no whole request within `http.request_timeout` are closed and
counted (idle: nothing of a request, after connecting or after an answer; slow_request: a part).
"""

import pathlib
import socket
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from vigil_harness import TempTree, Vigild, wait_until  # noqa: E402


def closed_by_server(s):
    s.settimeout(10)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


class ConnectionLimits(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()
        self.daemon = Vigild(self.tree, syslog_extra="  max_connections_per_client: 2\n"
                                                     "  idle_timeout: 1500ms\n",
                             http_extra="  max_connections: 3\n  request_timeout: 2s\n").start()
        self.sockets = []

    def tearDown(self):
        for s in self.sockets:
            s.close()
        self.daemon.kill()
        self.tree.cleanup()

    def connect(self, port):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sockets.append(s)
        return s

    def test_connections_beyond_the_limits_are_closed_and_counted(self):
        d = self.daemon
        first, second = self.connect(d.tcp_port), self.connect(d.tcp_port)
        wait_until(lambda: d.metric("vigil_open_connections", source="syslog_tcp") == 2, "2 open")
        third = self.connect(d.tcp_port)
        self.assertTrue(closed_by_server(third))
        wait_until(lambda: d.metric("vigil_connections_refused_total", source="syslog_tcp",
                                    reason="client_limit") == 1, "the refusal counted")
        first.sendall(b"<13>Nov 21 10:00:00 host app: still open\n")
        first.close()
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tcp") == 1, "the record")
        # A place is free again.
        fourth = self.connect(d.tcp_port)
        wait_until(lambda: d.metric("vigil_open_connections", source="syslog_tcp") == 2, "2 open again")
        del second, fourth

        # HTTP: three idle connections fill the listener; the fourth is closed, curl still
        # gets through once one is gone.
        idle = [self.connect(d.http_port) for _ in range(3)]
        extra = self.connect(d.http_port)
        self.assertTrue(closed_by_server(extra))
        idle[0].close()
        wait_until(lambda: d.metric("vigil_connections_refused_total", source="http",
                                    reason="listener_limit") >= 1, "the HTTP refusal counted")

    def test_idle_connections_are_closed_and_free_their_places(self):
        d = self.daemon
        # Two connections fill this address's places, send a little, then nothing.
        done, partial = self.connect(d.tcp_port), self.connect(d.tcp_port)
        wait_until(lambda: d.metric("vigil_open_connections", source="syslog_tcp") == 2, "2 open")
        done.sendall(b"<13>Nov 21 10:00:00 host app: a whole line\n")
        partial.sendall(b"<13>Nov 21 10:00:00 host app: a line without its end")
        self.assertTrue(closed_by_server(done))
        self.assertTrue(closed_by_server(partial))
        self.assertEqual(d.metric("vigil_connections_closed_total", source="syslog_tcp",
                                  reason="idle"), 2)
        # What was read is delivered, the unterminated line too.
        wait_until(lambda: d.metric("vigil_received_total", source="syslog_tcp") == 2, "2 records")
        # Their places are free again.
        self.connect(d.tcp_port), self.connect(d.tcp_port)
        wait_until(lambda: d.metric("vigil_open_connections", source="syslog_tcp") == 2, "2 open again")
        self.assertEqual(d.metric("vigil_connections_refused_total", source="syslog_tcp",
                                  reason="client_limit"), 0)

    def test_http_connections_without_a_whole_request_are_closed_and_counted(self):
        d = self.daemon
        silent = self.connect(d.http_port)
        partial = self.connect(d.http_port)
        partial.sendall(b"POST /ingest HTTP/1.1\r\nHost: vigil\r\nContent-Length: 100\r\n\r\n{\"message\":")
        answered = self.connect(d.http_port)
        answered.sendall(b"GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n")
        self.assertTrue(answered.recv(4096).startswith(b"HTTP/1.1 200"))
        for s in (silent, partial, answered):  # the answered one idles after its answer
            self.assertTrue(closed_by_server(s))
        wait_until(lambda: d.metric("vigil_connections_closed_total", source="http", reason="idle") == 2,
                   "the two idle connections counted")
        self.assertEqual(d.metric("vigil_connections_closed_total", source="http", reason="slow_request"), 1)
        # Their places are free: curl gets through three times over.
        for _ in range(3):
            self.assertEqual(d.curl("/healthz")[0], 200)

if __name__ == "__main__":
    unittest.main()
