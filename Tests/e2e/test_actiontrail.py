"""ActionTrail ConsoleSignin polling, end to end: the real binary against the fake cloud, alerts and logs
read back from the private journal.

Root sign-ins hidden among RAM-user sign-ins and other events, over several pages, alert once each with
every event detail; overlapping polls, restarts and both orders of report and event raise nothing twice;
a failing ActionTrail is an error of its account while the report path alerts as usual. Polls run every
10 s (the shortest `actiontrail_interval`), so the module stays well under two minutes.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Support"))

from fakecloud_client import FakeCloud  # noqa: E402
from rootwatch import (MESSAGE_IDS, SCAN_LIFECYCLE_ID, Daemon, Setup, alerts, base_environment, journal,  # noqa: E402
                       run, wait_until)
from webhook_receiver import WebhookReceiver, standard_secret  # noqa: E402

ACCOUNT_ID = "1357924680135792"
KEY = {"id": "LTAI5tTrailAudit00000001", "secret": "trailAuditSecret0000000000001"}
WEBHOOK_SECRET = standard_secret()
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def parse_utc(text: str) -> float:
    import calendar

    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def alert_id(account: str, activity_time: str) -> str:
    return hashlib.sha256(f"{account}|root-console-logon|-|{activity_time}".encode()).hexdigest()[:32]


def fresh_name() -> str:
    """A new account name per test: the private journal is shared by the whole session."""
    return f"trail-{secrets.token_hex(4)}"


def scenario(name: str, events: list[dict], logon: str = "-", enabled: bool = True) -> dict:
    return {"accounts": [{
        "name": name, "account_id": ACCOUNT_ID, "access_keys": [dict(KEY, user="rootwatchd")],
        "credential_report": {"rows": [
            {"user": "<root>", "user_last_logon": logon, "mfa_active": "TRUE"},
            {"user": "alice@corp.onaliyun.com", "user_last_logon": "-1h", "mfa_active": "TRUE"},
        ]},
        "actiontrail": {"enabled": enabled, "events": events},
    }]}


def setup_for(tmp_path, cloud, name: str, actiontrail: str = "yes", webhook: str | None = None) -> Setup:
    """One account with ActionTrail polled every 10 s; with `webhook`, a standard webhook to that URL."""
    setup = Setup.create(tmp_path)
    setup.daemon(interval="1m", window="7d", jitter="0%", actiontrail_interval="10s", actiontrail_overlap="10m")
    setup.endpoints(cloud.url)
    setup.credentials(name, KEY["id"], KEY["secret"])
    setup.account(name, credentials=name, actiontrail=actiontrail, actiontrail_region="cn-hangzhou")
    if webhook:
        secret_file = setup.secrets / "webhook"
        secret_file.write_text(WEBHOOK_SECRET + "\n")
        secret_file.chmod(0o600)
        setup.webhook("ops", url=webhook, format="standard", secret_file=str(secret_file))
    setup.write()
    return setup


class JournalDaemon(Daemon):
    """`rootwatchd run` with stderr on a journal stream and `JOURNAL_STREAM` naming it, as systemd runs it:
    operational logs then go natively to the journal with their fields (PRIORITY, ROOTWATCH_ACCOUNT)."""

    def start(self) -> None:
        stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stream.connect("/run/systemd/journal/stdout")
        # The stdout-stream header: identifier, unit, priority, level prefix, syslog/kmsg/console forwarding.
        stream.sendall(b"rootwatchd\n\n6\n0\n0\n0\n0\n")
        info = os.fstat(stream.fileno())
        env = dict(self.env, JOURNAL_STREAM=f"{info.st_dev}:{info.st_ino}")
        try:
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    [str(self.binary), "run", *self.setup.args()], stdin=subprocess.DEVNULL, stdout=log,
                    stderr=stream.fileno(), env=base_environment(env), start_new_session=True)
        finally:
            stream.close()


def logs(name: str, prefix: str) -> list[dict]:
    """The account's lifecycle log entries whose MESSAGE starts with `prefix`."""
    return [e for e in journal(ROOTWATCH_ACCOUNT=name, MESSAGE_ID=SCAN_LIFECYCLE_ID)
            if e.get("MESSAGE", "").startswith(prefix)]


def wait_for_logs(name: str, prefix: str, count: int, timeout: float = 30) -> list[dict]:
    return wait_until(lambda: (found := logs(name, prefix)) and len(found) >= count and found, timeout,
                      interval=0.2, message=f"{count} journal entries starting {prefix!r}")


def logon_alerts(name: str) -> list[dict]:
    return alerts(account=name, kind="root-console-logon")


