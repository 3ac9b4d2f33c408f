"""`check-config`, usage errors, `--version` and help on the real binary (product.md §2, §3)."""

import os
import re
from pathlib import Path

import pytest

from rootwatch import Setup, run

KEY_ID = "LTAI5tConfigCliKey00wxyz"
SECRET = "configCliSecret0000000000007Hq"
EXTERNAL_ID = "ext-id-config-cli-3f9a"


def valid_setup(tmp_path: Path) -> Setup:
    setup = Setup.create(tmp_path)
    setup.daemon(interval="15m", window="24h")
    setup.endpoints("http://127.0.0.1:9")
    setup.credentials("main", KEY_ID, SECRET)
    setup.account("prod", credentials="main", role_arn="acs:ram::1234567890123456:role/rootwatchd-audit",
                  external_id=EXTERNAL_ID)
    setup.account("staging", credentials="main", window="7d")
    setup.write()
    return setup


def test_check_config_valid_prints_a_summary_without_secrets(rootwatchd_binary, tmp_path):
    setup = valid_setup(tmp_path)
    result = run(rootwatchd_binary, "check-config", *setup.args())
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert "configuration valid: 2 accounts, 0 webhooks" in out
    assert "[account prod]" in out and "[account staging]" in out
    assert SECRET not in out and EXTERNAL_ID not in out
    assert KEY_ID not in out, "the AccessKey ID is shown masked only"
    assert "LTAI****wxyz" in out
    assert str(setup.secrets / "main") in out, "where the secret comes from is shown"


BAD = {
    "bad duration": ("[daemon]\nwindow = 7x\n", "[daemon] window: \"7x\" is not a duration (use 30m, 24h, 7d)"),
    "unknown key": ("[daemon]\ncolour = blue\n", "[daemon] colour: unknown key"),
    "unknown section": ("[dameon]\ninterval = 1m\n", "unknown section [dameon]"),
    "interval below minimum": ("[daemon]\ninterval = 30s\n", "[daemon] interval: \"30s\" is below the minimum of 1m"),
    "missing secret file": ("[credentials x]\naccess_key_id = LTAI5tAbcdefgh12345678\n"
                            "access_key_secret_file = /nonexistent/secret\n[account a]\ncredentials = x\n",
                            "[credentials x] access_key_secret_file"),
}


@pytest.mark.parametrize("problem", sorted(BAD))
def test_check_config_invalid_exits_2_with_one_line_naming_file_section_key(rootwatchd_binary, tmp_path, problem):
    text, expected = BAD[problem]
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    secret.chmod(0o600)
    config = tmp_path / "rootwatchd.conf"
    # One problem in an otherwise valid file: exactly one error line.
    config.write_text(text + f"[credentials ok]\naccess_key_id = {KEY_ID}\naccess_key_secret_file = {secret}\n"
                      "[account fine]\ncredentials = ok\n")
    for command in ("check-config", "run", "check"):
        result = run(rootwatchd_binary, command, "--config", str(config), "--state-dir", str(tmp_path / "state"),
                     timeout=15)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (command, lines)
        assert lines[0].startswith(f"rootwatchd: {config}:"), lines[0]
        assert expected in lines[0], lines[0]
    assert not (tmp_path / "state" / "state.json").exists()


def test_check_config_lists_every_problem_and_never_echoes_an_inline_secret(rootwatchd_binary, tmp_path):
    config = tmp_path / "rootwatchd.conf"
    config.write_text("[daemon]\nwindow = 7x\ninterval = 1x\n[credentials c]\naccess_key_id = LTAI5tAbcdefgh12345678\n"
                      f"access_key_secret = {SECRET}\n[account a]\ncredentials = c\n")
    os.chmod(config, 0o644)
    result = run(rootwatchd_binary, "check-config", "--config", str(config))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    assert all(line.startswith(f"rootwatchd: {config}:") for line in lines)
    assert any("access_key_secret" in line and "chmod 600" in line for line in lines)
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("args, message", [
    (["frobnicate"], "no such command 'frobnicate'"),
    (["check", "--frob"], "unknown option --frob"),
    (["status", "--no-alerts"], "--no-alerts does not apply to 'status'"),
    (["check", "--account"], "--account needs a value"),
    (["help", "nope"], "no such command 'nope'"),
    (["check-config", "extra"], "unexpected argument 'extra'"),
    (["--config"], "--config needs a value"),
])
def test_usage_errors_exit_2(rootwatchd_binary, args, message):
    result = run(rootwatchd_binary, *args, timeout=15)
    assert result.returncode == 2
    assert message in result.stderr and "--help" in result.stderr
    assert result.stdout == ""


def test_version_and_help(rootwatchd_binary):
    version = run(rootwatchd_binary, "--version")
    assert version.returncode == 0 and re.fullmatch(r"rootwatchd \d+\.\d+\.\d+\S*\n", version.stdout)
    for args in (["--help"], ["-h"], ["help"]):
        result = run(rootwatchd_binary, *args)
        assert result.returncode == 0
        for command in ("run", "check", "check-config", "status", "test-alert"):
            assert re.search(rf"^\s+{command}\s", result.stdout, re.M), (command, result.stdout)
        assert "--config PATH" in result.stdout and "--state-dir PATH" in result.stdout
    check = run(rootwatchd_binary, "help", "check")
    assert check.returncode == 0
    assert "Usage: rootwatchd check [--account NAME]... [--json] [--no-alerts]" in check.stdout
    assert "3 root activity found" in check.stdout.replace("\n", " ") or "3 root activity" in check.stdout
    assert run(rootwatchd_binary, "check", "--help").returncode == 0
