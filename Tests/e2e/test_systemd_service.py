"""The real rootwatchd, installed as the shipped unit, under a real systemd as PID 1.

Each test boots a container with NspawnMachine (loopback-only network), runs the fake Alibaba Cloud
inside it as a transient unit on 127.0.0.1:18080 with the demo scenario, and installs what a
package installs: the release binary (bound at /opt/rootwatchd), the unit (ExecStart rewritten to
it), the tmpfiles entry, the journal catalog (compiled inside with `journalctl --update-catalog`),
a configuration in /etc/rootwatchd that names its secrets as credentials, and the secrets as
root-owned 0600 files in /etc/rootwatchd/secrets/, which reach the daemon through LoadCredential=.

What the demo scenario yields: staging had a root console logon 3 minutes ago; sandbox has an
active root AccessKey used 20 minutes ago and root MFA off; prod is clean. So four alerts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from systemd_harness import BINARY_MOUNT, MachineError, NspawnMachine, rewrite_unit

FAKECLOUD_PORT = 18080
PYENV = Path("/root/.pyenv")

#: The demo scenario's accounts: name, AccessKey ID, secret (Tests/FakeCloud/scenarios/demo.json).
ACCOUNTS = {
    "prod": ("1234567890123456", "LTAI5tDemoProdReader0001", "demoProdSecret7Hq2mX9vKp4Lw3Zt"),
    "staging": ("2345678901234567", "LTAI5tDemoStagingRead01", "demoStagingSecret4Nc8Rv1Ye6Ub2"),
    "sandbox": ("3456789012345678", "LTAI5tDemoSandboxRead01", "demoSandboxSecret9Gt5Wp3Js8Kd1"),
}

#: (account, kind) of every alert the demo scenario must raise, and nothing else.
EXPECTED_ALERTS = {
    ("staging", "root-console-logon"),
    ("sandbox", "root-access-key-used"),
    ("sandbox", "root-mfa-disabled"),
    ("sandbox", "root-access-key-active"),
}
MESSAGE_IDS = {
    "root-console-logon": "ef0c6e4d1267437a9931212df871bdba",
    "root-access-key-used": "9f05535365734f8881ebdf6594226b54",
    "root-mfa-disabled": "f0a9d745538a4c53a34c58e79ce63528",
    "root-access-key-active": "ecf7e717041349f58b70c3cab8263257",
}
#: systemd's range for DynamicUser= UIDs (61184–65519).
DYNAMIC_UIDS = range(61184, 65520)


def configuration(interval: str) -> str:
    """rootwatchd.conf: every demo account with its own credentials, secrets by credential name."""
    url = f"http://127.0.0.1:{FAKECLOUD_PORT}"
    lines = ["[daemon]", f"interval = {interval}", "window = 7d", "jitter = 0%", "",
             "[endpoints]", f"ims = {url}", f"sts = {url}", f"actiontrail = {url}", ""]
    for name, (_, key_id, _) in ACCOUNTS.items():
        lines += [f"[credentials {name}]", f"access_key_id = {key_id}", f"access_key_secret_credential = {name}", "",
                  f"[account {name}]", f"credentials = {name}", ""]
    return "\n".join(lines)


# ----- the installed machine -----------------------------------------------------------------------


@pytest.fixture
def binary_dir(rootwatchd_binary, tmp_path):
    """A world-readable directory holding a copy of the release binary (a dynamic user runs it)."""
    directory = tmp_path / "bin"
    directory.mkdir()
    directory.chmod(0o755)
    shutil.copy(rootwatchd_binary, directory / "rootwatchd")
    (directory / "rootwatchd").chmod(0o755)
    return directory


@pytest.fixture
def python_for_fakecloud(source_root):
    """The venv interpreter the fake cloud needs; it and the pyenv tree it links to are bound inside."""
    python = Path(os.environ.get("ROOTWATCH_PYTHON") or source_root / ".venv" / "bin" / "python")
    target = python.resolve()
    if not target.is_relative_to(PYENV) and not target.is_relative_to(Path("/usr")):
        pytest.fail(f"{python} resolves to {target}, neither under {PYENV} nor /usr: bind it in")
    return python


@pytest.fixture
def machine(source_root, binary_dir, python_for_fakecloud, tmp_path, request):
    """A booted container with the fake cloud running and rootwatchd installed, not yet started.

    When the test fails, the container's journal is written to stderr before teardown.
    """
    unit = rewrite_unit(source_root / "systemd" / "rootwatchd.service", tmp_path / "rootwatchd.service",
                        f"{BINARY_MOUNT}/rootwatchd")
    binds = [
        (source_root / "systemd" / "rootwatchd.tmpfiles", "/etc/tmpfiles.d/rootwatchd.conf"),
        (source_root, source_root),
    ]
    venv = python_for_fakecloud.parent.parent
    if not venv.resolve().is_relative_to(source_root.resolve()):
        binds.append((venv, venv))
    if PYENV.exists():
        binds.append((PYENV, PYENV))
    with NspawnMachine(binary_dir, unit, None, extra_binds=binds, timeout=150) as machine:
        # --volatile=yes applies presets: the [Install]ed unit was started at boot and failed (no configuration).
        machine.run("systemctl", "stop", "rootwatchd")
        machine.run("systemctl", "reset-failed", "rootwatchd", check=False)
        start_fakecloud(machine, source_root, python_for_fakecloud)
        install_catalog(machine, source_root)
        install_configuration(machine)
        failed_before = request.session.testsfailed
        yield machine
        if request.session.testsfailed > failed_before:
            journal = machine.run("journalctl", "-b", "--no-pager", "-o", "short-monotonic", check=False, timeout=20)
            sys.stderr.write(f"----- journal of {machine.machine} -----\n{journal.stdout}\n")


def start_fakecloud(machine: NspawnMachine, source_root: Path, python: Path) -> None:
    """Runs the fake cloud as the transient unit fakecloud.service and waits for its health answer."""
    machine.run(
        "systemd-run", "--unit=fakecloud", "--property=Environment=PYTHONDONTWRITEBYTECODE=1",
        str(python), str(source_root / "Tests" / "FakeCloud" / "fakecloud.py"),
        "--scenario", str(source_root / "Tests" / "FakeCloud" / "scenarios" / "demo.json"),
        "--host", "127.0.0.1", "--port", str(FAKECLOUD_PORT),
    )

    def healthy():
        if machine.run("systemctl", "is-failed", "--quiet", "fakecloud", check=False).returncode == 0:
            log = machine.run("journalctl", "-u", "fakecloud", "--no-pager", check=False).stdout
            raise MachineError(f"the fake cloud failed:\n{log}")
        health = machine.run("curl", "-sf", "--noproxy", "*", f"http://127.0.0.1:{FAKECLOUD_PORT}/__admin/health",
                             check=False)
        return health.returncode == 0 and json.loads(health.stdout) == {"ok": True}

    machine.wait_for(healthy, timeout=20, what="the fake cloud's health answer")


def install_catalog(machine: NspawnMachine, source_root: Path) -> None:
    """Installs rootwatchd.catalog where packages put catalogs and compiles the database, inside.

    /usr is the host's, read-only; inside the container's own mount namespace a writable copy of
    /usr/lib/systemd/catalog is mounted over it, so `journalctl --update-catalog` does exactly what
    a package's post-install step does. Nothing of this reaches the host.
    """
    machine.run("cp", "-a", "/usr/lib/systemd/catalog", "/run/catalog")
    machine.run("install", "-m", "0644", str(source_root / "systemd" / "rootwatchd.catalog"), "/run/catalog/")
    machine.run("mount", "--bind", "/run/catalog", "/usr/lib/systemd/catalog")
    machine.run("journalctl", "--update-catalog")


def install_configuration(machine: NspawnMachine, interval: str = "1h") -> None:
    """Writes rootwatchd.conf (0644) and one root-owned 0600 secret file per account."""
    assert machine.run("stat", "-c", "%a %U", "/etc/rootwatchd/secrets").stdout.split() == ["700", "root"]
    write_file(machine, "/etc/rootwatchd/rootwatchd.conf", configuration(interval), "0644")
    for name, (_, _, secret) in ACCOUNTS.items():
        write_file(machine, f"/etc/rootwatchd/secrets/{name}", secret + "\n", "0600")


def write_file(machine: NspawnMachine, path: str, text: str, mode: str) -> None:
    """Creates or replaces a root-owned file inside the container."""
    machine.run("install", "-D", "-m", mode, "/dev/stdin", path, input=text)


# ----- reading systemd and the journal -------------------------------------------------------------


def show(machine: NspawnMachine, unit: str, *properties: str) -> dict[str, str]:
    out = machine.run("systemctl", "show", unit, *(f"--property={p}" for p in properties)).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def entries(machine: NspawnMachine, *matches: str) -> list[dict]:
    """rootwatchd.service's journal entries matching every `FIELD=value`."""
    machine.run("journalctl", "--sync")
    out = machine.run("journalctl", "-u", "rootwatchd", "-o", "json", "--no-pager", *matches).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def alerts(machine: NspawnMachine) -> list[dict]:
    return [e for e in entries(machine) if "ROOTWATCH_ALERT_ID" in e]


