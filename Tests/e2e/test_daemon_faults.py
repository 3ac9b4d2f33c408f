"""Bad cloud answers for some accounts (product.md §1, §4): each failing account logs one clear error
naming itself and the cause, `status` records the failure, the healthy account alerts normally in the
same run without waiting for the failing ones, and once the fault is gone the next scan succeeds.
`account-stale` and `account-recovered` follow the contract (stale_after at its 1m minimum; the state
file stands in for the minutes the account has been failing)."""

import json
import threading
import time

from fakecloud_client import FakeCloud

from rootwatch import (MESSAGE_IDS, Daemon, Setup, alert_id, alerts, journal_mark, parse_utc, run, utc,
                       wait_until)

HUB_KEY = ("LTAI5tFaultHubKey0000001", "hubSecret000000000000000001")
ROLE_ACCOUNT_ID = "4000000000000006"

# account → (fault, what its error line must say)
FAULTS = {
    "throttled": ({"type": "throttle", "count": -1}, ["throttled", "Throttling.User", "gave up after"]),
    "broken": ({"type": "server_error", "status": 503, "count": -1}, ["failed on the server side", "HTTP 503"]),
    "garbled": ({"type": "malformed_json", "count": -1}, ["unreadable response"]),
    "denied": ({"type": "forbidden", "count": -1}, ["forbidden", "Forbidden.RAM", "HTTP 403"]),
}


def account(name: str, index: int, root: dict, **report) -> dict:
    return {
        "name": name, "account_id": f"400000000000000{index}",
        "access_keys": [{"id": f"LTAI5tFault{name.capitalize():0<13}", "secret": f"{name}Secret00000000000001"}],
        "credential_report": {"generated_time": "-2m", "rows": [{"user": "<root>", "mfa_active": "TRUE", **root}],
                              **report},
    }


def scenario() -> dict:
    accounts = [account("good", 1, {"user_last_logon": "-5m"})]
    for index, name in enumerate(FAULTS, start=2):
        accounts.append(account(name, index, {"user_last_logon": "-300d"}))
    hub = account("hub", 7, {"user_last_logon": "-300d"})
    hub["access_keys"] = [{"id": HUB_KEY[0], "secret": HUB_KEY[1]}]
    role = account("role", 6, {"user_last_logon": "-300d"}, generate_states=["STARTED", "COMPLETED"])
    role["access_keys"] = []
    role["roles"] = [{"name": "rootwatchd-audit"}]
    return {"latency_ms": 0, "accounts": accounts + [role, hub],
            "faults": [dict(fault, account=name, action="*") for name, (fault, _) in FAULTS.items()]}


def fault_setup(tmp_path, cloud, spec) -> Setup:
    setup = Setup.create(tmp_path)
    setup.daemon(interval="1m", window="7d", stale_after="1m", concurrency=8)
    setup.endpoints(cloud.url)
    for entry in spec["accounts"]:
        if entry["name"] in ("hub", "role"):
            continue
        key = entry["access_keys"][0]
        setup.credentials(entry["name"], key["id"], key["secret"])
        setup.account(entry["name"], credentials=entry["name"])
    setup.credentials("hub", *HUB_KEY)
    setup.account("role", credentials="hub", role_arn=f"acs:ram::{ROLE_ACCOUNT_ID}:role/rootwatchd-audit")
    setup.write()
    return setup


def expire_sessions_mid_scan(cloud, stop: threading.Event) -> None:
    """Expires every STS session once the role account's scan has asked for its report: its next request
    then carries an expired token (InvalidSecurityToken.Expired), which the daemon must shrug off by
    assuming the role again."""
    while not stop.is_set():
        if any(r["action"] == "GenerateCredentialReport" and r["account"] == "role" for r in cloud.requests(200)):
            cloud.expire_sessions()
            return
        time.sleep(0.05)


