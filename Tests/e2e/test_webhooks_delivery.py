"""The daemon's webhook delivery end to end: the real binary, the fake cloud producing alerts, and a
loopback receiver that verifies every request with the official `standardwebhooks` library.

Alerts come from the `basic` scenario (account alpha raises four on its first scan) and from new
root activity set through the fake's admin API. Each test checks the durable promise: every alert in
the journal reaches the receiver at least once, through outages, restarts and kill -9.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Support"))

from fakecloud_client import SCENARIOS, FakeCloud  # noqa: E402
from rootwatch import Daemon, Setup, alerts, base_environment, journal, run, wait_until  # noqa: E402
from webhook_receiver import WebhookReceiver, standard_secret  # noqa: E402

SCENARIO = json.loads((SCENARIOS / "basic.json").read_text())
SECRET = standard_secret()


@pytest.fixture
def cloud():
    with FakeCloud(SCENARIOS / "basic.json") as cloud:
        yield cloud


@pytest.fixture
def receiver():
    with WebhookReceiver() as receiver:
        yield receiver


def make_setup(tmp_path: Path, cloud, receiver: WebhookReceiver, webhooks: dict[str, dict]) -> Setup:
    """alpha only; one standard webhook per entry of `webhooks` (name → extra keys, e.g. max_age)."""
    setup = Setup.for_scenario(tmp_path, cloud, SCENARIO, accounts=["alpha"])
    secret_file = setup.secrets / "webhook"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(0o600)
    for name, values in webhooks.items():
        values = dict(values)
        fmt = values.pop("format", "standard")
        path = values.pop("path", f"/{name}")
        if fmt == "standard":
            values.setdefault("secret_file", str(secret_file))
        setup.webhook(name, url=receiver.url(path) + "?token=s3cr3t", format=fmt, **values)
    setup.write()
    return setup


@pytest.fixture(autouse=True)
def test_started():
    """The journal is shared by the whole run: each test reads only the entries written since it began."""
    global STARTED
    STARTED = time.time()


STARTED = 0.0


def alert_ids() -> set[str]:
    """Ids of alpha's alerts in the journal since this test began."""
    return {entry["ROOTWATCH_ALERT_ID"] for entry in alerts(account="alpha")
            if int(entry["__REALTIME_TIMESTAMP"]) >= STARTED * 1_000_000}


def recent(entries: list[dict]) -> list[dict]:
    return [e for e in entries if int(e["__REALTIME_TIMESTAMP"]) >= STARTED * 1_000_000]


def outbox(setup: Setup, dead: bool = False) -> list[str]:
    directory = setup.state / "outbox" / ("dead" if dead else "")
    return sorted(p.name for p in directory.glob("*.json")) if directory.exists() else []


def status_json(binary, setup: Setup) -> dict:
    result = run(binary, *setup.args(), "status", "--json", timeout=30)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_daemon_delivers_every_alert_signed_and_status_shows_the_webhook(tmp_path, rootwatchd_binary, cloud,
                                                                            receiver):
    receiver.script("/ops", format="standard", secret=SECRET)
    setup = make_setup(tmp_path, cloud, receiver, {"ops": {}})
    with Daemon(rootwatchd_binary, setup) as daemon:
        daemon.wait_for_log("Scan of alpha finished", timeout=60)
        ids = alert_ids()
        assert len(ids) == 4, ids
        wait_until(lambda: set(receiver.delivered_ids("/ops")) >= ids, 20, message="every alert delivered")
        wait_until(lambda: not outbox(setup), 5, message="an empty outbox")
        assert all(r["verified"] for r in receiver.requests("/ops")), receiver.requests("/ops")
    status = status_json(rootwatchd_binary, setup)  # the state file is complete once the daemon stopped
    webhook = status["webhooks"][0]
    assert webhook["name"] == "ops" and webhook["pending"] == 0 and webhook["dead"] == 0
    assert webhook["url"].endswith("/ops?token=****") and "s3cr3t" not in json.dumps(status)
    assert "s3cr3t" not in daemon.log() and SECRET not in daemon.log()


