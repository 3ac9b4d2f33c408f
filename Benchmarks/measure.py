"""Measuring processes for the benchmarks: wall time, CPU time, peak and current RSS.

A measured child is reaped with ``os.wait4``, whose ``ru_maxrss`` is the kernel's own high-water
mark of that process's resident set (the same number ``/usr/bin/time -v`` prints), so nothing is
sampled and no peak is missed. Processes that keep running (the fake cloud, the daemon) are read
from ``/proc/PID/stat`` and ``/proc/PID/status``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    """One finished child process."""

    returncode: int
    wall: float  # seconds
    cpu: float  # user + system seconds
    max_rss_mb: float
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu / self.wall if self.wall > 0 else 0.0


def run_measured(argv: list[str], *, env: dict, timeout: float, workdir: Path) -> Measured:
    """Runs `argv` to completion (SIGKILL after `timeout`) and measures it; output goes via files."""
    out_path = workdir / f"out-{time.monotonic_ns()}.txt"
    err_path = workdir / f"err-{time.monotonic_ns()}.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.monotonic()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                   start_new_session=True)
        reaped: list = []
        waiter = threading.Thread(target=lambda: reaped.append(os.wait4(process.pid, 0)), daemon=True)
        waiter.start()
        waiter.join(timeout)
        timed_out = waiter.is_alive()
        if timed_out:
            kill_group(process.pid)
            waiter.join(10)
        wall = time.monotonic() - started
    process.returncode = -9  # reaped above; keep Popen from waiting again
    _, status, usage = reaped[0] if reaped else (0, -1, None)
    return Measured(
        returncode=os.waitstatus_to_exitcode(status) if status >= 0 else -9,
        wall=wall,
        cpu=(usage.ru_utime + usage.ru_stime) if usage else 0.0,
        max_rss_mb=(usage.ru_maxrss / 1024) if usage else 0.0,  # ru_maxrss is in KiB on Linux
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
        timed_out=timed_out,
    )


def kill_group(pid: int) -> None:
    """SIGKILL the process group `pid` leads (children started with start_new_session)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15)


def status_values(pid: int) -> dict[str, str]:
    """``/proc/PID/status`` as a dict (VmRSS, VmHWM, Threads, …)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        values[name] = value.strip()
    return values


def status_mb(pid: int, field: str) -> float:
    """A ``kB`` field of ``/proc/PID/status`` in MiB."""
    return int(status_values(pid)[field].split()[0]) / 1024


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs from /proc/stat, for utilisation over an interval."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


class CpuWatch:
    """CPU used by one process and by the whole machine between `start` and `stop`."""

    def __init__(self, pid: int):
        self.pid = pid

    def __enter__(self) -> "CpuWatch":
        self.started = time.monotonic()
        self._cpu = cpu_seconds(self.pid)
        self._machine = machine_busy()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.monotonic() - self.started
        self.cpu = cpu_seconds(self.pid) - self._cpu
        busy, total = machine_busy()
        self.machine_percent = 100 * (busy - self._machine[0]) / max(1, total - self._machine[1]) * os.cpu_count()

    @property
    def percent(self) -> float:
        """Of one core (a Python server holds the GIL, so ~100 % means saturated)."""
        return 100 * self.cpu / self.wall if self.wall > 0 else 0.0
