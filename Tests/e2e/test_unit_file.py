"""The shipped systemd files: unit, tmpfiles entry, journal catalog, example configuration.

Static checks use systemd's own tools (`systemd-analyze verify`, `systemd-analyze security`,
`journalctl --update-catalog`, `systemd-tmpfiles`). The container tests boot a real systemd with
the NspawnMachine harness; `test_harness_self_test_hardened_unit_under_real_systemd` proves the
harness itself, with a stand-in daemon, before the real daemon exists.
"""

import hashlib
import json
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from systemd_harness import BINARY_MOUNT, MachineError, NspawnMachine, rewrite_unit

FIXTURES = Path(__file__).parent / "fixtures"

#: product.md §1: every MESSAGE_ID rootwatchd writes, with its kind.
MESSAGE_IDS = {
    "ef0c6e4d1267437a9931212df871bdba": "root-console-logon",
    "9f05535365734f8881ebdf6594226b54": "root-access-key-used",
    "f0a9d745538a4c53a34c58e79ce63528": "root-mfa-disabled",
    "ecf7e717041349f58b70c3cab8263257": "root-access-key-active",
    "ccf16b2e60ab4e3392c94ed284b32e55": "account-stale",
    "af6954f19eca4836a5607485b2d6ed12": "account-recovered",
    "23b0b7b4dd834c5c98b189f10f9e8728": "test",
    "7d6f2f7c34ef4a5e93b884a52b0dc8da": "scan lifecycle",
}

#: Hardening the unit must keep (docs/testing.md lists it; systemd.md explains it).
REQUIRED_SETTINGS = {
    "Type": "notify", "NotifyAccess": "main", "ExecReload": "/bin/kill -HUP $MAINPID",
    "Restart": "on-failure", "DynamicUser": "yes", "StateDirectory": "rootwatchd",
    "StateDirectoryMode": "0700", "ConfigurationDirectory": "rootwatchd", "UMask": "0077",
    "LoadCredential": "secret:/etc/rootwatchd/secrets", "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
    "RestrictRealtime": "yes", "MemoryDenyWriteExecute": "yes", "RestrictNamespaces": "yes",
    "PrivateUsers": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
    "PrivateDevices": "yes", "PrivateMounts": "yes", "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
    "ProtectClock": "yes", "ProtectHostname": "yes", "ProtectProc": "invisible", "ProcSubset": "pid",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "SystemCallArchitectures": "native",
    "WantedBy": "multi-user.target",
}


@pytest.fixture
def unit(source_root):
    return source_root / "systemd" / "rootwatchd.service"


@pytest.fixture
def standin_dir(tmp_path):
    """A directory holding the stand-in daemon as `rootwatchd`, readable by a dynamic user."""
    directory = tmp_path / "bin"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    shutil.copy(FIXTURES / "standin_rootwatchd.py", directory / "rootwatchd")
    (directory / "rootwatchd").chmod(0o755)
    return directory