def test_outage_refused_then_503_then_429_loses_nothing(tmp_path, rootwatchd_binary, cloud, receiver):
    receiver.script("/ops", format="standard", secret=SECRET, answers=["503"])
    setup = make_setup(tmp_path, cloud, receiver, {"ops": {}})
    receiver.down()  # connection refused
    with Daemon(rootwatchd_binary, setup) as daemon:
        # Scanning goes on while nothing can be delivered.
        daemon.wait_for_log("Scan of alpha finished: 4 alerts", timeout=60)
        daemon.wait_for_log("not delivered to webhook ops", timeout=15)
        assert "connection failed" in daemon.log()
        receiver.up()  # now 503
        wait_until(lambda: receiver.requests("/ops"), 20, message="a 503")
    assert len(outbox(setup)) == 4, "a stopped daemon keeps what it could not deliver"

    # New root activity while the receiver still fails: `check` records it and leaves it queued.
    cloud.set_root("alpha", {"user_last_logon": iso(datetime.now(timezone.utc) - timedelta(seconds=30))})
    checked = run(rootwatchd_binary, *setup.args(), "check", timeout=90)
    assert checked.returncode == 3, checked.stdout + checked.stderr
    assert "pending in the outbox" in checked.stderr
    ids = alert_ids()
    assert len(ids) == 5 and len(outbox(setup)) == 5
    entries = [json.loads((setup.state / "outbox" / name).read_text()) for name in outbox(setup)]
    assert any("503" in (e.get("last_error") or "") for e in entries), entries
    assert any("connection failed" in (e.get("last_error") or "") for e in entries), entries

    # After the restart the receiver rate-limits once (Retry-After), then accepts: everything arrives.
    receiver.answer("/ops", ["429-retry-after:2", "accept"])
    with Daemon(rootwatchd_binary, setup):
        wait_until(lambda: set(receiver.delivered_ids("/ops")) >= ids, 60, message="every alert after the outage")
        wait_until(lambda: not outbox(setup), 5, message="an empty outbox")
    requests = receiver.requests("/ops")
    limited = next(i for i, r in enumerate(requests) if r["answer"].startswith("429"))
    assert requests[limited + 1]["time"] - requests[limited]["time"] >= 2, "Retry-After was honoured"
    assert len(requests) == limited + 1 + 5, "after the 429, one request per alert: the backlog drains at once"
    assert all(r["verified"] for r in requests)