def scans_finished(machine: NspawnMachine) -> dict[str, int]:
    """How many scans of each account have finished, from the daemon's own log entries."""
    counts = dict.fromkeys(ACCOUNTS, 0)
    for entry in entries(machine, "SYSLOG_IDENTIFIER=rootwatchd"):
        match = re.match(r"Scan of (\w+) finished", entry.get("MESSAGE", ""))
        if match and match.group(1) in counts:
            counts[match.group(1)] += 1
    return counts


def wait_for_scans(machine: NspawnMachine, count: int, timeout: float = 30) -> None:
    """Waits until every account has finished `count` scans."""
    machine.wait_for(lambda: min(scans_finished(machine).values()) >= count, timeout,
                     what=f"{count} finished scans of every account (have {scans_finished(machine)})")


def wait_until_settled(machine: NspawnMachine, timeout: float = 20) -> dict[str, str]:
    """Waits for active/running with rootwatchd's own summary as the status line; returns the properties."""
    def settled():
        state = show(machine, "rootwatchd", "ActiveState", "SubState", "StatusText", "MainPID")
        ok = state["ActiveState"] == "active" and state["SubState"] == "running"
        return state if ok and re.fullmatch(r"3 accounts, all ok, next scan \S+Z", state["StatusText"]) else None
    return machine.wait_for(settled, timeout, what="rootwatchd active with its status line")