def unit_settings(path: Path) -> dict[str, list[str]]:
    """Every `Key=value` of a unit file, values in order of appearance."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_unit_runs_the_installed_daemon_and_keeps_its_hardening(unit):
    settings = unit_settings(unit)
    assert settings["ExecStart"] == ["/usr/bin/rootwatchd run"]
    for key, value in REQUIRED_SETTINGS.items():
        assert value in settings.get(key, []), f"{key}={value} missing from the unit"
    assert settings["SystemCallFilter"] == ["@system-service", "~@privileged @resources"]
    assert {"network-online.target"} <= set(settings["Wants"]) & set(settings["After"])
    assert settings["RestartPreventExitStatus"] == ["2"], "a config error must not restart-loop"
    assert settings["WatchdogSec"] and settings["TimeoutStopSec"] and settings["RestartSec"]


def test_systemd_analyze_verify_prints_nothing(unit, standin_dir, tmp_path):
    copy = rewrite_unit(unit, tmp_path / "rootwatchd.service", str(standin_dir / "rootwatchd"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout + result.stderr == ""


def test_systemd_analyze_verify_would_catch_a_typo(unit, standin_dir, tmp_path):
    """Guards the test above: verify exits 0 on unknown keys, only its output reveals them."""
    copy = rewrite_unit(unit, tmp_path / "rootwatchd.service", str(standin_dir / "rootwatchd"))
    copy.write_text(copy.read_text().replace("ProtectHome=yes", "ProtectHom=yes"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert "ProtectHom" in result.stdout + result.stderr


def test_security_exposure_is_at_most_1_5(unit):
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True, text=True, timeout=60,
    )
    match = re.search(r"Overall exposure level for rootwatchd\.service: (\d+\.\d+) (\w+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 1.5, result.stdout
    assert match.group(2) == "OK"
    assert result.stderr == ""


def test_tmpfiles_creates_the_secrets_directory_closed(source_root, tmp_path):
    result = subprocess.run(
        ["systemd-tmpfiles", "--create", f"--root={tmp_path}", str(source_root / "systemd" / "rootwatchd.tmpfiles")],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr
    info = (tmp_path / "etc" / "rootwatchd" / "secrets").stat()
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert (info.st_uid, info.st_gid) == (0, 0)


def build_catalog(source_root: Path, root: Path) -> subprocess.CompletedProcess:
    """Installs the catalog under `root` the way `make install` does and compiles its database."""
    catalog_dir = root / "usr" / "lib" / "systemd" / "catalog"
    catalog_dir.mkdir(parents=True)
    shutil.copy(source_root / "systemd" / "rootwatchd.catalog", catalog_dir)
    return subprocess.run(["journalctl", f"--root={root}", "--update-catalog"], capture_output=True, text=True, timeout=30)


def test_catalog_has_an_entry_for_every_message_id(source_root, tmp_path):
    update = build_catalog(source_root, tmp_path)
    assert update.returncode == 0 and update.stderr == "", update.stderr
    listed = subprocess.run(
        ["journalctl", f"--root={tmp_path}", "--list-catalog"], capture_output=True, text=True, timeout=30
    )
    ids = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert set(ids) == set(MESSAGE_IDS), listed.stdout
    for line in ids.values():
        assert " rootwatchd: " in line, f"Defined-By missing: {line}"
    for message_id in MESSAGE_IDS:
        dump = subprocess.run(
            ["journalctl", f"--root={tmp_path}", "--dump-catalog", message_id],
            capture_output=True, text=True, timeout=30,
        ).stdout
        headers, _, body = dump.partition("\n\n")
        assert "\nSupport: " in headers and "\nDefined-By: rootwatchd" in headers, dump
        assert len(body.split()) >= 20, f"{message_id}: body too short to explain anything"


def test_journalctl_x_explains_an_alert_with_its_fields(source_root, tmp_path):
    """The catalog as an operator sees it: a real journal entry, `journalctl -x`, fields filled in.

    journalctl reads catalogs only below /usr, which is the host's read-only /usr in the container,
    so the database is compiled here and copied into the container's /var.
    """
    assert build_catalog(source_root, tmp_path).returncode == 0
    database = tmp_path / "var" / "lib" / "systemd" / "catalog" / "database"
    with NspawnMachine(extra_binds=[(database, "/opt/rootwatchd-catalog")], timeout=90) as machine:
        machine.run("install", "-D", "-m", "0644", "/opt/rootwatchd-catalog", "/var/lib/systemd/catalog/database")
        fields = "\n".join([
            "MESSAGE=Root console logon on account prod", "MESSAGE_ID=ef0c6e4d1267437a9931212df871bdba",
            "PRIORITY=2", "SYSLOG_IDENTIFIER=rootwatchd", "ROOTWATCH_ACCOUNT=prod",
            "ROOTWATCH_ACCOUNT_ID=1234567890123456", "ROOTWATCH_ACTIVITY_TIME=2026-12-04T10:00:03Z",
            "ROOTWATCH_ALERT_ID=7ff7c8b03a774e26e49b7b62bb4d92fb", "",
        ])
        machine.run("logger", "--journald", input=fields)
        machine.run("journalctl", "--sync")

        def explained():
            out = machine.run(
                "journalctl", "-x", "--no-pager", "MESSAGE_ID=ef0c6e4d1267437a9931212df871bdba", check=False
            ).stdout
            return out if "Root console logon on account prod" in out else None

        out = machine.wait_for(explained, timeout=10, what="the alert in the journal")
    assert "Subject: Root console logon on Alibaba Cloud account prod" in out
    assert "Defined-By: rootwatchd" in out
    assert "(account ID 1234567890123456) at 2026-12-04T10:00:03Z" in out
    assert "ROOTWATCH_ALERT_ID=7ff7c8b03a774e26e49b7b62bb4d92fb" in out


def test_example_configuration_passes_check_config(rootwatchd_binary, source_root, tmp_path):
    """The shipped example is valid as written, with its two secrets supplied as credentials."""
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "secret_main").write_text("example-secret-main\n")
    (credentials / "secret_ops").write_text("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
    config = tmp_path / "rootwatchd.conf"
    shutil.copy(source_root / "etc" / "rootwatchd.conf", config)
    result = subprocess.run(
        [str(rootwatchd_binary), "check-config", "--config", str(config), "--state-dir", str(tmp_path / "state")],
        capture_output=True, text=True, timeout=30,
        env={"PATH": "/usr/bin:/bin", "CREDENTIALS_DIRECTORY": str(credentials)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "example-secret-main" not in result.stdout + result.stderr


# ----- harness self-test --------------------------------------------------------------------------


def service_probes(machine: NspawnMachine) -> dict[str, str]:
    """The stand-in's `probe NAME=RESULT` lines from the current invocation of the service."""
    invocation = machine.run("systemctl", "show", "-P", "InvocationID", "rootwatchd").stdout.strip()
    machine.run("journalctl", "--sync")
    out = machine.run("journalctl", "-o", "json", "--no-pager", f"_SYSTEMD_INVOCATION_ID={invocation}").stdout
    probes = {}
    for line in out.splitlines():
        entry = json.loads(line)
        assert entry["_SYSTEMD_UNIT"] == "rootwatchd.service"
        message = entry.get("MESSAGE", "")
        if isinstance(message, str) and message.startswith("probe "):
            name, _, result = message[len("probe "):].partition("=")
            probes[name] = result
    return probes