def test_root_signins_among_other_events_alert_once_with_every_detail(rootwatchd_binary, tmp_path):
    name = fresh_name()
    now = time.time()
    roots = [
        {"eventId": f"{name}-root-1", "eventTime": utc(now - 1800), "mfa_checked": "false",
         "sourceIpAddress": "203.0.113.7"},
        {"eventId": f"{name}-root-2", "eventTime": utc(now - 7200), "mfa_checked": True,
         "sourceIpAddress": "198.51.100.77", "acsRegion": "cn-shanghai", "userAgent": BROWSER},
        {"eventId": f"{name}-root-3", "eventTime": utc(now - 3 * 86400), "mfa_checked": "true",
         "sourceIpAddress": "192.0.2.200"},
    ]
    events = [dict(spec, template="root-console-signin") for spec in roots]
    events += [
        # Outside the 7d window: recorded, not alerted.
        {"template": "root-console-signin", "eventId": f"{name}-root-old", "eventTime": utc(now - 20 * 86400)},
        # A failed root sign-in: a notice, not usage.
        {"template": "root-console-signin-failed", "eventId": f"{name}-root-failed", "eventTime": utc(now - 1900)},
        {"template": "ram-console-signin-failed", "eventTime": "-50m"},
        {"template": "root-api-call", "eventTime": "-40m"},
        {"template": "ram-api-call", "eventTime": "-41m"},
    ]
    # 130 RAM-user sign-ins spread over the window: the root ones are on different pages of 50.
    events += [{"template": "ram-console-signin", "eventTime": f"-{5 + i * 70}m",
                "user": f"user{i}@corp.onaliyun.com", "mfa_checked": i % 2 == 0} for i in range(130)]

    with FakeCloud(scenario(name, events)) as cloud, WebhookReceiver() as receiver:
        receiver.script("/ops", format="standard", secret=WEBHOOK_SECRET)
        setup = setup_for(tmp_path, cloud, name, webhook=receiver.url("/ops"))
        with JournalDaemon(rootwatchd_binary, setup):
            [poll] = wait_for_logs(name, f"ActionTrail poll of {name} finished", 1)
            assert "3 alerts (" in poll["MESSAGE"] and "3 pages" in poll["MESSAGE"], poll["MESSAGE"]
            found = {e["ROOTWATCH_EVENT_ID"]: e for e in logon_alerts(name)}
            assert sorted(found) == sorted(spec["eventId"] for spec in roots)
            for spec in roots:
                entry = found[spec["eventId"]]
                mfa = spec["mfa_checked"]
                assert entry["ROOTWATCH_ALERT_ID"] == alert_id(name, spec["eventTime"])
                assert entry["ROOTWATCH_ACTIVITY_TIME"] == spec["eventTime"]
                assert entry["ROOTWATCH_SOURCE"] == "actiontrail"
                assert entry["ROOTWATCH_ACCOUNT_ID"] == ACCOUNT_ID
                assert entry["ROOTWATCH_SOURCE_IP"] == spec["sourceIpAddress"]
                assert entry["ROOTWATCH_USER_AGENT"] == spec.get("userAgent", entry["ROOTWATCH_USER_AGENT"])
                assert entry["ROOTWATCH_USER_AGENT"].startswith("Mozilla/5.0")
                assert entry["ROOTWATCH_MFA_CHECKED"] == ("true" if mfa in (True, "true") else "false")
                assert entry["ROOTWATCH_REGION"] == spec.get("acsRegion", "cn-hangzhou")
                assert entry["ROOTWATCH_LOGIN_ACCOUNT"] == "ops@example.com"
                assert entry["ROOTWATCH_WINDOW"] == "7d"
                assert entry["PRIORITY"] == "2"
                assert entry["MESSAGE_ID"] == MESSAGE_IDS["root-console-logon"]
                assert spec["sourceIpAddress"] in entry["MESSAGE"]
            failed = [e for e in journal(ROOTWATCH_ACCOUNT=name, ROOTWATCH_EVENT_ID=f"{name}-root-failed")]
            assert [e["PRIORITY"] for e in failed] == ["5"], "a failed root sign-in is a notice"

            # Paged (3 pages of ConsoleSignin events), never more than two calls in any one second.
            lookups = [r for r in cloud.requests(1000) if r["action"] == "LookupEvents"]
            assert len(lookups) >= 3
            assert max(Counter(r["time"] for r in lookups).values()) <= 2

            # The same facts reach the webhook, signed (verified with the standardwebhooks library).
            wait_until(lambda: len(set(receiver.delivered_ids("/ops"))) >= 3, 30, interval=0.2,
                       message="three webhook deliveries")
            payloads = {}
            for request in receiver.requests("/ops"):
                assert request["verified"], request["error"]
                document = json.loads(request["body"])
                payloads[document["data"]["event_id"]] = document
            assert sorted(payloads) == sorted(spec["eventId"] for spec in roots)
            for spec in roots:
                document = payloads[spec["eventId"]]
                data = document["data"]
                assert document["type"] == "root-console-logon"
                assert data["id"] == alert_id(name, spec["eventTime"])
                assert data["source"] == "actiontrail" and data["severity"] == "critical"
                assert data["account"] == name and data["account_id"] == ACCOUNT_ID
                assert data["activity_time"] == spec["eventTime"]
                assert data["source_ip"] == spec["sourceIpAddress"]
                assert data["user_agent"] == found[spec["eventId"]]["ROOTWATCH_USER_AGENT"]
                assert data["mfa_checked"] is (spec["mfa_checked"] in (True, "true"))
                assert data["key_slot"] is None and data["report_time"] is None

            # The next poll re-reads the overlap and raises nothing again.
            wait_for_logs(name, f"ActionTrail poll of {name} finished: nothing new", 1, timeout=25)
            assert len(logon_alerts(name)) == 3

        state = setup.state_json()["accounts"][name]
        cursor = state["actiontrail"]
        assert parse_utc(cursor["checked_until"]) >= now - 5
        assert cursor["last_poll"] >= cursor["checked_until"]
        status = run(rootwatchd_binary, "status", "--json", *setup.args())
        assert status.returncode == 0, status.stderr
        shown = json.loads(status.stdout)["accounts"][0]["actiontrail"]
        assert shown == {"checked_until": cursor["checked_until"], "last_poll": cursor["last_poll"], "error": None}
        table = run(rootwatchd_binary, "status", *setup.args()).stdout
        assert "TRAIL CURSOR" in table and "TRAIL POLL" in table

        # A restart resumes from the cursor: the first poll after it raises nothing.
        before = len(logs(name, f"ActionTrail poll of {name} finished"))
        with JournalDaemon(rootwatchd_binary, setup):
            wait_for_logs(name, f"ActionTrail poll of {name} finished", before + 1, timeout=25)
            wait_until(lambda: not list((setup.state / "outbox").glob("*.json")), 10, interval=0.2,
                       message="an empty outbox")
        assert len(logon_alerts(name)) == 3
        kinds = [e["ROOTWATCH_KIND"] for e in alerts(account=name) if "ROOTWATCH_KIND" in e]
        assert kinds == ["root-console-logon"] * 3, "no other alerts: the report shows no root activity"
        assert sorted(set(receiver.delivered_ids("/ops"))) == sorted(alert_id(name, s["eventTime"]) for s in roots)


