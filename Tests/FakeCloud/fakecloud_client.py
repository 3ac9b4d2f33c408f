"""Starts the fake cloud for a test and drives its admin API.

    from fakecloud_client import FakeCloud
    with FakeCloud("Tests/FakeCloud/scenarios/basic.json") as cloud:   # or a dict
        cloud.url            # "http://127.0.0.1:PORT"
        cloud.endpoint       # "127.0.0.1:PORT" (what the official SDK's Config.endpoint takes)
        cloud.add_faults([{"account": "alpha", "action": "GetCredentialReport", "type": "throttle"}])
        cloud.stats()["peak_concurrency"]

The server runs as a subprocess in its own session, is waited for with a timeout, and is always
killed with SIGKILL (bounded wait) on exit — also when the test fails. Stdlib only, so any Python
can import it; the server itself needs the project venv's interpreter (``sys.executable`` by
default, which is that interpreter under ``.venv/bin/python -m pytest``).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "fakecloud.py"
SCENARIOS = Path(__file__).resolve().parent / "scenarios"


class FakeCloudError(RuntimeError):
    """The fake did not start, or an admin call failed."""


class FakeCloud:
    """Context manager owning one fake cloud process."""

    def __init__(self, scenario, *, python: str | None = None, extra_args: list[str] | None = None,
                 start_timeout: float = 15.0):
        self._scenario = scenario
        self._python = python or os.environ.get("ROOTWATCH_PYTHON") or sys.executable
        self._extra_args = list(extra_args or [])
        self._start_timeout = start_timeout
        self._process: subprocess.Popen | None = None
        self._tempdir: tempfile.TemporaryDirectory | None = None
        self.url = ""
        self.endpoint = ""

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> "FakeCloud":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._tempdir = tempfile.TemporaryDirectory(prefix="fakecloud-")
        scenario_path = self._scenario
        if isinstance(self._scenario, dict):
            scenario_path = Path(self._tempdir.name) / "scenario.json"
            scenario_path.write_text(json.dumps(self._scenario), encoding="utf-8")
        self._stderr_path = Path(self._tempdir.name) / "stderr.log"
        with open(self._stderr_path, "wb") as stderr:
            self._process = subprocess.Popen(
                [self._python, str(SERVER), "--scenario", str(scenario_path), "--port", "0", *self._extra_args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,
            )
        line = self._read_listening_line()
        self.url = line.split(" ", 1)[1]
        self.endpoint = self.url.split("://", 1)[1]

    def _read_listening_line(self) -> str:
        deadline = time.monotonic() + self._start_timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FakeCloudError(f"fake cloud did not print LISTENING in {self._start_timeout}s: {self.stderr()}")
                if not selector.select(timeout=remaining):
                    continue
                chunk = os.read(self._process.stdout.fileno(), 4096)
                if not chunk:
                    raise FakeCloudError(f"fake cloud exited before listening: {self.stderr()}")
                buffer += chunk
        line = buffer.split(b"\n", 1)[0].decode()
        if not line.startswith("LISTENING "):
            raise FakeCloudError(f"unexpected first line {line!r}: {self.stderr()}")
        return line

    def stop(self) -> None:
        """SIGKILL the whole session, wait at most 5 s, remove temporary files."""
        process, self._process = self._process, None
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            if process.stdout is not None:
                process.stdout.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    @property
    def pid(self) -> int | None:
        """The server's process id (also its session and process-group id)."""
        return self._process.pid if self._process is not None else None

    def stderr(self) -> str:
        try:
            return self._stderr_path.read_text(errors="replace")[-4000:]
        except (AttributeError, OSError):
            return ""

    # -- admin API ------------------------------------------------------------------------------

    def admin(self, method: str, path: str, body=None, timeout: float = 10.0):
        """One admin call; returns the decoded JSON answer or raises FakeCloudError."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/__admin/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        try:
            with opener.open(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise FakeCloudError(f"admin {method} {path}: {error.code} {error.read().decode()}") from None

    def stats(self) -> dict:
        return self.admin("GET", "stats")

    def reset_stats(self) -> dict:
        return self.admin("POST", "reset-stats", {})

    def requests(self, last: int = 50) -> list[dict]:
        return self.admin("GET", f"requests?last={last}")["requests"]

    def add_faults(self, faults: list[dict]) -> dict:
        return self.admin("POST", "faults", {"faults": faults})

    def clear_faults(self) -> dict:
        return self.admin("POST", "clear-faults", {})

    def set_root(self, account: str, fields: dict, **options) -> dict:
        return self.admin("POST", "root", {"account": account, "fields": fields, **options})

    def add_events(self, account: str, events: list[dict]) -> dict:
        return self.admin("POST", "events", {"account": account, "events": events})

    def set_latency(self, ms: int) -> dict:
        return self.admin("POST", "latency", {"ms": ms})

    def expire_sessions(self) -> dict:
        return self.admin("POST", "expire-sessions", {})