def wait_for_probe(machine: NspawnMachine, name: str, timeout: float = 10) -> dict[str, str]:
    return machine.wait_for(lambda: (p := service_probes(machine)) and name in p and p, timeout, what=f"probe {name}")


def show(machine: NspawnMachine, *properties: str) -> dict[str, str]:
    out = machine.run("systemctl", "show", "rootwatchd", *(f"--property={p}" for p in properties)).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


CONFIG_TEXT = "[daemon]\ninterval = 15m\n"

ECHO_SERVER = """
import socket
server = socket.create_server(("127.0.0.1", 7777))
while True:
    connection, _ = server.accept()
    with connection:
        connection.recv(64)
        connection.sendall(b"pong\\n")
"""


def test_harness_self_test_hardened_unit_under_real_systemd(unit, source_root, standin_dir, tmp_path):
    """HARNESS SELF-TEST (no real daemon): the shipped unit, ExecStart pointed at a stand-in.

    Proves boot, `run`, teardown, `systemctl start/reload/stop`, `journalctl -u`, and that the
    sandbox still gives the daemon what it needs: a non-root dynamic user, a writable 0700 state
    directory with 0600 files, a read-only system (ProtectSystem=strict), credentials from /etc/rootwatchd/secrets (none,
    then one, then one more from an operator's drop-in), outbound loopback TCP, and sd_notify from
    the main process (NotifyAccess=main).
    """
    copy = rewrite_unit(unit, tmp_path / "rootwatchd.service", f"{BINARY_MOUNT}/rootwatchd")
    binds = [(source_root / "systemd" / "rootwatchd.tmpfiles", "/etc/tmpfiles.d/rootwatchd.conf")]
    with NspawnMachine(standin_dir, copy, None, extra_binds=binds, timeout=150) as machine:
        assert machine.boot_state in ("running", "degraded")
        # --volatile=yes applies presets: the [Install]ed unit may have started at boot.
        machine.run("systemctl", "stop", "rootwatchd")
        machine.run("systemctl", "reset-failed", "rootwatchd", check=False)
        assert machine.run("stat", "-c", "%a %U", "/etc/rootwatchd/secrets").stdout.split() == ["700", "root"]
        machine.run("sh", "-c", "cat > /etc/rootwatchd/rootwatchd.conf", input=CONFIG_TEXT)
        machine.run("install", "-d", "-m", "1777", "/srv/open")
        machine.run("systemd-run", "--unit=rw-echo", "python3", "-c", ECHO_SERVER)
        machine.wait_for(
            lambda: machine.run("python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 7777))",
                                check=False).returncode == 0,
            timeout=10, what="the echo server",
        )

        # No secrets yet: the unit still starts (Type=notify: start returns after READY=1).
        machine.run("systemctl", "start", "rootwatchd", timeout=40)
        probes = wait_for_probe(machine, "ready")
        assert int(probes["uid"]) != 0
        assert probes["state_write"] == "ok mode=0o600 dir=0o700"
        assert probes["credentials"] == "empty"
        assert probes["config"] == f"ok bytes={len(CONFIG_TEXT)}"
        assert "Read-only file system" in probes["system_write"], "ProtectSystem=strict"
        assert probes["loopback"] == "pong"
        state = show(machine, "ActiveState", "StatusText", "NotifyAccess", "WatchdogUSec", "User")
        assert state["ActiveState"] == "active" and state["StatusText"] == "stand-in ready"
        assert state["NotifyAccess"] == "main" and state["WatchdogUSec"] == "1min"
        units = machine.run("journalctl", "-u", "rootwatchd", "-o", "json", "--no-pager").stdout
        assert '"probe ready=sent"' in units

        # Reload: ExecReload sends SIGHUP; the stand-in answers RELOADING=1 ... READY=1.
        machine.run("systemctl", "reload", "rootwatchd", timeout=40)
        wait_for_probe(machine, "reload")
        machine.wait_for(lambda: show(machine, "StatusText")["StatusText"] == "stand-in reloaded", 10,
                         what="status after reload")

        # A secret file appears; the next start sees it as a credential, owned by the service only.
        machine.run("sh", "-c", "umask 077; printf 's3cret\\n' > /etc/rootwatchd/secrets/main")
        machine.run("systemctl", "restart", "rootwatchd", timeout=40)
        probes = wait_for_probe(machine, "ready")
        digest = hashlib.sha256(b"s3cret\n").hexdigest()
        assert probes["credentials"] == f"secret_main:{digest}"
        mode = machine.run("stat", "-c", "%a", "/run/credentials/rootwatchd.service/secret_main").stdout.strip()
        assert mode in ("400", "440"), mode

        # An operator's drop-in adds a credential from elsewhere, under a name of their choice.
        machine.run("sh", "-c", "mkdir -p /srv/keys && umask 077 && printf 'k2' > /srv/keys/ops")
        machine.run("mkdir", "-p", "/etc/systemd/system/rootwatchd.service.d")
        machine.run("sh", "-c", "cat > /etc/systemd/system/rootwatchd.service.d/50-secret.conf",
                    input="[Service]\nLoadCredential=webhook_ops:/srv/keys/ops\n")
        machine.run("systemctl", "daemon-reload")
        machine.run("systemctl", "restart", "rootwatchd", timeout=40)
        probes = wait_for_probe(machine, "ready")
        assert probes["credentials"] == (
            f"secret_main:{digest} webhook_ops:{hashlib.sha256(b'k2').hexdigest()}"
        )

        # Stop: SIGTERM, STOPPING=1, exit 0 within TimeoutStopSec.
        machine.run("systemctl", "stop", "rootwatchd", timeout=40)
        assert wait_for_probe(machine, "stop")["stop"] == "clean"
        state = show(machine, "ActiveState", "Result", "ExecMainStatus")
        assert state == {"ActiveState": "inactive", "Result": "success", "ExecMainStatus": "0"}
    assert machine._proc.returncode is not None, "nspawn must be gone after the with block"