def test_permanent_errors_dead_letter_at_once_and_max_age_later(tmp_path, rootwatchd_binary, cloud, receiver):
    receiver.script("/bad", format="standard", secret=SECRET, answers=["400"])
    receiver.script("/ding", format="dingtalk", secret="SECreceiverHoldsAnotherSecret")
    receiver.script("/old", format="standard", secret=SECRET, answers=["503"])
    receiver.script("/good", format="standard", secret=SECRET)
    setup = make_setup(tmp_path, cloud, receiver, {
        "bad": {}, "old": {"max_age": "1m"}, "good": {},
        "ding": {"format": "dingtalk", "secret": None},
    })
    ding = setup.secrets / "ding"
    ding.write_text("SECdaemonSecret\n")
    ding.chmod(0o600)
    setup.sections = [s.replace("format = dingtalk", f"format = dingtalk\nsecret_file = {ding}") for s in setup.sections]
    setup.write()

    log = tmp_path / "daemon.log"
    log.touch()
    daemon = Daemon(rootwatchd_binary, setup)
    daemon.log_path = log
    info = os.stat(log)
    daemon.env = {"JOURNAL_STREAM": f"{info.st_dev}:{info.st_ino}"}  # logs go to the journal natively
    with daemon:
        ids = wait_until(lambda: len(alert_ids()) == 4 and alert_ids(), 60, message="four alerts")
        started = time.monotonic()
        wait_until(lambda: len(outbox(setup, dead=True)) == 8, 15, message="bad and ding dead-lettered")
        assert set(receiver.delivered_ids("/good")) >= ids, "a broken webhook delays no other"
        assert len(receiver.requests("/bad")) == 4 and len(receiver.requests("/ding")) == 4, "no retries"
        for entry in recent(journal(count=4, timeout=10, PRIORITY="3", ROOTWATCH_WEBHOOK="bad") + journal(
                count=4, timeout=10, PRIORITY="3", ROOTWATCH_WEBHOOK="ding")):
            assert entry["ROOTWATCH_ALERT_ID"] in ids and "given up" in entry["MESSAGE"]
        reasons = {json.loads((setup.state / "outbox" / "dead" / name).read_text())["dead_reason"]
                   for name in outbox(setup, dead=True)}
        assert any("HTTP 400" in r for r in reasons) and any("310000" in r for r in reasons), reasons

        # "old" keeps failing with 503 until max_age (1m after the alerts were queued).
        wait_until(lambda: len(outbox(setup, dead=True)) == 12, 80, interval=0.5, message="old dead at max_age")
        assert time.monotonic() - started >= 40, "not before max_age"
        old = [json.loads((setup.state / "outbox" / "dead" / n).read_text()) for n in outbox(setup, dead=True)
               if n.endswith(".old.json")]
        assert len(old) == 4 and all("max_age 1m" in e["dead_reason"] and "503" in e["dead_reason"] for e in old)
        # One probe per back-off step (about 0, 5, 15, 35 s), each alert tried at least once, all recorded.
        assert all(e["attempts"] >= 1 for e in old) and sum(e["attempts"] for e in old) == len(
            receiver.requests("/old")) >= 4, [e["attempts"] for e in old]
        entries = journal(count=4, timeout=10, PRIORITY="3", ROOTWATCH_WEBHOOK="old")
        assert all("max_age" in e["MESSAGE"] for e in entries)
        warnings = journal(count=1, timeout=10, PRIORITY="4", ROOTWATCH_WEBHOOK="old")
        assert warnings[0]["ROOTWATCH_WEBHOOK_URL"].endswith("/old?token=****")

    status = run(rootwatchd_binary, *setup.args(), "status", timeout=30)
    assert status.returncode == 0
    rows = {line.split()[0]: line for line in status.stdout.splitlines()[1:] if line.split()}
    assert " 4 " in rows["old"] and "max_age" in rows["old"], status.stdout
    document = status_json(rootwatchd_binary, setup)
    counts = {w["name"]: (w["pending"], w["dead"]) for w in document["webhooks"]}
    assert counts == {"bad": (0, 4), "old": (0, 4), "good": (0, 0), "ding": (0, 4)}, counts
    assert "s3cr3t" not in status.stdout + json.dumps(document)


def test_kill_9_anywhere_loses_no_alert(tmp_path, rootwatchd_binary, cloud, receiver):
    receiver.script("/ops", format="standard", secret=SECRET, answers=["slow:150"])
    setup = make_setup(tmp_path, cloud, receiver, {"ops": {}})
    rng = random.Random(int(os.environ.get("ROOTWATCH_CRASH_SEED", "0")) or None)
    base = datetime.now(timezone.utc) - timedelta(minutes=5)
    for iteration in range(10):
        # New root activity each time; alternately the daemon and `check` are killed at a random point
        # while they scan, record and deliver.
        cloud.set_root("alpha", {"user_last_logon": iso(base + timedelta(seconds=10 * iteration))})
        if iteration % 2 == 0:
            process = Daemon(rootwatchd_binary, setup)
            process.start()
            time.sleep(rng.uniform(0.05, 2.5))
            process.kill()
        else:
            child = subprocess.Popen([str(rootwatchd_binary), *setup.args(), "check"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=base_environment(), start_new_session=True)
            time.sleep(rng.uniform(0.05, 2.5))
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)

    # A clean check re-raises anything whose state was never saved; then the daemon drains.
    checked = run(rootwatchd_binary, *setup.args(), "check", timeout=90)
    assert checked.returncode in (0, 3), checked.stdout + checked.stderr
    with Daemon(rootwatchd_binary, setup):
        ids = alert_ids()
        wait_until(lambda: set(receiver.delivered_ids("/ops")) >= ids, 60, message="every alert after the crashes")
        wait_until(lambda: not outbox(setup), 10, message="an empty outbox")
    # Every journal alert arrived. The outbox is written before the journal, so a kill between the two
    # may deliver an alert the journal never got; anything received is still a genuine alpha alert.
    requests = receiver.requests("/ops")
    assert all(r["verified"] for r in requests)
    assert len(ids) >= 5, ids  # four from the first scan plus new logons
    for request in requests:
        data = json.loads(request["body"])["data"]
        assert data["account"] == "alpha" and data["id"] == request["headers"]["webhook-id"]
    assert not outbox(setup, dead=True)
