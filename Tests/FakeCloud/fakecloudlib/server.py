"""The HTTP server: one port answering IMS, STS, ActionTrail and the ECS metadata service, plus the admin API.

Each request runs on its own daemon thread (``ThreadingHTTPServer``). An API request is held for
``latency_ms``, authenticated, matched against faults, dispatched, and answered with a fresh
upper-case UUID ``RequestId`` and ``Content-Type: application/json``.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import errors, timeutil
from .admin import AdminApi, AdminError, is_loopback
from .api import CloudApi
from .credentials import CredentialStore
from .faults import RawResponse
from .metadata import MetadataService
from .scenario import Scenario
from .signature import Incoming, SignatureVerifier
from .stats import Stats


class FakeCloudServer(ThreadingHTTPServer):
    """The fake cloud: scenario state, credentials, verifier, stats, and the listening socket."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # benchmarks open many connections at once

    def __init__(self, address, scenario: Scenario, verbose: bool = False, tls: ssl.SSLContext | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.tls = tls
        self.scenario = scenario
        self.store = CredentialStore(scenario)
        self.verifier = SignatureVerifier(self.store)
        self.api = CloudApi(scenario, self.store)
        self.metadata = MetadataService(scenario.instance_role, scenario, self.store)
        self.admin = AdminApi(self)
        self.stats = Stats()
        self.verbose = verbose
        super().__init__(address, RequestHandler)

    def finish_request(self, request, client_address):
        """Runs on the connection's own thread, so a slow TLS handshake never blocks accept."""
        if self.tls is not None:
            request = self.tls.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        """Dropped connections and failed handshakes are normal for a test server: quiet."""
        if self.verbose:
            super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    """Routes ``/__admin/…`` to the admin API, ``/latest/…`` to the metadata service, the rest to the cloud API."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits for the
    # client's delayed ACK (about 40 ms) on every keep-alive request. A real gateway does not do that.
    disable_nagle_algorithm = True
    server: FakeCloudServer

    def do_GET(self):
        self._route()

    def do_POST(self):
        self._route()

    def do_PUT(self):
        self._route()

    def do_DELETE(self):
        self._route()

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write(f"fakecloud: {self.address_string()} {format % args}\n")

    def _route(self):
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/__admin/"):
            self._admin(url, body)
            return
        if MetadataService.handles(url.path):
            self._metadata(url)
            return
        self.server.stats.enter()
        try:
            self._api(url, body)
        finally:
            self.server.stats.leave()

    # -- cloud API ----------------------------------------------------------------------------

    def _api(self, url, body: bytes):
        server = self.server
        request_id = str(uuid.uuid4()).upper()
        headers = {name.lower(): value for name, value in reversed(self.headers.items())}
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        params = dict(query)
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        incoming = Incoming(self.command, url.path or "/", query, params, headers, body)
        signature = SignatureVerifier.version_of(incoming)
        if signature == "v3":
            action = headers.get("x-acs-action")
        else:
            action = params.get("Action") or headers.get("x-acs-action")
        host = headers.get("host", "")
        principal = None

        try:
            if server.scenario.latency_ms > 0:
                time.sleep(server.scenario.latency_ms / 1000)
            if self.command not in ("GET", "POST"):
                raise errors.ApiError(405, "UnsupportedHTTPMethod", f"HTTP method {self.command} is not supported.")
            if not action:
                raise errors.missing_parameter("Action")
            if action not in CloudApi.VERSIONS:
                raise errors.unknown_action(action)
            now = timeutil.utcnow()
            principal = server.verifier.authenticate(incoming, now)
            version = headers.get("x-acs-version") if signature == "v3" else params.get("Version")
            if not version:
                raise errors.missing_parameter("x-acs-version" if signature == "v3" else "Version")
            if version != CloudApi.VERSIONS[action]:
                raise errors.invalid_version(version)

            fault = server.scenario.faults.take(principal.account.name, action)
            if fault is not None and fault.type == "delay":
                time.sleep(int(fault.options.get("ms", 1000)) / 1000)
                fault = None
            outcome = fault.outcome() if fault is not None else None
            if isinstance(outcome, errors.ApiError):
                raise outcome
            if isinstance(outcome, RawResponse):
                self._record(action, principal, signature, outcome.status, f"HTTP{outcome.status}")
                self._send(outcome.status, outcome.body, outcome.content_type, request_id, outcome.headers)
                return

            document = {"RequestId": request_id, **server.api.dispatch(action, principal, params, now, fault)}
            payload = json.dumps(document, ensure_ascii=False)
            if fault is not None and fault.type == "malformed_json":
                payload = payload[: max(1, len(payload) * 2 // 3)]
            self._record(action, principal, signature, 200, None)
            self._send(200, payload.encode("utf-8"), "application/json", request_id)
        except errors.ApiError as error:
            self._record(action, principal, signature, error.status, error.code)
            document = error.body(request_id, host, action)
            self._send(error.status, json.dumps(document).encode(), "application/json", request_id, error.headers)
        except Exception:  # a bug in the fake must still produce an answer and a trace
            traceback.print_exc(file=sys.stderr)
            error = errors.ApiError(500, "InternalError", "The fake cloud failed; see its stderr.")
            self._record(action, principal, signature, 500, error.code)
            self._send(500, json.dumps(error.body(request_id, host, action)).encode(), "application/json", request_id)

    def _record(self, action, principal, signature, status, code):
        self.server.stats.record(
            action,
            principal.account.name if principal else None,
            signature,
            status,
            code,
            principal.access_key_id if principal else None,
        )

    # -- metadata service ---------------------------------------------------------------------

    def _metadata(self, url):
        headers = {name.lower(): value for name, value in reversed(self.headers.items())}
        status, content_type, payload = self.server.metadata.handle(self.command, url.path, headers)
        self._send(status, payload, content_type, str(uuid.uuid4()).upper())

    # -- admin API ----------------------------------------------------------------------------

    def _admin(self, url, body: bytes):
        if not is_loopback(self.client_address[0]):
            self._send_json(403, {"error": "the admin API answers loopback clients only"})
            return
        try:
            document = json.loads(body) if body.strip() else {}
            result = self.server.admin.handle(self.command, url.path, dict(parse_qsl(url.query)), document)
            self._send_json(200, result)
        except json.JSONDecodeError as error:
            self._send_json(400, {"error": f"body is not JSON: {error}"})
        except AdminError as error:
            self._send_json(error.status, {"error": str(error)})

    # -- writing ------------------------------------------------------------------------------

    def _send_json(self, status: int, document) -> None:
        self._send(status, json.dumps(document).encode(), "application/json", str(uuid.uuid4()).upper())

    def _send(self, status: int, body: bytes, content_type: str, request_id: str, headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-acs-request-id", request_id)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