def test_report_then_event_is_one_alert(rootwatchd_binary, tmp_path):
    name = fresh_name()
    with FakeCloud(scenario(name, [], logon="-2m")) as cloud:
        setup = setup_for(tmp_path, cloud, name)
        with JournalDaemon(rootwatchd_binary, setup):
            [report] = wait_until(lambda: logon_alerts(name), 30, interval=0.2, message="the report's logon alert")
            assert report["ROOTWATCH_SOURCE"] == "credential-report"
            logon = report["ROOTWATCH_ACTIVITY_TIME"]
            # ActionTrail delivers the same logon late, 60 s off the report's time.
            event_time = utc(parse_utc(logon) + 60)
            cloud.add_events(name, [{"template": "root-console-signin", "eventId": f"{name}-late",
                                     "eventTime": event_time}])
            wait_for_logs(name, f"ActionTrail poll of {name} finished: nothing new (1 root sign-in", 1, timeout=25)
            assert [e["ROOTWATCH_ALERT_ID"] for e in logon_alerts(name)] == [report["ROOTWATCH_ALERT_ID"]]
        recent = setup.state_json()["accounts"][name]["recent_logons"]
        assert sorted(r["source"] for r in recent) == ["actiontrail", "credential-report"]
        assert {r["alert_id"] for r in recent} == {report["ROOTWATCH_ALERT_ID"]}


def check(binary, setup) -> dict:
    result = run(binary, "check", "--json", *setup.args())
    assert result.returncode == 3, result.stdout + result.stderr
    return json.loads(result.stdout)["accounts"][0]


