"""`rootwatchd check` and `status` against the fake cloud (product.md §2): the JSON document's fields,
exit codes 0 / 3 / 1 (3 wins over 1), `--no-alerts` leaving state and journal alone, and `status`
after a run or with no state."""

import json
import re
import time

import pytest
from fakecloud_client import SCENARIOS, FakeCloud

from rootwatch import Setup, alert_id, alerts, journal, journal_mark, run

ACCOUNT_FIELDS = {"account", "account_id", "ok", "error", "window", "report_time", "root", "findings", "warnings",
                  "actiontrail"}
SLOTS = ["access_key_1", "access_key_2", "additional_access_key_1", "additional_access_key_2",
         "additional_access_key_3"]
TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


@pytest.fixture
def demo():
    scenario = json.loads((SCENARIOS / "demo.json").read_text())
    with FakeCloud(scenario) as cloud:
        yield cloud, scenario


def check(binary, setup, *args, timeout=60):
    result = run(binary, "check", *args, *setup.args(), timeout=timeout)
    return result, (json.loads(result.stdout) if "--json" in args and result.stdout.strip() else None)


def test_check_json_document_and_no_alerts_touches_nothing(rootwatchd_binary, tmp_path, demo):
    cloud, scenario = demo
    setup = Setup.for_scenario(tmp_path, cloud, scenario)
    mark = journal_mark()
    result, document = check(rootwatchd_binary, setup, "--no-alerts", "--json")
    assert result.returncode == 3, result.stderr
    assert not setup.state.exists() or not (setup.state / "state.json").exists(), "--no-alerts writes no state"
    time.sleep(0.2)
    assert [e for e in journal(after=mark) if e.get("SYSLOG_IDENTIFIER") == "rootwatchd"] == [], \
        "--no-alerts sends nothing to the journal"

    assert set(document) == {"checked_at", "accounts"}
    assert re.match(TIME, document["checked_at"])
    by_name = {a["account"]: a for a in document["accounts"]}
    assert [a["account"] for a in document["accounts"]] == ["prod", "staging", "sandbox"]
    for entry in scenario["accounts"]:
        a = by_name[entry["name"]]
        assert set(a) == ACCOUNT_FIELDS, set(a) ^ ACCOUNT_FIELDS
        assert a["account_id"] == entry["account_id"]
        assert a["ok"] is True and a["error"] is None and a["warnings"] == []
        assert a["actiontrail"] is None, "no actiontrail = yes, no poll"
        assert a["window"] == "7d" and re.match(TIME, a["report_time"])
        assert set(a["root"]) == {"last_console_logon", "mfa_active", "access_keys"}
        assert [k["slot"] for k in a["root"]["access_keys"]] == SLOTS
        for finding in a["findings"]:
            assert {"kind", "id", "activity_time", "key_slot", "source"} <= set(finding)
            assert finding["source"] == "credential-report"
            assert finding["id"] == alert_id(a["account"], finding["kind"], finding["key_slot"],
                                             finding["activity_time"])
    assert by_name["prod"]["findings"] == [] and by_name["prod"]["root"]["mfa_active"] is True
    assert [f["kind"] for f in by_name["staging"]["findings"]] == ["root-console-logon"]
    assert by_name["staging"]["root"]["last_console_logon"] == by_name["staging"]["findings"][0]["activity_time"]
    sandbox = by_name["sandbox"]
    assert sorted((f["kind"], f["key_slot"]) for f in sandbox["findings"]) == [
        ("root-access-key-active", "access_key_1"), ("root-access-key-used", "access_key_1"),
        ("root-mfa-disabled", None)]
    assert sandbox["root"]["mfa_active"] is False
    key1 = sandbox["root"]["access_keys"][0]
    assert key1["active"] is True and re.match(TIME, key1["last_used"])
    assert all(k["active"] is False and k["last_used"] is None for k in sandbox["root"]["access_keys"][1:])

    # The same run without --no-alerts sends exactly those findings and records them.
    result, alerted = check(rootwatchd_binary, setup, "--json")
    assert result.returncode == 3
    sent = alerts(after=mark)
    assert sorted(e["ROOTWATCH_ALERT_ID"] for e in sent) == sorted(
        f["id"] for a in alerted["accounts"] for f in a["findings"])
    assert len(sent) == 4
    state = setup.state_json()
    assert state["version"] == 1 and set(state["accounts"]) == {"prod", "staging", "sandbox"}

    # Already alerted: findings are empty now, root activity in the window still exits 3.
    result, again = check(rootwatchd_binary, setup, "--json")
    assert result.returncode == 3
    assert all(a["findings"] == [] for a in again["accounts"])
    assert len(alerts(after=mark)) == 4

    # status after the run: every account, its last alert, no failures.
    status = run(rootwatchd_binary, "status", "--json", *setup.args())
    assert status.returncode == 0
    accounts = {a["account"]: a for a in json.loads(status.stdout)["accounts"]}
    assert set(accounts) == {"prod", "staging", "sandbox"}
    for name, a in accounts.items():
        assert ACCOUNT_FIELDS - {"findings", "warnings"} <= set(a)
        assert a["ok"] is True and a["consecutive_failures"] == 0 and re.match(TIME, a["last_successful_scan"])
    assert accounts["staging"]["last_alert"]["kind"] == "root-console-logon"
    assert accounts["prod"]["last_alert"] is None
    table = run(rootwatchd_binary, "status", *setup.args())
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:2] == ["ACCOUNT", "ACCOUNT"]
    assert all(name in table.stdout for name in accounts)

    # --no-alerts leaves an existing state byte for byte unchanged, even with new activity in the cloud.
    before = (setup.state / "state.json").read_bytes()
    cloud.set_root("prod", {"user_last_logon": "-5s"})
    mark2 = journal_mark()
    result, dry = check(rootwatchd_binary, setup, "--no-alerts", "--json")
    assert result.returncode == 3
    assert [f["kind"] for f in next(a for a in dry["accounts"] if a["account"] == "prod")["findings"]] == [
        "root-console-logon"], "shows what would be raised"
    assert (setup.state / "state.json").read_bytes() == before
    assert alerts(after=mark2) == []


