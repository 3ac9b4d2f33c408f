#!/usr/bin/env python3
"""rootwatchd benchmarks: scan cycle time, calls, memory, against a baseline measured in the same run.

    make bench                                   # builds the release binary, runs this in a private journal
    .venv/bin/python Benchmarks/run.py [--accounts 1000] [--latency-ms 100] [--concurrency 64]
                                       [--skip-baseline] [--skip-daemon] [--curl]

Everything runs against the fake cloud (Tests/FakeCloud) on loopback with generated accounts whose
reports are COMPLETED at once, so a cycle is pure request latency. For each run it prints the wall
time, the calls the fake saw, the ideal (calls per account × latency × ⌈accounts / concurrency⌉),
the ratio to the ideal and to the official Python SDK doing the same scans on as many threads, the
peak RSS, and how busy the fake was (a saturated fake would make the numbers the fake's, not
rootwatchd's). The targets are printed with whether they were met; nothing here fails a build.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = Path(os.environ.get("ROOTWATCH_SOURCE_ROOT") or HERE.parent)
sys.path.insert(0, str(REPO / "Tests" / "FakeCloud"))
sys.path.insert(0, str(REPO / "Tests" / "e2e"))
sys.path.insert(0, str(HERE))

from fakecloud_client import FakeCloud  # noqa: E402
from measure import CpuWatch, Measured, cpu_seconds, kill_group, run_measured, status_mb, status_values  # noqa: E402
from rootwatch import Setup, base_environment  # noqa: E402

RATIO_TARGET = 1.3
RSS_TARGET_MB = 30.0


@dataclass
class Result:
    """One measured scan cycle."""

    label: str
    accounts: int
    measured: Measured
    stats: dict
    fake_cpu_percent: float
    machine_percent: float
    latency: float
    concurrency: int
    problems: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(self.stats["by_action"].values())

    @property
    def calls_per_account(self) -> float:
        return self.calls / self.accounts

    @property
    def ideal(self) -> float:
        return self.calls_per_account * self.latency * math.ceil(self.accounts / self.concurrency)

    @property
    def ratio(self) -> float:
        return self.measured.wall / self.ideal if self.ideal else float("inf")


def expected_root_activity(accounts: int) -> int:
    """Generated accounts with a root logon (every 10th) or root key use (every 7th) minutes ago."""
    return sum(1 for i in range(accounts) if i % 10 == 0 or i % 7 == 0)


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


class Bench:
    def __init__(self, args, workdir: Path, binary: Path, cloud: FakeCloud):
        self.args = args
        self.workdir = workdir
        self.binary = binary
        self.cloud = cloud
        self.env = base_environment()
        self.setup = Setup.create(workdir / "config")
        self.setup.daemon(interval="1h", window="7d", concurrency=args.concurrency)
        self.setup.endpoints(cloud.url)
        for i in range(args.accounts):
            name = f"bench-{i:05d}"
            self.setup.credentials(name, f"LTAI5tBench{i:08d}", f"benchsecret{i}")
            self.setup.account(name, credentials=name)
        self.setup.write()

    def measure(self, label: str, argv: list[str], verify) -> Result:
        """Runs one cycle with fresh stats and the fake's CPU watched."""
        self.cloud.reset_stats()
        with CpuWatch(self.cloud.pid) as watch:
            measured = run_measured(argv, env=self.env, timeout=self.args.timeout, workdir=self.workdir)
        stats = self.cloud.stats()
        result = Result(label, self.args.accounts, measured, stats, watch.percent, watch.machine_percent,
                        self.args.latency_ms / 1000, self.args.concurrency)
        if measured.timed_out:
            result.problems.append(f"timed out after {self.args.timeout:.0f} s")
        if stats["rejected"]:
            result.problems.append(f"fake rejected calls: {stats['rejected']}")
        result.problems += verify(measured)
        return result

    def check(self, label: str, state: Path, *extra: str) -> Result:
        argv = [str(self.binary), "check", *extra, "--config", str(self.setup.config), "--state-dir", str(state)]
        return self.measure(label, argv, self.verify_check)

    def verify_check(self, measured: Measured) -> list[str]:
        """Every account listed, none failed, exactly the accounts with recent root activity flagged."""
        rows = [line for line in measured.stdout.splitlines() if line.startswith("bench-")]
        problems = []
        if measured.returncode != 3:
            problems.append(f"exit status {measured.returncode} (3 expected: root activity)")
        if len(rows) != self.args.accounts:
            problems.append(f"{len(rows)} accounts in the table, {self.args.accounts} expected")
        failed = sum("FAILED" in row for row in rows)
        if failed:
            problems.append(f"{failed} accounts FAILED")
        flagged = sum("ROOT USED" in row for row in rows)
        if flagged != expected_root_activity(self.args.accounts):
            problems.append(f"{flagged} accounts ROOT USED, {expected_root_activity(self.args.accounts)} expected")
        if measured.stderr.strip():
            problems.append("stderr: " + measured.stderr.strip().splitlines()[0][:200])
        return problems

    def baseline(self, label: str, identity: bool) -> Result:
        argv = [sys.executable, str(HERE / "sdk_baseline.py"), "--endpoint", self.cloud.endpoint,
                "--accounts", str(self.args.accounts), "--threads", str(self.args.concurrency)]
        if not identity:
            argv.append("--no-identity")

        def verify(measured: Measured) -> list[str]:
            if measured.returncode != 0:
                return [f"exit {measured.returncode}: {(measured.stdout + measured.stderr).strip()[-300:]}"]
            return []

        return self.measure(label, argv, verify)

    def daemon_memory(self) -> dict:
        """`rootwatchd run` with every account configured: first cycle, then idle RSS and CPU."""
        state = self.workdir / "state-daemon"
        log_path = self.workdir / "daemon.log"
        self.cloud.reset_stats()
        expected = self.args.accounts
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(self.binary), "run", "--config", str(self.setup.config), "--state-dir", str(state)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.env, start_new_session=True)
        try:
            started = time.monotonic()
            deadline = started + self.args.timeout + 60
            finished = 0
            while time.monotonic() < deadline and process.poll() is None:
                finished = log_path.read_text(errors="replace").count("finished: ")
                if finished >= expected:
                    break
                time.sleep(0.1)
            cycle = time.monotonic() - started
            cycle_cpu = cpu_seconds(process.pid) if process.poll() is None else float("nan")
            if process.poll() is not None or finished < expected:
                return {"error": f"first cycle incomplete: {finished}/{expected} scans, log: "
                                 f"{log_path.read_text(errors='replace')[-400:]}"}
            time.sleep(self.args.settle)  # the last state save, then idle
            before = cpu_seconds(process.pid)
            time.sleep(self.args.idle)
            idle_cpu = cpu_seconds(process.pid) - before
            status = status_values(process.pid)
            result = {
                "cycle": cycle,
                "cycle_cpu": cycle_cpu,
                "calls": sum(self.cloud.stats()["by_action"].values()),
                "rss": status_mb(process.pid, "VmRSS"),
                "hwm": status_mb(process.pid, "VmHWM"),
                "threads": int(status["Threads"]),
                "idle_cpu_percent": 100 * idle_cpu / self.args.idle,
                "state_bytes": (state / "state.json").stat().st_size if (state / "state.json").exists() else 0,
                "errors": len(re.findall(r"failed|error", log_path.read_text(errors="replace"), re.I)),
            }
            stop_started = time.monotonic()
            process.terminate()
            process.wait(timeout=30)
            result["stop"] = time.monotonic() - stop_started
            result["exit"] = process.returncode
            return result
        finally:
            if process.poll() is None:
                kill_group(process.pid)
                process.wait(timeout=10)



