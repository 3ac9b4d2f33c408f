"""SIGHUP reloads the configuration (product.md §3, §6): a good one takes effect, a bad one is refused
with the reason logged while the running configuration keeps working."""

import json
import signal

import pytest
from fakecloud_client import SCENARIOS, FakeCloud

from rootwatch import Daemon, NotifySocket, Setup, alerts, journal_mark

BAD_CONFIGS = {
    "syntax": ("[account broken\ncredentials = staging\n", "rootwatchd.conf:24: section header has no closing \"]\""),
    "unknown key": ("[account staging2]\ncredentials = staging\ncolour = blue\n", "colour: unknown key"),
    "bad value": ("[account staging2]\ncredentials = staging\nwindow = 7x\n", "window"),
}


def demo_setup(tmp_path, cloud, scenario, accounts):
    return Setup.for_scenario(tmp_path, cloud, scenario, accounts=accounts)


def reload_and_wait(daemon: Daemon, notify: NotifySocket) -> None:
    mark = len(notify.messages)
    daemon.signal(signal.SIGHUP)
    notify.wait_for(lambda m: m.get("RELOADING") == "1", timeout=5, message="RELOADING=1")
    notify.wait_for(lambda m: m.get("READY") == "1", timeout=5, message="READY=1 after the reload")
    kinds = [next(iter(m)) for _, m in notify.messages[mark:] if "RELOADING" in m or "READY" in m]
    assert kinds == ["RELOADING", "READY"], notify.messages[mark:]


def test_good_reload_adds_an_account_that_is_then_scanned(rootwatchd_binary, tmp_path):
    scenario = json.loads((SCENARIOS / "demo.json").read_text())
    mark = journal_mark()
    with FakeCloud(scenario) as cloud, NotifySocket() as notify:
        setup = demo_setup(tmp_path, cloud, scenario, ["prod", "sandbox"])
        with Daemon(rootwatchd_binary, setup, env=notify.env()) as daemon:
            ready = notify.wait_for(lambda m: m.get("READY") == "1", timeout=10)
            assert ready["STATUS"].startswith("2 accounts")
            daemon.wait_for_log("Scan of sandbox finished")
            assert alerts(account="staging", after=mark) == []

            full = Setup.for_scenario(tmp_path, cloud, scenario)  # rewrites the same file with all three
            assert "[account staging]" in full.config.read_text()
            reload_and_wait(daemon, notify)
            daemon.wait_for_log("Configuration reloaded: 3 accounts")
            daemon.wait_for_log("Scan of staging finished", timeout=15)
            logon = alerts(account="staging", kind="root-console-logon", after=mark)
            assert len(logon) == 1 and logon[0]["_PID"] == str(daemon.pid)
            notify.wait_for(lambda m: m.get("STATUS", "").startswith("3 accounts"), timeout=5,
                            message="STATUS naming 3 accounts")
        assert daemon.returncode == 0
    assert set(setup.state_json()["accounts"]) == {"prod", "sandbox", "staging"}


@pytest.mark.parametrize("problem", sorted(BAD_CONFIGS))
def test_bad_reload_is_refused_and_the_running_configuration_kept(rootwatchd_binary, tmp_path, problem):
    scenario = json.loads((SCENARIOS / "demo.json").read_text())
    addition, reason = BAD_CONFIGS[problem]
    with FakeCloud(scenario) as cloud, NotifySocket() as notify:
        setup = demo_setup(tmp_path, cloud, scenario, ["prod", "staging"])
        good = setup.config.read_text()
        with Daemon(rootwatchd_binary, setup, env=notify.env()) as daemon:
            notify.wait_for(lambda m: m.get("READY") == "1", timeout=10)
            daemon.wait_for_log("Scan of staging finished")

            setup.config.write_text(good + "\n" + addition)
            reload_and_wait(daemon, notify)
            log = daemon.wait_for_log("Reload failed, keeping the running configuration")
            line = next(li for li in log.splitlines() if "Reload failed" in li)
            assert str(setup.config) in line and reason in line, line
            assert "Configuration reloaded" not in log
            assert daemon.process.poll() is None, "still running"
            status = notify.wait_for(lambda m: "STATUS" in m, timeout=5)
            assert status["STATUS"].startswith("2 accounts"), status

            # Fixed again: the next reload is accepted.
            setup.config.write_text(good)
            reload_and_wait(daemon, notify)
            daemon.wait_for_log("Configuration reloaded: 2 accounts")
        assert daemon.returncode == 0
