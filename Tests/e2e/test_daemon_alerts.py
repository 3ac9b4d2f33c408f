"""The daemon's alerts in the real journal, once per activity across restarts, and its state lock.

Real `rootwatchd run` against the fake cloud on loopback, a private journald (scripts/with-journald),
real signals and files. Every expected value is derived from the scenario and the contract
(product.md §1, §4), never copied from the daemon's own output.
"""

import json
import time
from collections import Counter

import pytest
from fakecloud_client import SCENARIOS, FakeCloud

from rootwatch import MESSAGE_IDS, Daemon, Setup, alert_id, alerts, journal_mark, parse_utc, run, wait_until

PRIORITIES = {"root-console-logon": "2", "root-access-key-used": "2", "root-mfa-disabled": "4",
              "root-access-key-active": "4"}
KEY_KINDS = {"root-access-key-used", "root-access-key-active"}


def load(name: str) -> dict:
    return json.loads((SCENARIOS / f"{name}.json").read_text())


def ago(text: str) -> float:
    """Seconds of a scenario's relative time like `-3m`, `-2h`, `-20m`."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    assert text.startswith("-")
    return float(text[1:-1]) * units[text[-1]]


def root_row(account: dict) -> dict:
    return next(r for r in account["credential_report"]["rows"] if r["user"] == "<root>")


def expected_alerts(scenario: dict) -> dict[tuple[str, str, str | None], tuple[float, float | None]]:
    """(account, kind, slot) → (seconds ago of the activity, seconds ago of the report) from the scenario
    text alone, for a daemon with window 7d on its first scan."""
    out = {}
    for account in scenario["accounts"]:
        row = root_row(account)
        report_ago = ago(account["credential_report"].get("generated_time", "-1h"))
        logon = row.get("user_last_logon", "-")
        if logon.startswith("-") and len(logon) > 1 and ago(logon) < 7 * 86400:
            out[(account["name"], "root-console-logon", None)] = (ago(logon), report_ago)
        if row.get("mfa_active", "FALSE") != "TRUE":
            out[(account["name"], "root-mfa-disabled", None)] = (report_ago, report_ago)
        for slot in ("access_key_1", "access_key_2"):
            if row.get(f"{slot}_active") == "TRUE":
                out[(account["name"], "root-access-key-active", slot)] = (report_ago, report_ago)
            used = row.get(f"{slot}_last_used", "N/A")
            if used.startswith("-") and len(used) > 1 and ago(used) < 7 * 86400:
                out[(account["name"], "root-access-key-used", slot)] = (ago(used), report_ago)
    return out


def wait_for_full_scan(daemon: Daemon, accounts: list[str], count: int = 1, timeout: float = 30) -> None:
    for name in accounts:
        daemon.wait_for_log(f"Scan of {name} finished", timeout=timeout, count=count)


def configured_accounts(setup: Setup) -> list[str]:
    return [line[len("[account "):-1] for line in setup.config.read_text().splitlines()
            if line.startswith("[account ")]


@pytest.mark.parametrize("scenario_name", ["demo", "basic"])
def test_every_alert_reaches_the_journal_with_every_contract_field(rootwatchd_binary, tmp_path, scenario_name):
    """Each kind the shipped scenarios raise is one journal entry carrying every field of product.md §4,
    with the contract's PRIORITY / MESSAGE_ID, the recomputed alert id, and times from the scenario."""
    scenario = load(scenario_name)
    expected = expected_alerts(scenario)
    ids = {a["name"]: a["account_id"] for a in scenario["accounts"]}
    assert {kind for _, kind, _ in expected} >= ({"root-console-logon", "root-mfa-disabled"}
                                                 if scenario_name == "basic" else set(PRIORITIES))
    cursor = journal_mark()
    loaded_before = time.time()
    with FakeCloud(scenario) as cloud:
        loaded_after = time.time()
        setup = Setup.for_scenario(tmp_path, cloud, scenario)
        with Daemon(rootwatchd_binary, setup) as daemon:
            wait_for_full_scan(daemon, configured_accounts(setup))
            entries = wait_until(lambda: (got := alerts(after=cursor, _PID=daemon.pid)) and len(got) >= len(expected)
                                 and got, timeout=10, message=f"{len(expected)} alerts")
            time.sleep(0.3)  # nothing beyond the expected ones may follow
            entries = alerts(after=cursor, _PID=daemon.pid)
        assert daemon.returncode == 0

    seen = {(e["ROOTWATCH_ACCOUNT"], e["ROOTWATCH_KIND"], e.get("ROOTWATCH_KEY_SLOT")): e for e in entries}
    assert sorted(seen, key=str) == sorted(expected, key=str), "exactly the scenario's findings, no more"
    assert len(entries) == len(expected), "one journal entry per alert"
    for (account, kind, slot), (activity_ago, report_ago) in expected.items():
        e = seen[(account, kind, slot)]
        assert e["PRIORITY"] == PRIORITIES[kind]
        assert e["MESSAGE_ID"] == MESSAGE_IDS[kind]
        assert e["SYSLOG_IDENTIFIER"] == "rootwatchd"
        assert e["ROOTWATCH_KIND"] == kind
        assert e["ROOTWATCH_ACCOUNT"] == account
        assert e["ROOTWATCH_ACCOUNT_ID"] == ids[account]
        assert e["ROOTWATCH_WINDOW"] == "7d"
        assert e["ROOTWATCH_SOURCE"] == "credential-report"
        activity = e["ROOTWATCH_ACTIVITY_TIME"]
        report = e["ROOTWATCH_REPORT_TIME"]
        # The fake resolves relative times once, while it loads: the activity lies in that interval.
        assert int(loaded_before - activity_ago) - 1 <= parse_utc(activity) <= loaded_after - activity_ago + 1
        assert int(loaded_before - report_ago) - 1 <= parse_utc(report) <= loaded_after - report_ago + 1
        if kind in ("root-mfa-disabled", "root-access-key-active"):
            assert activity == report, "posture findings are timed by the report that showed them"
        assert e["ROOTWATCH_ALERT_ID"] == alert_id(account, kind, slot, activity)
        if kind in KEY_KINDS:
            assert e["ROOTWATCH_KEY_SLOT"] == slot
        else:
            assert "ROOTWATCH_KEY_SLOT" not in e
        assert account in e["MESSAGE"] and ids[account] in e["MESSAGE"]
        assert "\n" not in e["MESSAGE"]


