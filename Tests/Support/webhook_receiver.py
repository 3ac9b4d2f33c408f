#!/usr/bin/env python3
"""A loopback webhook receiver for end-to-end tests: scripted answers per path, every request recorded
and verified the way each platform would verify it.

    receiver = WebhookReceiver()                       # or WebhookReceiver(tls=(cert, key))
    receiver.start()
    receiver.script("/ops", format="standard", secret="whsec_…", answers=["503", "accept"])
    url = receiver.url("/ops")                          # http://127.0.0.1:PORT/ops
    ...
    receiver.requests("/ops")                           # [{path, query, headers, body, answer, verified, error, alert_ids}]
    receiver.down(); receiver.up()                      # refuse connections (closed port), then listen again
    receiver.stop()

Answers (the last one repeats): "accept" (the platform's success: 200/2xx with its success body),
"503", "503-retry-after:N", "429-retry-after:N", "400", "html" (200 with an HTML page), "slow:MS"
(accept after MS milliseconds), "dingtalk-310000" (HTTP 200, errcode 310000 sign not match).
A DingTalk or Lark path whose signature does not verify is answered with the platform's own
signature error (310000 / 19021), as the real services do.

Verification: `standard` with the official `standardwebhooks` library; `dingtalk` and `lark` by
recomputing the signature per webhooks.md §2.2 / §3.2; `slack`, `teams`, `wecom` by checking the body
has the documented shape. Runnable as a script for manual tests: prints `LISTENING URL` and serves
`/ops` as an accepting standard receiver with secret $RECEIVER_SECRET.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALERT_ID = re.compile(r"\b[0-9a-f]{32}\b")

SUCCESS = {
    "standard": (200, "application/json", b'{"ok":true}'),
    "dingtalk": (200, "application/json", b'{"errcode":0,"errmsg":"ok"}'),
    "lark": (200, "application/json", b'{"code":0,"msg":"success","data":{}}'),
    "slack": (200, "text/plain", b"ok"),
    "teams": (202, "text/plain", b""),
    "wecom": (200, "application/json", b'{"errcode":0,"errmsg":"ok"}'),
}


def verify(fmt: str, secret: str | None, path_query: dict, headers: dict, body: bytes) -> str | None:
    """None when the request is what the platform accepts, else the reason it would refuse it."""
    try:
        document = json.loads(body)
    except ValueError:
        return "body is not JSON"
    if fmt == "standard":
        from standardwebhooks.webhooks import Webhook

        try:
            Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
        except Exception as error:  # WebhookVerificationError and friends
            return f"standardwebhooks: {error}"
        if headers.get("webhook-id") != document.get("data", {}).get("id"):
            return "webhook-id is not the alert id"
        return None
    if fmt == "dingtalk":
        if secret:
            ts, sign = path_query.get("timestamp", [""])[0], path_query.get("sign", [""])[0]
            if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > 3600_000:
                return "invalid timestamp"
            expected = base64.b64encode(
                hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, sign):
                return "sign not match"
        if document.get("msgtype") not in ("markdown", "text", "actionCard"):
            return f"unexpected msgtype {document.get('msgtype')!r}"
        return None
    if fmt == "lark":
        if secret:
            ts, sign = str(document.get("timestamp", "")), document.get("sign", "")
            if not ts.isdigit() or abs(time.time() - int(ts)) > 3600:
                return "timestamp is not within one hour"
            expected = base64.b64encode(
                hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, sign):
                return "sign match fail"
        if document.get("msg_type") not in ("interactive", "post", "text"):
            return f"unexpected msg_type {document.get('msg_type')!r}"
        if document.get("msg_type") == "interactive" and not isinstance(document.get("card"), dict):
            return "interactive message without a card object"
        return None
    if fmt == "slack":
        if not isinstance(document.get("text"), str) or not document["text"]:
            return "no text"
        blocks = document.get("blocks", [])
        if not isinstance(blocks, list) or any("type" not in b for b in blocks) or len(blocks) > 50:
            return "invalid blocks"
        return None
    if fmt == "teams":
        attachments = document.get("attachments")
        if document.get("type") != "message" or not isinstance(attachments, list) or not attachments:
            return "not a Workflows message envelope with attachments"
        card = attachments[0]
        if card.get("contentType") != "application/vnd.microsoft.card.adaptive":
            return "attachment is not an adaptive card"
        if card.get("content", {}).get("type") != "AdaptiveCard":
            return "Property 'type' must be 'AdaptiveCard'"
        return None
    if fmt == "wecom":
        kind = document.get("msgtype")
        if kind not in ("markdown", "text"):
            return f"unexpected msgtype {kind!r}"
        content = document.get(kind, {}).get("content")
        if not isinstance(content, str) or len(content.encode()) > (4096 if kind == "markdown" else 2048):
            return "content missing or too long"
        return None
    return f"unknown format {fmt}"


class Path:
    """One scripted endpoint."""

    def __init__(self, fmt: str, secret: str | None, answers: list[str]):
        self.format = fmt
        self.secret = secret
        self.answers = list(answers) or ["accept"]
        self.used = 0

    def next_answer(self) -> str:
        answer = self.answers[min(self.used, len(self.answers) - 1)]
        self.used += 1
        return answer


class WebhookReceiver:
    """The receiver; the listener can go down and come back on the same port."""

    def __init__(self, tls: tuple[str, str] | None = None):
        self.tls = tls
        self.lock = threading.Lock()
        self.paths: dict[str, Path] = {}
        self.recorded: list[dict] = []
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.port = 0

    # -- control -----------------------------------------------------------------------------

    def start(self) -> "WebhookReceiver":
        self.up()
        return self

    def up(self) -> None:
        receiver = self

        class Handler(_Handler):
            owner = receiver

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        server = Server(("127.0.0.1", self.port), Handler)
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def down(self) -> None:
        """Closes the listening socket: connections are refused until `up()`."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.server = None

    def stop(self) -> None:
        self.down()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, path: str) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def script(self, path: str, format: str = "standard", secret: str | None = None,
               answers: list[str] | None = None) -> None:
        with self.lock:
            self.paths[path] = Path(format, secret, answers or ["accept"])

    def answer(self, path: str, answers: list[str]) -> None:
        """Replaces the answers of a scripted path (counting starts again)."""
        with self.lock:
            self.paths[path].answers = list(answers)
            self.paths[path].used = 0

    def requests(self, path: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.recorded if path is None or r["path"] == path]

    def delivered_ids(self, path: str | None = None) -> list[str]:
        """Alert ids of verified requests that were answered with success, in arrival order."""
        return [i for r in self.requests(path) if r["answer"].startswith(("accept", "slow")) and r["verified"]
                for i in r["alert_ids"][:1]]

    # -- serving -----------------------------------------------------------------------------

    def handle(self, handler: "_Handler", body: bytes) -> tuple[int, dict, bytes]:
        split = urllib.parse.urlsplit(handler.path)
        query = urllib.parse.parse_qs(split.query)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            scripted = self.paths.get(split.path)
            answer = scripted.next_answer() if scripted else "404"
        record = {"path": split.path, "query": query, "headers": headers, "body": body.decode(errors="replace"),
                  "time": time.time(), "answer": answer, "verified": False, "error": None,
                  "alert_ids": ALERT_ID.findall(headers.get("webhook-id", "") + " " + body.decode(errors="replace"))}
        if scripted:
            record["error"] = verify(scripted.format, scripted.secret, query, headers, body)
            record["verified"] = record["error"] is None
        status, content_type, payload = self._respond(scripted, answer, record)
        record["status"] = status
        with self.lock:
            self.recorded.append(record)
        headers = {"Content-Type": content_type}
        retry = re.fullmatch(r"(?:429|503)-retry-after:(\d+)", answer)
        if retry:
            headers["Retry-After"] = retry[1]
        return status, headers, payload

    def _respond(self, scripted: Path | None, answer: str, record: dict):
        if scripted is None:
            return 404, "text/plain", b"no such hook"
        fmt = scripted.format
        if record["error"] and fmt in ("dingtalk", "lark") and answer.startswith(("accept", "slow")):
            # What the platforms answer to a bad signature: HTTP 200 with an error code.
            if fmt == "dingtalk":
                return 200, "application/json", json.dumps({"errcode": 310000, "errmsg": record["error"]}).encode()
            return 200, "application/json", json.dumps({"code": 19021, "msg": record["error"]}).encode()
        if answer.startswith("slow:"):
            time.sleep(int(answer.split(":")[1]) / 1000)
            answer = "accept"
        if answer == "accept":
            return SUCCESS[fmt]
        if answer == "dingtalk-310000":
            return 200, "application/json", b'{"errcode":310000,"errmsg":"sign not match"}'
        if answer == "html":
            return 200, "text/html", b"<html><body>Login required</body></html>"
        if answer == "400":
            return 400, "text/plain", b"invalid_payload"
        if answer == "503":
            return 503, "text/plain", b"unavailable"
        match = re.fullmatch(r"(429|503)-retry-after:(\d+)", answer)
        if match:
            return int(match[1]), "text/plain", b"slow down"
        raise ValueError(f"unknown answer {answer}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    owner: WebhookReceiver

    def log_message(self, format, *args):
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True  # the sender was killed mid-request

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, headers, payload = self.owner.handle(self, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_PUT = do_POST


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    receiver = WebhookReceiver().start()
    receiver.script("/ops", secret=os.environ.get("RECEIVER_SECRET"))
    print(f"LISTENING {receiver.url('')}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        receiver.stop()


def make_certificates(directory) -> dict:
    """A private CA and a server certificate for 127.0.0.1 (openssl CLI); returns the PEM paths."""
    import subprocess
    from pathlib import Path

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                                  "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, timeout=30)
    run("openssl", "req", "-x509", *curve, "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"), "-days", "2",
        "-subj", "/CN=rootwatch webhook test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", "-new", *curve, "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"),
        "-subj", "/CN=127.0.0.1")
    run("openssl", "x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"), "-CAkey",
        str(d / "ca.key"), "-CAcreateserial", "-out", str(d / "server.pem"), "-days", "2",
        "-extfile", str(d / "server.ext"))
    return {"ca": str(d / "ca.pem"), "cert": str(d / "server.pem"), "key": str(d / "server.key")}


def standard_secret() -> str:
    """A fresh `whsec_` secret (32 random bytes)."""
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()
