"""Drives the real rootwatchd binary in end-to-end tests and the demo.

    cloud = FakeCloud("Tests/FakeCloud/scenarios/basic.json")
    setup = Setup.for_scenario(tmp_path, cloud, scenario)      # config + secret files for every account
    with Daemon(binary, setup) as daemon:
        daemon.wait_for_log("Scan of alpha finished")
    entries = journal(ROOTWATCH_ACCOUNT="alpha", MESSAGE_ID=...)

Processes are started in their own session and always stopped (SIGTERM, then SIGKILL after a bound),
also when a test fails. Journal helpers read the private journald that scripts/with-journald runs.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# MESSAGE_IDs from the product contract.
MESSAGE_IDS = {
    "root-console-logon": "ef0c6e4d1267437a9931212df871bdba",
    "root-access-key-used": "9f05535365734f8881ebdf6594226b54",
    "root-mfa-disabled": "f0a9d745538a4c53a34c58e79ce63528",
    "root-access-key-active": "ecf7e717041349f58b70c3cab8263257",
    "account-stale": "ccf16b2e60ab4e3392c94ed284b32e55",
    "account-recovered": "af6954f19eca4836a5607485b2d6ed12",
    "test": "23b0b7b4dd834c5c98b189f10f9e8728",
}
SCAN_LIFECYCLE_ID = "7d6f2f7c34ef4a5e93b884a52b0dc8da"


def alert_id(account: str, kind: str, slot: str | None, activity_time: str) -> str:
    """The contract's alert id: sha256("<account>|<kind>|<slot or ->|<time>") in lowercase hex, first 32."""
    return hashlib.sha256(f"{account}|{kind}|{slot or '-'}|{activity_time}".encode()).hexdigest()[:32]


def utc(seconds: float) -> str:
    """A POSIX time as the contract writes times: YYYY-MM-DDThh:mm:ssZ."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def parse_utc(text: str) -> float:
    """The POSIX time of a YYYY-MM-DDThh:mm:ssZ string."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def wait_until(predicate, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Polls `predicate` until it returns something truthy; raises TimeoutError naming `message`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {message}")
        time.sleep(interval)


# -- configuration --------------------------------------------------------------------------------


@dataclass
class Setup:
    """A configuration directory (rootwatchd.conf + secrets) and a state directory for one run."""

    root: Path
    config: Path
    state: Path
    secrets: Path
    sections: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, root: Path) -> "Setup":
        root.mkdir(parents=True, exist_ok=True)
        secrets = root / "secrets"
        secrets.mkdir(mode=0o700, exist_ok=True)
        return cls(root=root, config=root / "rootwatchd.conf", state=root / "state", secrets=secrets)

    @classmethod
    def for_scenario(cls, root: Path, cloud, scenario: dict, accounts: list[str] | None = None,
                     daemon: dict | None = None, account_options: dict | None = None) -> "Setup":
        """One `[credentials]` + `[account]` per scenario account (its first non-root key), endpoints at `cloud`."""
        setup = cls.create(root)
        setup.daemon(**({"interval": "1m", "window": "7d"} | (daemon or {})))
        setup.endpoints(cloud.url)
        for account in scenario["accounts"]:
            name = account["name"]
            if accounts is not None and name not in accounts:
                continue
            keys = [k for k in account.get("access_keys", []) if not k.get("root")]
            if not keys:
                continue
            setup.credentials(name, keys[0]["id"], keys[0]["secret"])
            setup.account(name, credentials=name, **((account_options or {}).get(name, {})))
        setup.write()
        return setup

    def daemon(self, **values) -> None:
        self.sections.append(self._section("daemon", values))

    def endpoints(self, url: str) -> None:
        self.sections.append(self._section("endpoints", {"ims": url, "sts": url, "actiontrail": url}))

    def credentials(self, name: str, key_id: str, secret: str) -> None:
        path = self.secrets / name
        path.write_text(secret + "\n")
        path.chmod(0o600)
        self.sections.append(
            self._section(f"credentials {name}", {"access_key_id": key_id, "access_key_secret_file": str(path)}))

    def account(self, name: str, **values) -> None:
        self.sections.append(self._section(f"account {name}", values))

    def webhook(self, name: str, **values) -> None:
        self.sections.append(self._section(f"webhook {name}", values))

    def write(self) -> Path:
        self.config.write_text("\n".join(self.sections))
        return self.config

    @staticmethod
    def _section(header: str, values: dict) -> str:
        lines = [f"[{header}]"] + [f"{key} = {value}" for key, value in values.items() if value is not None]
        return "\n".join(lines) + "\n"

    def args(self) -> list[str]:
        return ["--config", str(self.config), "--state-dir", str(self.state)]

    def state_json(self) -> dict:
        return json.loads((self.state / "state.json").read_text())

    def edit_state(self, change) -> dict:
        """Rewrites state.json (daemon stopped) with `change(state)` applied; returns the new state.

        Tests use it to stand for time passing while rootwatchd was down, e.g. `make_overdue`."""
        state = self.state_json()
        change(state)
        path = self.state / "state.json"
        path.write_text(json.dumps(state, indent=2))
        path.chmod(0o600)
        return state

    def make_overdue(self) -> dict:
        """Moves every account's `next_due` an hour back, as if the daemon had been stopped that long,
        so the next start scans every account at once instead of waiting out the interval."""
        past = utc(time.time() - 3600)

        def change(state):
            for account in state.get("accounts", {}).values():
                account["next_due"] = past
        return self.edit_state(change)