def failure_line(log: str, name: str) -> str:
    lines = [line for line in log.splitlines() if line.startswith(f"error: Scan of {name} failed")]
    assert len(lines) == 1, f"one error line for {name}:\n{log}"
    return lines[0]


def test_failing_accounts_log_clear_errors_while_the_others_alert(rootwatchd_binary, tmp_path):
    spec = scenario()
    mark = journal_mark()
    with FakeCloud(spec) as cloud:
        setup = fault_setup(tmp_path, cloud, spec)
        stop = threading.Event()
        expirer = threading.Thread(target=expire_sessions_mid_scan, args=(cloud, stop), daemon=True)
        expirer.start()
        try:
            with Daemon(rootwatchd_binary, setup) as daemon:
                daemon.wait_for_log("Scan of good finished", timeout=10)
                # The healthy account alerted while the throttled one was still backing off.
                assert "Scan of throttled" not in daemon.log()
                good = alerts(account="good", kind="root-console-logon", after=mark)
                assert len(good) == 1 and good[0]["PRIORITY"] == "2"
                for name in FAULTS:
                    daemon.wait_for_log(f"Scan of {name} failed", timeout=60)
                # The session revoked mid-scan is replaced at once: the role account still succeeds.
                daemon.wait_for_log("Scan of role finished", timeout=60)
                assume_role_calls = cloud.stats()["by_action"].get("AssumeRole", 0)
                log = daemon.log()

                # The state is saved at most once a second: wait until it holds every failure.
                def saved():
                    result = run(rootwatchd_binary, "status", "--json", *setup.args())
                    accounts = json.loads(result.stdout or "{}").get("accounts", [])
                    done = {a["account"] for a in accounts if a["consecutive_failures"] == 1}
                    return result if done >= set(FAULTS) else None
                status = wait_until(saved, timeout=10, interval=0.2, message="every failure in the state file")
                text = run(rootwatchd_binary, "status", *setup.args())
        finally:
            stop.set()
            expirer.join(timeout=5)
        assert daemon.returncode == 0

        for name, (_, causes) in FAULTS.items():
            line = failure_line(log, name)
            assert f"account {name}:" in line and f"account={name}" in line
            for cause in causes:
                assert cause in line, f"{cause!r} not in {line!r}"
        assert "Scan of role failed" not in log, log
        assert assume_role_calls == 2, "the rejected session was dropped and the role assumed again"
        assert "retrying in" in log and "account=throttled" in log, "retries are logged"
        for secret in [HUB_KEY[1]] + [a["access_keys"][0]["secret"] for a in spec["accounts"] if a["access_keys"]]:
            assert secret not in log

        by_name = {a["account"]: a for a in json.loads(status.stdout)["accounts"]}
        assert by_name["good"]["ok"] is True and by_name["good"]["consecutive_failures"] == 0
        assert by_name["good"]["last_alert"]["kind"] == "root-console-logon"
        assert by_name["role"]["ok"] is True and by_name["role"]["consecutive_failures"] == 0
        for name in FAULTS:
            entry = by_name[name]
            assert entry["ok"] is False and entry["consecutive_failures"] == 1, entry
            assert entry["error"] and f"account {name}" in entry["error"] and "\n" not in entry["error"]
            assert entry["last_successful_scan"] is None and entry["stale"] is False
            assert entry["error"] in log
        assert "Failing:" in text.stdout and all(f"  {n}: account {n}" in text.stdout for n in FAULTS)

        # `denied` has been failing for two minutes (stale_after 1m): the next failing scan raises
        # account-stale once, timed first seen + stale_after.
        failing_since = time.time() - 120

        def age(state):
            state["accounts"]["denied"]["first_seen"] = utc(failing_since)
        setup.edit_state(age)
        stale_check = run(rootwatchd_binary, "check", "--account", "denied", *setup.args())
        assert stale_check.returncode == 1, stale_check.stdout + stale_check.stderr
        stale = alerts(account="denied", kind="account-stale", after=mark)
        assert len(stale) == 1, stale
        stale_at = utc(parse_utc(utc(failing_since)) + 60)
        assert stale[0]["ROOTWATCH_ACTIVITY_TIME"] == stale_at
        assert stale[0]["ROOTWATCH_ALERT_ID"] == alert_id("denied", "account-stale", None, stale_at)
        assert stale[0]["PRIORITY"] == "4" and stale[0]["MESSAGE_ID"] == MESSAGE_IDS["account-stale"]
        again = run(rootwatchd_binary, "check", "--account", "denied", *setup.args())
        assert again.returncode == 1
        assert len(alerts(account="denied", kind="account-stale", after=mark)) == 1, "raised once until recovered"

        # The faults clear: the next scan of every account succeeds, `denied` recovers.
        cloud.clear_faults()
        recovered_check = run(rootwatchd_binary, "check", "--json", *setup.args(), timeout=60)
        assert recovered_check.returncode == 3, recovered_check.stderr  # good's logon is inside the window
        document = json.loads(recovered_check.stdout)
        assert all(a["ok"] and a["error"] is None for a in document["accounts"]), document
        recovered = wait_until(lambda: alerts(account="denied", kind="account-recovered", after=mark), timeout=5,
                               message="account-recovered")
        assert len(recovered) == 1
        assert recovered[0]["PRIORITY"] == "5" and recovered[0]["MESSAGE_ID"] == MESSAGE_IDS["account-recovered"]
        at = recovered[0]["ROOTWATCH_ACTIVITY_TIME"]
        assert recovered[0]["ROOTWATCH_ALERT_ID"] == alert_id("denied", "account-recovered", None, at)
        assert [f["kind"] for f in next(a for a in document["accounts"] if a["account"] == "denied")["findings"]] \
            == ["account-recovered"]
        assert all(a.get("consecutive_failures", 0) == 0 and not a.get("stale")
                   for a in setup.state_json()["accounts"].values())
        assert len(alerts(account="good", after=mark)) == 1, "good's logon is not alerted again"