def notifications(machine: NspawnMachine, pid: str) -> list[str]:
    """The sd_notify messages systemd accepted from `pid` while its log level was debug, in order."""
    prefix = f"rootwatchd.service: Got notification message from PID {pid} ("
    messages = [e.get("MESSAGE", "") for e in entries(machine) if e.get("_PID") == "1"]
    return [m[len(prefix):-1] for m in messages if isinstance(m, str) and m.startswith(prefix)]


def main_uid(machine: NspawnMachine, pid: str) -> int:
    status = machine.run("cat", f"/proc/{pid}/status").stdout
    return int(re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE).group(1))


# ----- tests ---------------------------------------------------------------------------------------


def test_enable_now_alerts_reloads_restarts_without_repeating_and_stops_cleanly(machine, source_root):
    """The whole life of the installed service against the fake cloud, as an operator drives it."""
    started = time.monotonic()
    machine.run("systemctl", "enable", "--now", "rootwatchd", timeout=70)
    assert machine.run("systemctl", "is-enabled", "rootwatchd").stdout.strip() == "enabled"
    # Type=notify: `enable --now` returned after READY=1, so the unit is active right away.
    assert machine.run("systemctl", "is-active", "rootwatchd").stdout.strip() == "active"
    wait_for_scans(machine, 1)
    state = wait_until_settled(machine)
    startup = time.monotonic() - started
    invocations = {show(machine, "rootwatchd", "InvocationID")["InvocationID"]}

    # The alerts: one journal entry each, from the unit, with the contract's fields.
    found = alerts(machine)
    assert {(e["ROOTWATCH_ACCOUNT"], e["ROOTWATCH_KIND"]) for e in found} == EXPECTED_ALERTS, found
    assert len(found) == len(EXPECTED_ALERTS)
    for entry in found:
        account, kind = entry["ROOTWATCH_ACCOUNT"], entry["ROOTWATCH_KIND"]
        assert entry["_SYSTEMD_UNIT"] == "rootwatchd.service"
        assert entry["_TRANSPORT"] == "journal", "alerts are sent with sd_journal_sendv, not via stderr"
        assert entry["SYSLOG_IDENTIFIER"] == "rootwatchd"
        assert entry["MESSAGE_ID"] == MESSAGE_IDS[kind]
        assert entry["ROOTWATCH_ACCOUNT_ID"] == ACCOUNTS[account][0]
        assert entry["ROOTWATCH_SOURCE"] == "credential-report"
        assert entry["ROOTWATCH_WINDOW"] == "7d"
        assert re.fullmatch(r"[0-9a-f]{32}", entry["ROOTWATCH_ALERT_ID"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["ROOTWATCH_ACTIVITY_TIME"])
        assert entry["PRIORITY"] == ("2" if kind in ("root-console-logon", "root-access-key-used") else "4")
        if kind.startswith("root-access-key"):
            assert entry["ROOTWATCH_KEY_SLOT"] == "access_key_1"
    everything = json.dumps(entries(machine))
    for _, key_id, secret in ACCOUNTS.values():
        assert secret not in everything and key_id not in everything, "secrets and full key IDs stay out"

    # The sandbox: a dynamic user, not root, with its state 0600 in the private state directory.
    uid = main_uid(machine, state["MainPID"])
    assert uid in DYNAMIC_UIDS, uid
    assert machine.run("readlink", "/var/lib/rootwatchd").stdout.strip() == "private/rootwatchd"
    mode, owner = machine.run("stat", "-c", "%a %u", "/var/lib/private/rootwatchd/state.json").stdout.split()
    assert (mode, int(owner)) == ("600", uid)
    assert machine.run("stat", "-c", "%a", "/var/lib/private/rootwatchd").stdout.strip() == "700"
    credentials = machine.run("ls", "/run/credentials/rootwatchd.service").stdout.split()
    assert sorted(credentials) == sorted(f"secret_{name}" for name in ACCOUNTS)

    # The catalog explains an alert with that entry's own fields.
    logon = next(e for e in found if e["ROOTWATCH_KIND"] == "root-console-logon")
    explained = machine.run("journalctl", "-u", "rootwatchd", "-x", "--no-pager",
                            f"ROOTWATCH_ALERT_ID={logon['ROOTWATCH_ALERT_ID']}").stdout
    assert "Subject: Root console logon on Alibaba Cloud account staging" in explained, explained
    assert "Defined-By: rootwatchd" in explained
    assert f"(account ID {ACCOUNTS['staging'][0]}) at {logon['ROOTWATCH_ACTIVITY_TIME']}" in explained
    listed = machine.run("journalctl", "--list-catalog", "--no-pager").stdout
    for message_id in MESSAGE_IDS.values():
        assert re.search(rf"^{message_id} rootwatchd: ", listed, re.MULTILINE), message_id

    # The installed, running unit as systemd itself rates it.
    security = machine.run("systemd-analyze", "security", "--no-pager", "rootwatchd.service", check=False)
    rating = re.search(r"Overall exposure level for rootwatchd\.service: (\d+\.\d+) (\w+)", security.stdout)
    assert rating, security.stdout + security.stderr
    assert float(rating.group(1)) <= 1.5 and rating.group(2) == "OK", security.stdout

    # Reload: a shorter interval in a drop-in; the daemon answers RELOADING=1 … READY=1 and scans now.
    # systemd logs each notification it accepts at debug level, which shows the exact sequence.
    write_file(machine, "/etc/rootwatchd/rootwatchd.conf.d/10-interval.conf", "[daemon]\ninterval = 30m\n", "0644")
    pid_before = state["MainPID"]
    machine.run("systemd-analyze", "log-level", "debug")
    machine.run("systemctl", "reload", "rootwatchd", timeout=40)
    wait_for_scans(machine, 2)
    state = wait_until_settled(machine)
    machine.run("systemd-analyze", "log-level", "info")
    heard = notifications(machine, pid_before)
    reloading = next(i for i, n in enumerate(heard) if "RELOADING=1" in n)
    assert "STATUS=reloading configuration" in heard[reloading], heard
    assert any("READY=1" in n for n in heard[reloading + 1:]), heard
    assert state["MainPID"] == pid_before, "a reload keeps the process"
    assert any(e.get("MESSAGE") == "Configuration reloaded: 3 accounts" for e in entries(machine))

    # Restart: the saved due time (30 min away) exceeds the new interval, so the new process scans
    # at once and meets the same root activity; the state it loaded says those alerts were sent.
    write_file(machine, "/etc/rootwatchd/rootwatchd.conf.d/10-interval.conf", "[daemon]\ninterval = 10m\n", "0644")
    machine.run("systemctl", "restart", "rootwatchd", timeout=70)
    wait_for_scans(machine, 3)
    state = wait_until_settled(machine)
    assert state["MainPID"] != pid_before
    invocations.add(show(machine, "rootwatchd", "InvocationID")["InvocationID"])
    after = alerts(machine)
    per_id: dict[str, int] = {}
    for entry in after:
        per_id[entry["ROOTWATCH_ALERT_ID"]] = per_id.get(entry["ROOTWATCH_ALERT_ID"], 0) + 1
    assert per_id == {e["ROOTWATCH_ALERT_ID"]: 1 for e in found}, after

    # Stop: SIGTERM, STOPPING=1, state saved, exit 0 well within TimeoutStopSec.
    stopping_pid = state["MainPID"]
    machine.run("systemd-analyze", "log-level", "debug")
    stop_started = time.monotonic()
    machine.run("systemctl", "stop", "rootwatchd", timeout=40)
    stop_took = time.monotonic() - stop_started
    machine.run("systemd-analyze", "log-level", "info")
    assert any(n.startswith("STOPPING=1") for n in notifications(machine, stopping_pid))
    state = show(machine, "rootwatchd", "ActiveState", "Result", "ExecMainCode", "ExecMainStatus", "TimeoutStopUSec")
    assert state == {"ActiveState": "inactive", "Result": "success", "ExecMainCode": "1", "ExecMainStatus": "0",
                     "TimeoutStopUSec": "30s"}
    assert stop_took < 30
    # Logs go natively to the journal (stderr is the journal): nothing of the daemon's own arrives
    # as plain stdout/stderr lines, so nothing is logged twice.
    stopped = [e for e in entries(machine) if e.get("MESSAGE") == "rootwatchd stopped"]
    assert len(stopped) == 2 and all(e["_TRANSPORT"] == "journal" for e in stopped), stopped
    streamed = [e for e in entries(machine) if e.get("_SYSTEMD_INVOCATION_ID") in invocations
                and e.get("_TRANSPORT") == "stdout"]
    assert streamed == [], streamed
    sys.stderr.write(f"enable --now to 3 scanned accounts: {startup:.1f}s; stop: {stop_took:.2f}s; "
                     f"exposure {rating.group(1)}\n")


def test_watchdog_restarts_a_frozen_daemon(machine):
    """WatchdogSec=3s from a drop-in: a daemon stopped with SIGSTOP misses WATCHDOG=1 and is restarted."""
    machine.run("mkdir", "-p", "/etc/systemd/system/rootwatchd.service.d")
    write_file(machine, "/etc/systemd/system/rootwatchd.service.d/50-watchdog.conf",
               "[Service]\nWatchdogSec=3s\nRestartSec=1s\n", "0644")
    machine.run("systemctl", "daemon-reload")
    machine.run("systemctl", "start", "rootwatchd", timeout=70)
    state = wait_until_settled(machine)
    assert show(machine, "rootwatchd", "WatchdogUSec")["WatchdogUSec"] == "3s"

    # Alive and pinging: systemd's record of the last WATCHDOG=1 moves forward.
    def ping():
        return show(machine, "rootwatchd", "WatchdogTimestampMonotonic")["WatchdogTimestampMonotonic"]
    first = ping()
    machine.wait_for(lambda: ping() != first, timeout=5, what="a WATCHDOG=1 ping")
    restarts = int(show(machine, "rootwatchd", "NRestarts")["NRestarts"])

    frozen = state["MainPID"]
    frozen_at = time.monotonic()
    machine.run("kill", "-STOP", frozen)
    try:
        def restarted():
            now = show(machine, "rootwatchd", "MainPID", "NRestarts", "ActiveState")
            changed = now["MainPID"] not in ("0", frozen) and int(now["NRestarts"]) == restarts + 1
            return now if changed and now["ActiveState"] == "active" else None
        machine.wait_for(restarted, timeout=20, what="a restart by the watchdog")
        took = time.monotonic() - frozen_at
    finally:
        machine.run("kill", "-CONT", frozen, check=False)
    wait_until_settled(machine)
    timeouts = [e for e in entries(machine) if e.get("_PID") == "1" and "Watchdog timeout" in e.get("MESSAGE", "")]
    assert timeouts and "limit 3s" in timeouts[-1]["MESSAGE"], timeouts
    assert took < 3 + 1 + 10, took
    sys.stderr.write(f"watchdog: frozen to restarted in {took:.1f}s\n")
