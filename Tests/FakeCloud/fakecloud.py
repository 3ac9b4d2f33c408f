#!/usr/bin/env python3
"""Runs the fake Alibaba Cloud on loopback until killed.

    fakecloud.py --scenario FILE [--host 127.0.0.1] [--port 0] [--tls-cert C --tls-key K]
                 [--generate-accounts N] [--verbose]

Prints exactly one line, ``LISTENING http://127.0.0.1:PORT`` (``https`` with TLS), to stdout once
the socket is bound, then serves. SIGTERM and SIGINT stop it cleanly (exit 0). Needs the pinned
official SDK (run it with the project's ``.venv/bin/python``). See README.md beside this file.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import signal
import ssl
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakecloudlib.scenario import Scenario  # noqa: E402
from fakecloudlib.server import FakeCloudServer  # noqa: E402


def _parse_args(argv):
    parser = argparse.ArgumentParser(description="Fake Alibaba Cloud (IMS, STS, ActionTrail) for tests.")
    parser.add_argument("--scenario", required=True, help="scenario JSON file")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: an ephemeral port)")
    parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--generate-accounts", type=int, default=0, metavar="N",
                        help="add N generated accounts bench-00000… (keys LTAI5tBench{i:08d} / benchsecret{i})")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if not _is_loopback(args.host):
        parser.error(f"--host must be a loopback address, not {args.host!r}")
    return args


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv=None) -> int:
    # Test runners may start us with signals blocked; SIGTERM must work (testing.md, trap 5).
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    args = _parse_args(argv)

    doc = json.loads(Path(args.scenario).read_text(encoding="utf-8"))
    if args.generate_accounts:
        doc["generate"] = {**doc.get("generate", {}), "accounts": args.generate_accounts}
    scenario = Scenario(doc)

    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    server = FakeCloudServer((args.host, args.port), scenario, verbose=args.verbose, tls=tls)
    scheme = "https" if tls else "http"

    def stop(signum, frame):
        # shutdown() waits for serve_forever to return, so it must not run on this (its) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    sys.stdout.write(f"LISTENING {scheme}://{shown}:{port}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