# -- processes ------------------------------------------------------------------------------------


def base_environment(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_SOCKET", "WATCHDOG_", "LISTEN_"))}
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost,::1"
    env.update(extra or {})
    return env


def run(binary: Path, *args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs a rootwatchd command to completion (bounded); returns the CompletedProcess (text)."""
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout,
                          env=base_environment(env), stdin=subprocess.DEVNULL)


class Daemon:
    """`rootwatchd run` as a child process; stderr (its log when no journal is used) goes to a file."""

    def __init__(self, binary: Path, setup: Setup, env: dict | None = None, stop_timeout: float = 25):
        self.binary = binary
        self.setup = setup
        self.env = env or {}
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen | None = None
        self.log_path = setup.root / f"daemon-{time.monotonic_ns()}.log"
        self.returncode: int | None = None

    def __enter__(self) -> "Daemon":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(self.binary), "run", *self.setup.args()], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env=base_environment(self.env), start_new_session=True)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 30, count: int = 1) -> str:
        """Waits until `text` appears `count` times in the daemon's stderr log."""
        def found():
            if self.process and self.process.poll() is not None and self.log().count(text) < count:
                raise RuntimeError(f"rootwatchd exited ({self.process.returncode}) before logging {text!r}:\n{self.log()}")
            return self.log().count(text) >= count
        wait_until(found, timeout, message=f"{text!r} in the daemon log")
        return self.log()

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def stop(self) -> int | None:
        """SIGTERM, wait `stop_timeout`, then SIGKILL. Returns the exit status."""
        if self.process is None:
            return self.returncode
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.returncode = self.process.returncode
        return self.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        if self.process is not None:
            self.returncode = self.process.returncode


# -- the journal ----------------------------------------------------------------------------------


def journal_mark() -> int:
    """Now, in the journal's realtime microseconds: pass it as `after=` to see only entries written since."""
    return int(time.time() * 1_000_000)


def journal(timeout: float = 0, count: int = 0, after: int | None = None, **fields) -> list[dict]:
    """Entries of the (private) journal matching every `FIELD=value`; with `count`, waits for that many.
    `after` (a `journal_mark()`) keeps only entries received since (journalctl's --after-cursor ignores
    matches that follow a cursor of a non-matching entry, so this filters on the realtime stamp)."""
    matches = [f"{key}={value}" for key, value in fields.items()]
    if after is not None:
        matches.insert(0, f"--since=@{after // 1_000_000}")

    def read() -> list[dict]:
        subprocess.run(["journalctl", "--sync"], check=False, timeout=10, capture_output=True)
        out = subprocess.run(["journalctl", "--no-pager", "-o", "json", *matches], capture_output=True, text=True,
                             timeout=10).stdout
        entries = [json.loads(line) for line in out.splitlines() if line.strip()]
        return [e for e in entries if after is None or int(e["__REALTIME_TIMESTAMP"]) >= after]

    if count <= 0:
        return read()
    return wait_until(lambda: (entries := read()) and len(entries) >= count and entries, timeout or 20,
                      interval=0.1, message=f"{count} journal entries with {matches}")


def alerts(account: str | None = None, kind: str | None = None, after: int | None = None, **more) -> list[dict]:
    """Alert entries in the journal (every entry with ROOTWATCH_ALERT_ID), optionally filtered."""
    fields = dict(more)
    if account:
        fields["ROOTWATCH_ACCOUNT"] = account
    if kind:
        fields["ROOTWATCH_KIND"] = kind
    return [e for e in journal(after=after, **fields) if "ROOTWATCH_ALERT_ID" in e]


# -- sd_notify ------------------------------------------------------------------------------------


class NotifySocket:
    """An AF_UNIX datagram socket standing in for systemd's notify socket (sd_notify(3)).

        with NotifySocket() as notify:
            with Daemon(binary, setup, env=notify.env()) as daemon:
                notify.wait_for(lambda m: "READY=1" in m, timeout=10)

    Every datagram is kept as (monotonic arrival time, {KEY: value}) in `messages`, in order."""

    def __init__(self):
        self._directory = tempfile.TemporaryDirectory(prefix="rootwatch-notify-")
        self.path = os.path.join(self._directory.name, "notify")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        self.messages: list[tuple[float, dict]] = []

    def __enter__(self) -> "NotifySocket":
        return self

    def __exit__(self, *exc) -> None:
        self.socket.close()
        self._directory.cleanup()

    def env(self, **more) -> dict:
        return {"NOTIFY_SOCKET": self.path, **more}

    def receive(self, timeout: float) -> dict | None:
        """The next datagram as a dict of assignments, or None after `timeout` seconds."""
        self.socket.settimeout(max(timeout, 0.001))
        try:
            data = self.socket.recv(65536)
        except (socket.timeout, BlockingIOError):
            return None
        fields = dict(line.split("=", 1) for line in data.decode().split("\n") if "=" in line)
        self.messages.append((time.monotonic(), fields))
        return fields

    def wait_for(self, predicate, timeout: float, message: str = "a notification") -> dict:
        """Receives until a datagram satisfies `predicate`; returns it or raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            fields = self.receive(remaining)
            if fields is not None and predicate(fields):
                return fields
        raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {message}; got {self.messages}")

    def drain(self, seconds: float) -> list[dict]:
        """Everything that arrives within `seconds`."""
        got = []
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            fields = self.receive(remaining)
            if fields is not None:
                got.append(fields)
        return got
