"""The systemd notify protocol as the real daemon speaks it (product.md §6, sd_notify(3)).

A datagram socket stands in for systemd's; the daemon gets NOTIFY_SOCKET and WATCHDOG_USEC exactly as
systemd would set them (WATCHDOG_PID absent: SystemdNotifier then accepts the interval as its own).
"""

import json
import signal
import time

from fakecloud_client import SCENARIOS, FakeCloud

from rootwatch import Daemon, NotifySocket, Setup

WATCHDOG_USEC = 3_000_000


def test_ready_status_watchdog_reload_and_stop(rootwatchd_binary, tmp_path):
    scenario = json.loads((SCENARIOS / "demo.json").read_text())
    with FakeCloud(scenario) as cloud, NotifySocket() as notify:
        setup = Setup.for_scenario(tmp_path, cloud, scenario)
        daemon = Daemon(rootwatchd_binary, setup, env=notify.env(WATCHDOG_USEC=str(WATCHDOG_USEC)))
        with daemon:
            ready = notify.wait_for(lambda m: m.get("READY") == "1", timeout=10, message="READY=1")
            assert set(ready) == {"READY", "STATUS"}, ready
            assert ready["STATUS"].startswith("3 accounts")
            assert "\n" not in ready["STATUS"]
            daemon.wait_for_log("Scan of sandbox finished", timeout=20)

            # Watch for a while: STATUS keeps up with the scans, WATCHDOG=1 keeps coming.
            notify.drain(4.0)
            after_ready = [m for _, m in notify.messages[notify.messages.index(next(
                x for x in notify.messages if "READY" in x[1])) + 1:]]
            statuses = [m["STATUS"] for m in after_ready if "STATUS" in m]
            assert statuses, "STATUS= is kept current after READY"
            assert all("accounts" in s for s in statuses)
            assert "3 accounts, all ok, next scan " in statuses[-1]
            watchdog_times = [t for t, m in notify.messages if m.get("WATCHDOG") == "1"]
            assert len(watchdog_times) >= 3
            gaps = [b - a for a, b in zip(watchdog_times, watchdog_times[1:])]
            assert max(gaps) <= WATCHDOG_USEC / 1e6 / 2, f"WATCHDOG=1 at least every WatchdogSec/2; gaps {gaps}"
            assert not any("READY" in m for m in after_ready), "READY=1 exactly once at start"

            # SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1 again.
            mark = len(notify.messages)
            daemon.signal(signal.SIGHUP)
            reloading = notify.wait_for(lambda m: "RELOADING" in m, timeout=5, message="RELOADING=1")
            assert reloading["RELOADING"] == "1"
            monotonic_now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
            assert 0 < monotonic_now - int(reloading["MONOTONIC_USEC"]) < 5_000_000
            again = notify.wait_for(lambda m: "READY" in m, timeout=5, message="READY=1 after the reload")
            assert again["READY"] == "1"
            order = [m for _, m in notify.messages[mark:]]
            assert order.index(reloading) < order.index(again)
            daemon.wait_for_log("Configuration reloaded: 3 accounts")

            # SIGTERM: STOPPING=1, then a clean exit.
            daemon.signal(signal.SIGTERM)
            stopping = notify.wait_for(lambda m: "STOPPING" in m, timeout=5, message="STOPPING=1")
            assert stopping["STOPPING"] == "1"
            daemon.process.wait(timeout=10)
        assert daemon.returncode == 0
        assert "rootwatchd stopped" in daemon.log()


def test_sigterm_mid_request_stops_within_bound(rootwatchd_binary, tmp_path):
    """STOPPING=1 on SIGTERM, and exit 0 within 10 s although every account's scan is waiting on a 5 s
    answer: in-flight requests are cancelled, the state is saved."""
    scenario = json.loads((SCENARIOS / "demo.json").read_text())
    scenario["latency_ms"] = 5000
    with FakeCloud(scenario) as cloud, NotifySocket() as notify:
        setup = Setup.for_scenario(tmp_path, cloud, scenario)
        daemon = Daemon(rootwatchd_binary, setup, env=notify.env(WATCHDOG_USEC=str(WATCHDOG_USEC)),
                        stop_timeout=15)
        with daemon:
            notify.wait_for(lambda m: m.get("READY") == "1", timeout=10, message="READY=1")
            deadline = time.monotonic() + 10
            while cloud.stats()["in_flight"] < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert cloud.stats()["in_flight"] >= 3, "every account is mid-request"
            started = time.monotonic()
            daemon.signal(signal.SIGTERM)
            stopping = notify.wait_for(lambda m: "STOPPING" in m, timeout=5, message="STOPPING=1")
            assert stopping["STOPPING"] == "1"
            daemon.process.wait(timeout=10)
            elapsed = time.monotonic() - started
        assert daemon.returncode == 0, daemon.log()
        assert elapsed < 10, f"stopped in {elapsed:.1f} s"
        assert "rootwatchd stopped" in daemon.log()
        assert "Scan of" not in daemon.log(), "a cancelled scan is neither a success nor a failure"
        state = setup.state_json()
        assert state["version"] == 1
        assert all("last_attempt" not in a and a.get("consecutive_failures", 0) == 0
                   for a in state["accounts"].values()), state
        print(f"stopped {elapsed:.2f} s after SIGTERM")
