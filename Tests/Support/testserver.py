#!/usr/bin/env python3
"""A loopback HTTP(S) server for the transport tests.

Prints `LISTENING http(s)://127.0.0.1:PORT` on stdout once it accepts connections.

Endpoints (any method):
  /echo               JSON: method, path, headers (ordered [name, value] pairs as received),
                      body_b64 (exact body bytes), client_port (to observe connection reuse)
  /status/<code>      responds with that status; every query parameter becomes a response header
                      (e.g. /status/503?Retry-After=7)
  /delay?ms=N         holds the request N ms; counts in-flight requests and their peak
  /stats              JSON: in_flight, peak, requests, connections
  /reset              zeroes the counters
  /big?bytes=N        N bytes, byte i = i % 251

Options: --port N (default 0 = any), --tls-cert PEM --tls-key PEM for HTTPS.
The process exits when its parent goes away, so a crashed test run leaves nothing behind.
"""

import argparse
import base64
import json
import os
import signal
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stats:
    """Counters shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.in_flight = 0
        self.peak = 0
        self.requests = 0
        self.connections = 0

    def snapshot(self):
        with self.lock:
            return {
                "in_flight": self.in_flight,
                "peak": self.peak,
                "requests": self.requests,
                "connections": self.connections,
            }


STATS = Stats()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rootwatch-testserver"
    sys_version = ""
    # Headers and body go out in separate writes; with Nagle each response would stall ~40 ms on
    # the client's delayed ACK.
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        with STATS.lock:
            STATS.connections += 1

    def log_message(self, format, *args):
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, body, content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value, status=200):
        self._send(status, json.dumps(value).encode())

    def _dispatch(self):
        body = self._body()
        with STATS.lock:
            STATS.requests += 1
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        path = url.path
        if path == "/echo":
            self._json({
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.raw_items()],
                "body_b64": base64.b64encode(body).decode(),
                "client_port": self.client_address[1],
            })
        elif path.startswith("/status/"):
            code = int(path[len("/status/"):])
            self._send(code, f"status {code}".encode(), "text/plain", query)
        elif path == "/delay":
            ms = int(dict(query).get("ms", "0"))
            with STATS.lock:
                STATS.in_flight += 1
                STATS.peak = max(STATS.peak, STATS.in_flight)
            try:
                time.sleep(ms / 1000)
            finally:
                with STATS.lock:
                    STATS.in_flight -= 1
            self._json({"slept_ms": ms})
        elif path == "/stats":
            self._json(STATS.snapshot())
        elif path == "/reset":
            with STATS.lock:
                STATS.reset()
            self._json({"ok": True})
        elif path == "/big":
            size = int(dict(query).get("bytes", "0"))
            pattern = bytes(i % 251 for i in range(251 * 64))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            offset = 0
            while offset < size:
                chunk = pattern[: min(len(pattern), size - offset)]
                self.wfile.write(chunk)
                offset += len(chunk)
        else:
            self._send(404, b"not found", "text/plain")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    tls_context = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, on the connection's own thread, so a client that never
        # completes it cannot stall the accept loop.
        if self.tls_context is not None:
            request.settimeout(10)
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            request.settimeout(None)
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def exit_with_parent():
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main():
    # Children of Foundation.Process inherit a blocked SIGTERM; restore default handling.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.tls_context = context
        scheme = "https"
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print(f"LISTENING {scheme}://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