def test_timeouts_are_retried_while_the_other_accounts_alert(rootwatchd_binary, tmp_path):
    """A request that outlives `request_timeout` is a timeout for that account only: it is logged and
    retried with back-off, the healthy account alerts without waiting, and once the cloud answers in
    time the slow account's scan completes and alerts too."""
    spec = {
        "latency_ms": 0,
        "accounts": [account("good", 1, {"user_last_logon": "-5m"}), account("slow", 2, {"user_last_logon": "-6m"})],
        "faults": [{"type": "delay", "ms": 4000, "account": "slow", "action": "GetCredentialReport", "count": 2}],
    }
    mark = journal_mark()
    with FakeCloud(spec) as cloud:
        setup = Setup.create(tmp_path)
        setup.daemon(interval="1m", window="7d", request_timeout="1s")
        setup.endpoints(cloud.url)
        for entry in spec["accounts"]:
            key = entry["access_keys"][0]
            setup.credentials(entry["name"], key["id"], key["secret"])
            setup.account(entry["name"], credentials=entry["name"])
        setup.write()
        with Daemon(rootwatchd_binary, setup) as daemon:
            daemon.wait_for_log("Scan of good finished", timeout=10)
            assert "Scan of slow" not in daemon.log(), "the healthy account did not wait for the slow one"
            daemon.wait_for_log("Scan of slow finished", timeout=40)
            log = daemon.log()
        assert daemon.returncode == 0
    retries = [line for line in log.splitlines() if "account=slow" in line and "retrying in" in line]
    assert len(retries) == 2, log
    assert all("GetCredentialReport" in line and "timed out" in line for line in retries), retries
    assert "Scan of slow failed" not in log
    for name in ("good", "slow"):
        found = alerts(account=name, kind="root-console-logon", after=mark)
        assert len(found) == 1 and found[0]["PRIORITY"] == "2", (name, found)