def test_exit_codes_clean_failing_and_root_activity(rootwatchd_binary, tmp_path, demo):
    cloud, scenario = demo
    setup = Setup.for_scenario(tmp_path, cloud, scenario)
    clean, _ = check(rootwatchd_binary, setup, "--no-alerts", "--account", "prod")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "prod" in clean.stdout and "ok" in clean.stdout

    cloud.add_faults([{"type": "forbidden", "account": "prod", "action": "*", "count": -1}])
    failing, doc = check(rootwatchd_binary, setup, "--no-alerts", "--json", "--account", "prod")
    assert failing.returncode == 1
    prod = doc["accounts"][0]
    assert prod["ok"] is False and prod["findings"] == [] and prod["root"] is None
    assert "forbidden" in prod["error"] and "\n" not in prod["error"]

    both, doc = check(rootwatchd_binary, setup, "--no-alerts", "--json", "--account", "prod", "--account", "staging")
    assert both.returncode == 3, "root activity wins over a failed account"
    assert [a["ok"] for a in doc["accounts"]] == [False, True]

    text, _ = check(rootwatchd_binary, setup, "--no-alerts", "--account", "prod", "--account", "staging")
    assert text.returncode == 3
    assert "FAILED" in text.stdout and "ROOT USED" in text.stdout and "forbidden" in text.stdout

    unknown, _ = check(rootwatchd_binary, setup, "--no-alerts", "--account", "nope")
    assert unknown.returncode == 2 and "nope" in unknown.stderr


def test_status_without_state_exits_2(rootwatchd_binary, tmp_path, demo):
    cloud, scenario = demo
    setup = Setup.for_scenario(tmp_path, cloud, scenario)
    for args in (["status"], ["status", "--json"]):
        result = run(rootwatchd_binary, *args, *setup.args())
        assert result.returncode == 2
        assert str(setup.state) in result.stderr and result.stdout == ""