def test_harness_self_test_tears_down_when_the_test_fails():
    """HARNESS SELF-TEST: an exception inside the block still powers off and reaps everything."""
    with pytest.raises(RuntimeError, match="test failed here"):
        with NspawnMachine(timeout=60) as machine:
            nspawn, pid1 = machine._proc, machine.pid1
            assert machine.run("hostname").stdout.strip() == machine.machine
            raise RuntimeError("test failed here")
    assert nspawn.returncode is not None
    assert not Path(f"/proc/{pid1}").exists()


def test_harness_self_test_kills_a_container_past_its_time_limit():
    """HARNESS SELF-TEST: the hard `timeout` kills the container even while the test still runs."""
    with NspawnMachine(timeout=3, boot_timeout=2.5) as machine:
        machine._proc.wait(timeout=15)
        assert not Path(f"/proc/{machine.pid1}").exists(), "PID 1 reaped, not left as a zombie"
        with pytest.raises(MachineError, match="exceeded"):
            machine.run("true")


def test_missing_secrets_directory_fails_the_start_with_a_clear_reason(unit, standin_dir, tmp_path):
    """Without /etc/rootwatchd/secrets (no tmpfiles entry here), status names the missing directory."""
    copy = rewrite_unit(unit, tmp_path / "rootwatchd.service", f"{BINARY_MOUNT}/rootwatchd")
    with NspawnMachine(standin_dir, copy, None, timeout=60) as machine:
        start = machine.run("systemctl", "start", "rootwatchd", check=False, timeout=30)
        status = machine.run("systemctl", "status", "--no-pager", "rootwatchd", check=False).stdout
    assert start.returncode != 0
    assert "AssertPathIsDirectory=/etc/rootwatchd/secrets was not met" in status