def test_event_then_report_is_one_alert_and_an_unmatched_report_logon_still_alerts(rootwatchd_binary, tmp_path):
    name = fresh_name()
    event_time = utc(time.time() - 300)
    events = [{"template": "root-console-signin", "eventId": f"{name}-ev", "eventTime": event_time,
               "mfa_checked": True}]
    with FakeCloud(scenario(name, events)) as cloud:
        setup = setup_for(tmp_path, cloud, name)
        first = check(rootwatchd_binary, setup)
        [finding] = [f for f in first["findings"] if f["kind"] == "root-console-logon"]
        assert finding["source"] == "actiontrail"
        assert finding["event_id"] == f"{name}-ev" and finding["mfa_checked"] is True
        assert first["actiontrail"]["ok"] is True
        assert [e["event_id"] for e in first["actiontrail"]["events"]] == [f"{name}-ev"]

        # The report catches up and shows the same logon 60 s off: state only.
        cloud.set_root(name, {"user_last_logon": utc(parse_utc(event_time) - 60)})
        second = check(rootwatchd_binary, setup)
        assert [f for f in second["findings"] if f["kind"] == "root-console-logon"] == []
        assert second["root"]["last_console_logon"] == utc(parse_utc(event_time) - 60)
        assert [e["ROOTWATCH_SOURCE"] for e in logon_alerts(name)] == ["actiontrail"]

        # A later report logon with no event behind it is a new logon.
        later = utc(time.time() - 30)
        cloud.set_root(name, {"user_last_logon": later})
        third = check(rootwatchd_binary, setup)
        assert [(f["source"], f["activity_time"]) for f in third["findings"]] == [("credential-report", later)]
        assert sorted(e["ROOTWATCH_SOURCE"] for e in logon_alerts(name)) == ["actiontrail", "credential-report"]


def test_a_failing_actiontrail_is_an_error_of_its_account_and_the_report_still_alerts(rootwatchd_binary, tmp_path):
    disabled, forbidden = fresh_name(), fresh_name()
    document = scenario(disabled, [], logon="-3m", enabled=False)
    other = scenario(forbidden, [{"template": "root-console-signin", "eventTime": "-4m"}], logon="-4m")
    other["accounts"][0]["access_keys"] = [{"id": "LTAI5tTrailAudit00000002", "secret": "trailAuditSecret2",
                                            "user": "rootwatchd"}]
    other["accounts"][0]["account_id"] = "2468013579246801"
    document["accounts"] += other["accounts"]
    document["faults"] = [{"type": "forbidden", "code": "NoPermission", "account": forbidden,
                           "action": "LookupEvents", "count": -1}]
    with FakeCloud(document) as cloud:
        setup = setup_for(tmp_path, cloud, disabled)
        setup.credentials(forbidden, "LTAI5tTrailAudit00000002", "trailAuditSecret2")
        setup.account(forbidden, credentials=forbidden, actiontrail="yes", actiontrail_region="cn-hangzhou")
        setup.write()
        with JournalDaemon(rootwatchd_binary, setup):
            for name, cause in ((disabled, "ActionTrailNotEnabled"), (forbidden, "NoPermission")):
                [error] = wait_for_logs(name, f"ActionTrail poll of {name} failed", 1)
                assert error["PRIORITY"] == "3"
                assert cause in error["MESSAGE"]
                [report] = wait_until(lambda: logon_alerts(name), 30, interval=0.2, message="the report's alert")
                assert report["ROOTWATCH_SOURCE"] == "credential-report"
                wait_for_logs(name, f"Scan of {name} finished", 1)
        for name in (disabled, forbidden):
            state = setup.state_json()["accounts"][name]
            assert state["consecutive_failures"] == 0
            assert "checked_until" not in state["actiontrail"], "the cursor does not move on failure"
            assert "LookupEvents" in state["actiontrail"]["last_error"]
        result = run(rootwatchd_binary, "check", "--json", "--no-alerts", *setup.args())
        assert result.returncode == 3, result.stderr
        for account in json.loads(result.stdout)["accounts"]:
            assert account["ok"] is True and account["actiontrail"]["ok"] is False


def test_sighup_turns_actiontrail_on(rootwatchd_binary, tmp_path):
    name = fresh_name()
    events = [{"template": "root-console-signin", "eventId": f"{name}-ev", "eventTime": "-1h"}]
    with FakeCloud(scenario(name, events)) as cloud:
        setup = setup_for(tmp_path, cloud, name, actiontrail="no")
        with JournalDaemon(rootwatchd_binary, setup) as daemon:
            wait_for_logs(name, f"Scan of {name} finished", 1)
            assert logs(name, "ActionTrail poll") == []
            setup.sections = [s.replace("actiontrail = no", "actiontrail = yes") for s in setup.sections]
            setup.write()
            daemon.signal(signal.SIGHUP)
            wait_for_logs(name, f"ActionTrail poll of {name} finished: 1 alert", 1, timeout=20)
            assert [e["ROOTWATCH_EVENT_ID"] for e in logon_alerts(name)] == [f"{name}-ev"]
