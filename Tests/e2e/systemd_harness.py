"""A real systemd as PID 1 in a throwaway container, for end-to-end tests of the shipped unit.

`NspawnMachine` boots the host's own /usr under `systemd-nspawn --volatile=yes` (tmpfs root,
read-only /usr, loopback-only network), binds the daemon's directory, a unit file and a
configuration directory in, and lets a test run commands inside with `nsenter`. Teardown always
happens: a bounded `systemctl poweroff`, then SIGKILL of nspawn, its process group and the
container's PID 1, each wait bounded. The console log is kept in a temporary file and printed
when the `with` block fails.

The recipe and its pitfalls are in docs/testing.md: firstboot is turned off, the network
wait-online service is masked (otherwise units after network-online.target wait 1m38s),
`--volatile=yes` applies presets (an `[Install]`ed unit may already run at boot: stop it first),
and /usr/local is inside the read-only /usr, so the daemon is bound at /opt/rootwatchd.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Iterable, Sequence

#: Where the daemon's directory appears inside the container.
BINARY_MOUNT = "/opt/rootwatchd"
#: Where the configuration directory appears inside the container.
CONF_MOUNT = "/etc/rootwatchd"

_KERNEL_CMDLINE = [
    "systemd.firstboot=off",
    "systemd.unit=multi-user.target",
    "systemd.show_status=0",
    "systemd.mask=systemd-networkd-wait-online.service",
]
_CHILD_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}


def rewrite_unit(source: Path, destination: Path, exec_start: str) -> Path:
    """Copies a unit file with its `ExecStart=` executable replaced, arguments kept.

    The shipped unit names /usr/bin/rootwatchd; tests run a binary bound elsewhere.
    Exactly one `ExecStart=` line must exist, so a unit change cannot silently escape the test.
    """
    text = Path(source).read_text()
    pattern = re.compile(r"^ExecStart=(\S+)", re.MULTILINE)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{source}: expected exactly one ExecStart= line")
    destination = Path(destination)
    destination.write_text(pattern.sub(lambda _: f"ExecStart={exec_start}", text))
    destination.chmod(0o644)
    return destination


class MachineError(RuntimeError):
    """The container did not boot, or a command inside it failed."""


class NspawnMachine:
    """Context manager: a booted container with systemd as PID 1, always torn down.

    Arguments:
      binary_dir: host directory bound read-only at /opt/rootwatchd (None: not bound).
      unit_file: host unit file bound read-only at /etc/systemd/system/<unit_name>.
      conf_dir: host directory bound read-only at /etc/rootwatchd. Host-side changes to it are
        visible inside, which lets a test add or remove files between service starts.
      extra_binds: (source, destination) or (source, destination, read_only) tuples.
      timeout: hard limit in seconds for the container's whole life; past it nspawn is killed.
      boot_timeout: bound for reaching `running`/`degraded`.
    """

    def __init__(
        self,
        binary_dir: str | os.PathLike | None = None,
        unit_file: str | os.PathLike | None = None,
        conf_dir: str | os.PathLike | None = None,
        extra_binds: Iterable[Sequence] = (),
        timeout: float = 180.0,
        boot_timeout: float = 60.0,
        unit_name: str = "rootwatchd.service",
    ) -> None:
        self.machine = f"rwtest-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.timeout = timeout
        self.boot_timeout = boot_timeout
        self.pid1: int | None = None
        self.boot_state: str | None = None
        self._binds: list[tuple[str, str, bool]] = []
        if binary_dir is not None:
            self._binds.append((str(binary_dir), BINARY_MOUNT, True))
        if unit_file is not None:
            self._binds.append((str(unit_file), f"/etc/systemd/system/{unit_name}", True))
        if conf_dir is not None:
            self._binds.append((str(conf_dir), CONF_MOUNT, True))
        for bind in extra_binds:
            source, destination, *rest = bind
            self._binds.append((str(source), str(destination), bool(rest[0]) if rest else True))
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        self._deadline_timer: threading.Timer | None = None
        self._expired = False

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> "NspawnMachine":
        try:
            self._boot()
        except BaseException:
            self._teardown()
            self.print_console_log()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._teardown()
        if exc_type is not None:
            self.print_console_log()
        self._close_log()

    def _boot(self) -> None:
        for source, _, _ in self._binds:
            if not os.path.exists(source):
                raise MachineError(f"bind source does not exist: {source}")
        command = [
            "systemd-nspawn", "--quiet", "--directory=/", "--volatile=yes", "--private-network",
            "--register=no", "--keep-unit", f"--machine={self.machine}",
        ]
        for source, destination, read_only in self._binds:
            command.append(f"--bind{'-ro' if read_only else ''}={source}:{destination}")
        command += ["--boot", "--", *_KERNEL_CMDLINE]
        self._log_file = tempfile.NamedTemporaryFile(prefix=f"{self.machine}-console-", suffix=".log", delete=False)
        self._proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
            env=_CHILD_ENV, start_new_session=True,
        )
        self._deadline_timer = threading.Timer(self.timeout, self._expire)
        self._deadline_timer.daemon = True
        self._deadline_timer.start()
        deadline = time.monotonic() + self.boot_timeout
        self.pid1 = self._wait_for_pid1(deadline)
        self.boot_state = self._wait_until_running(deadline)

    def _expire(self) -> None:
        """Kills a container that outlived `timeout`, so a hung test cannot leak it."""
        self._expired = True
        self._kill()

    def _wait_for_pid1(self, deadline: float) -> int:
        """Returns the container's PID 1: the child of nspawn whose comm is `systemd`."""
        assert self._proc is not None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise MachineError(f"systemd-nspawn exited with {self._proc.returncode} during boot")
            for pid in _children(self._proc.pid):
                if _comm(pid) == "systemd":
                    return pid
            time.sleep(0.05)
        raise MachineError(f"no systemd child of nspawn within {self.boot_timeout}s")

    def _wait_until_running(self, deadline: float) -> str:
        """Polls `systemctl is-system-running` until `running` or `degraded`, bounded."""
        state = "unknown"
        while time.monotonic() < deadline:
            remaining = max(1.0, deadline - time.monotonic())
            try:
                result = self.run("systemctl", "is-system-running", timeout=min(10.0, remaining), check=False)
                state = result.stdout.strip() or state
            except subprocess.TimeoutExpired:
                pass
            if state in ("running", "degraded"):
                return state
            if self._proc is not None and self._proc.poll() is not None:
                raise MachineError(f"systemd-nspawn exited with {self._proc.returncode} during boot")
            time.sleep(0.2)
        raise MachineError(f"system not running within {self.boot_timeout}s (last state: {state})")

    def _teardown(self) -> None:
        """Powers the container off (bounded), then kills whatever is left (bounded)."""
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None and self.pid1 is not None and _comm(self.pid1) == "systemd":
            try:
                self.run("systemctl", "poweroff", "--no-block", timeout=10, check=False)
                proc.wait(timeout=20)
            except (subprocess.TimeoutExpired, MachineError, OSError):
                pass
        self._kill()
        # A killed nspawn cannot remove its own host-side directories; empty ones are removed here.
        for leftover in ("propagate", "unix-export"):
            try:
                os.rmdir(f"/run/systemd/nspawn/{leftover}/{self.machine}")
            except OSError:
                pass

    def _kill(self) -> None:
        """SIGKILLs the container's PID 1, then nspawn and its process group; bounded waits.

        PID 1 goes first so that nspawn, still alive, reaps it (no zombie left to the host's
        init); nspawn then exits by itself or is killed.
        """
        proc = self._proc
        if proc is None:
            return
        if self.pid1 is not None and _alive(self.pid1) and _comm(self.pid1) == "systemd":
            try:
                os.kill(self.pid1, signal.SIGKILL)  # takes the whole PID namespace with it
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
                try:
                    kill()
                except (ProcessLookupError, PermissionError):
                    pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sys.stderr.write(f"{self.machine}: systemd-nspawn (pid {proc.pid}) survived SIGKILL\n")
        deadline = time.monotonic() + 10
        while self.pid1 is not None and _alive(self.pid1) and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.pid1 is not None and _alive(self.pid1):
            sys.stderr.write(f"{self.machine}: container PID 1 (pid {self.pid1}) survived SIGKILL\n")

    # -- use -----------------------------------------------------------------------------------

    def run(
        self, *cmd: str, timeout: float = 30.0, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess:
        """Runs a command inside the container's namespaces; returns its text output.

        With `check` a non-zero exit raises MachineError carrying the command's output.
        """
        if self.pid1 is None:
            raise MachineError("container is not booted")
        if self._expired:
            raise MachineError(f"container exceeded its {self.timeout}s limit and was killed")
        argv = ["nsenter", f"--target={self.pid1}", "--mount", "--uts", "--ipc", "--net", "--pid", "--", *cmd]
        result = subprocess.run(
            argv, input=input, capture_output=True, text=True, timeout=timeout, env=_CHILD_ENV,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            raise MachineError(
                f"{' '.join(cmd)} exited with {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def host_path(self, path: str) -> Path:
        """The host path that reaches `path` inside the container, for reading files as bytes.

        It goes through /proc/PID1/root; an absolute symlink on the way resolves on the host, so
        pass a path without one (e.g. /var/lib/private/rootwatchd, not /var/lib/rootwatchd).
        """
        if self.pid1 is None:
            raise MachineError("container is not booted")
        return Path(f"/proc/{self.pid1}/root") / path.lstrip("/")

    def wait_for(self, predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
        """Polls `predicate()` until it returns a truthy value, which is returned; bounded."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise MachineError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(interval)

    @property
    def console_log(self) -> str:
        """The container's console output so far."""
        if self._log_file is None:
            return ""
        try:
            return Path(self._log_file.name).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def print_console_log(self) -> None:
        """Writes the console log to stderr (pytest shows it for failed tests)."""
        sys.stderr.write(f"----- console of {self.machine} -----\n{self.console_log}\n----- end of console -----\n")

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            try:
                os.unlink(self._log_file.name)
            except FileNotFoundError:
                pass
            self._log_file = None


def _children(pid: int) -> list[int]:
    """PIDs whose parent is `pid`, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Field 4 (ppid) follows the parenthesised comm, which may itself contain spaces.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"


def _comm(pid: int) -> str | None:
    """The process name of `pid`, or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None