def test_contract_example_alert_id():
    """The helper's formula is the contract's: product.md §1's worked example."""
    assert alert_id("prod", "root-console-logon", None, "2026-12-04T10:00:03Z") == "7ff7c8b03a774e26e49b7b62bb4d92fb"


def test_restart_repeats_nothing_and_new_activity_alerts_once(rootwatchd_binary, tmp_path):
    """Same state directory across three daemon lifetimes: a restart and a full scan add no journal entry;
    a new root logon made in the cloud after the restart raises exactly one new alert, with its own id."""
    scenario = load("demo")
    cursor = journal_mark()
    with FakeCloud(scenario) as cloud:
        setup = Setup.for_scenario(tmp_path, cloud, scenario)
        accounts = configured_accounts(setup)
        with Daemon(rootwatchd_binary, setup) as first:
            wait_for_full_scan(first, accounts)
        assert first.returncode == 0
        before = alerts(after=cursor)
        assert len(before) == len(expected_alerts(scenario)) == 4
        assert all(n == 1 for n in Counter(e["ROOTWATCH_ALERT_ID"] for e in before).values())

        setup.make_overdue()  # down for an hour: the restart scans every account at once
        with Daemon(rootwatchd_binary, setup) as second:
            wait_for_full_scan(second, accounts)
            assert "nothing new" in second.log()
            cloud.set_root("staging", {"user_last_logon": "-10s"})
            changed_at = time.time()
        assert second.returncode == 0
        assert second.log().count("nothing new") == len(accounts), second.log()
        assert alerts(after=cursor, _PID=second.pid) == [], "a restart alerts nothing already alerted"

        setup.make_overdue()
        with Daemon(rootwatchd_binary, setup) as third:
            wait_for_full_scan(third, accounts)
            time.sleep(0.3)
        assert third.returncode == 0

    new = alerts(after=cursor, _PID=third.pid)
    assert [(e["ROOTWATCH_ACCOUNT"], e["ROOTWATCH_KIND"]) for e in new] == [("staging", "root-console-logon")]
    activity = new[0]["ROOTWATCH_ACTIVITY_TIME"]
    assert int(changed_at - 10) - 2 <= parse_utc(activity) <= changed_at - 10 + 1
    assert new[0]["ROOTWATCH_ALERT_ID"] == alert_id("staging", "root-console-logon", None, activity)
    counts = Counter(e["ROOTWATCH_ALERT_ID"] for e in alerts(after=cursor))
    assert len(counts) == 5 and set(counts.values()) == {1}, counts
    assert setup.state_json()["accounts"]["staging"]["last_alerted_console_logon"] == activity


def test_second_daemon_on_the_same_state_directory_refuses_to_start(rootwatchd_binary, tmp_path):
    """The state directory lock: a second daemon (and an alerting check) exit non-zero naming the lock and
    the holder's pid, while the first keeps running and still stops cleanly; `check --no-alerts`, which
    writes nothing, still works beside it."""
    scenario = load("demo")
    with FakeCloud(scenario) as cloud:
        setup = Setup.for_scenario(tmp_path, cloud, scenario)
        with Daemon(rootwatchd_binary, setup) as first:
            first.wait_for_log("started")
            second = run(rootwatchd_binary, "run", *setup.args(), timeout=15)
            assert second.returncode not in (0, None)
            assert str(setup.state / "lock") in second.stderr
            assert f"pid {first.pid}" in second.stderr
            assert len(second.stderr.strip().splitlines()) <= 2, second.stderr

            check = run(rootwatchd_binary, "check", *setup.args(), timeout=30)
            assert check.returncode == 1
            assert str(setup.state / "lock") in check.stderr and "--no-alerts" in check.stderr

            wait_for_full_scan(first, configured_accounts(setup))
            state_before = (setup.state / "state.json").read_bytes()
            dry = run(rootwatchd_binary, "check", "--no-alerts", "--json", *setup.args(), timeout=30)
            assert dry.returncode == 3, dry.stderr
            assert (setup.state / "state.json").read_bytes() == state_before

            assert first.process.poll() is None, "the first daemon keeps running"
            first.wait_for_log("Scan of sandbox finished")
        assert first.returncode == 0
        assert "Not starting" not in first.log()