def curl_transport() -> list[str]:
    """Benchmarks/curl-transport.sh: CurlTransport request rate and connection reuse on loopback."""
    try:
        out = subprocess.run(["bash", str(HERE / "curl-transport.sh")], capture_output=True, text=True,
                             timeout=900, env=base_environment(), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return ["timed out after 900 s"]
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    return lines if out.returncode == 0 else lines[-10:] + [f"exit status {out.returncode}"]


# -- the report -----------------------------------------------------------------------------------


def print_cycles(results: list[Result], baselines: dict[int, Result]) -> None:
    header = (f"{'run':<44} {'wall':>7} {'calls':>6} {'/acct':>5} {'ideal':>7} {'×ideal':>6} {'×SDK':>6} "
              f"{'peak RSS':>9} {'CPU':>6} {'fake peak':>9} {'fake CPU':>8} {'all CPUs':>8}")
    print(header)
    print("-" * len(header))
    for r in results:
        base = baselines.get(round(r.calls_per_account))
        vs = f"{r.measured.wall / base.measured.wall:6.2f}" if base and base is not r else "     -"
        print(f"{r.label:<44} {r.measured.wall:6.2f}s {r.calls:>6} {r.calls_per_account:>5.2f} {r.ideal:6.2f}s "
              f"{r.ratio:6.2f} {vs} {r.measured.max_rss_mb:7.1f}MB {r.measured.cpu:5.2f}s "
              f"{r.stats['peak_concurrency']:>9} {r.fake_cpu_percent:7.0f}% {r.machine_percent:7.0f}%")
    print("  wall: process start to exit; ideal = calls/account × latency × ⌈accounts/concurrency⌉;")
    print("  ×SDK: wall against the Python SDK baseline doing the same calls per account; CPU: user+system;")
    print("  fake CPU: of one core (the fake is one Python process: near 100 % it would be the bottleneck);")
    print("  all CPUs: the whole machine, 100 % per core.")
    for r in results:
        for problem in r.problems:
            print(f"  ! {r.label}: {problem}")


def print_targets(results: list[Result]) -> None:
    print("\nTargets (rootwatchd check):")
    for r in results:
        if r.label.startswith("Python SDK"):
            continue
        print(f"  {r.label:<44} ratio {r.ratio:.2f} ≤ {RATIO_TARGET}: {mark(r.ratio <= RATIO_TARGET)};"
              f"  peak RSS {r.measured.max_rss_mb:.1f} MB ≤ {RSS_TARGET_MB:.0f} MB: "
              f"{mark(r.measured.max_rss_mb <= RSS_TARGET_MB)}")
        busy = r.fake_cpu_percent >= 85
        if busy:
            print(f"  ! the fake used {r.fake_cpu_percent:.0f}% of a core during '{r.label}': it may be the limit")


def main() -> int:
    parser = argparse.ArgumentParser(description="rootwatchd benchmarks against the fake cloud")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=120, help="bound on each measured run (s)")
    parser.add_argument("--settle", type=float, default=3, help="daemon: wait after the first cycle (s)")
    parser.add_argument("--idle", type=float, default=5, help="daemon: idle window measured (s)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-daemon", action="store_true")
    parser.add_argument("--curl", action="store_true",
                        help="also run Benchmarks/curl-transport.sh (builds the release tests: minutes the first time)")
    parser.add_argument("--binary", type=Path,
                        default=Path(os.environ.get("ROOTWATCH_BINARY") or REPO / ".build" / "release" / "rootwatchd"))
    args = parser.parse_args()
    for name in ("no_proxy", "NO_PROXY"):
        os.environ[name] = "127.0.0.1,localhost,::1"

    if not os.access(args.binary, os.X_OK):
        print(f"{args.binary} is not built: run `make bench`", file=sys.stderr)
        return 2
    journal = Path("/run/systemd/journal/socket").exists()
    load = os.getloadavg()
    print(f"rootwatchd benchmarks: {args.accounts} accounts, {args.latency_ms} ms per call, "
          f"concurrency {args.concurrency}")
    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, load average {load[0]:.2f} at start"
          f"{'' if load[0] < 1 else ' (busy: numbers are noisy)'}")
    print(f"binary: {args.binary} ({args.binary.stat().st_size / 1e6:.1f} MB)"
          f"{'' if journal else '; NO journal socket: alerts are not sent (run through make bench)'}\n")

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="rootwatch-bench-"))
    scenario = {"latency_ms": args.latency_ms, "generate": {"accounts": args.accounts, "ram_users": 4}}
    try:
        with FakeCloud(scenario, start_timeout=120) as cloud:
            bench = Bench(args, workdir, args.binary, cloud)
            results: list[Result] = []
            baselines: dict[int, Result] = {}
            if not args.skip_baseline:
                first = bench.baseline("Python SDK, 64 threads (identity + report)", identity=True)
                second = bench.baseline("Python SDK, 64 threads (report only)", identity=False)
                for b in (first, second):
                    b.label = b.label.replace("64", str(args.concurrency))
                    baselines[round(b.calls_per_account)] = b
            results.append(bench.check("check --no-alerts (no state)", workdir / "state-none", "--no-alerts"))
            fresh = workdir / "state-check"
            results.append(bench.check("check, fresh state (cycle 1)", fresh))
            results.append(bench.check("check, saved state (cycle 2: no identity)", fresh))
            print_cycles(results + list(baselines.values()), baselines)
            print_targets(results)

            if not args.skip_daemon:
                print(f"\nDaemon (rootwatchd run, {args.accounts} accounts, interval 1h):")
                daemon = bench.daemon_memory()
                if "error" in daemon:
                    print(f"  ! {daemon['error']}")
                else:
                    print(f"  first cycle: {daemon['cycle']:.1f} s (the first round is staggered over up to 30 s), "
                          f"{daemon['calls']} calls, CPU {daemon['cycle_cpu']:.2f} s, peak RSS {daemon['hwm']:.1f} MB")
                    print(f"  idle after it: RSS {daemon['rss']:.1f} MB (target ≤ {RSS_TARGET_MB:.0f} MB: "
                          f"{mark(daemon['rss'] <= RSS_TARGET_MB)}), {daemon['threads']} threads, "
                          f"CPU {daemon['idle_cpu_percent']:.1f}% over {args.idle:.0f} s")
                    print(f"  state file {daemon['state_bytes'] / 1024:.0f} KiB; SIGTERM to exit {daemon['stop']:.2f} s "
                          f"(status {daemon['exit']}); log lines with failed/error: {daemon['errors']}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    if args.curl:
        print("\nCurlTransport on loopback (Benchmarks/curl-transport.sh):")
        for line in curl_transport():
            print(f"  {line}")
    else:
        print("\nCurlTransport micro-benchmark: `make bench BENCH_ARGS=--curl` or Benchmarks/curl-transport.sh")
    print(f"\nbenchmarks took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
