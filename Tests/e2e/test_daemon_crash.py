"""kill -9 at random points of busy cycles never leaves an unreadable state file (product.md §5).

50 generated accounts, latency so scans overlap, every account overdue at each start so all of them
scan (and the state is saved after each) while the daemon is killed. After every kill the file must
parse as version-1 JSON, and the next daemon must start from it and scan normally.
"""

import json
import random
import signal
import time

from fakecloud_client import SCENARIOS, FakeCloud

from rootwatch import Daemon, Setup, run

ACCOUNTS = 50
ITERATIONS = 30


def bench_setup(tmp_path, cloud) -> Setup:
    setup = Setup.create(tmp_path)
    setup.daemon(interval="1m", window="7d", concurrency=16)
    setup.endpoints(cloud.url)
    for i in range(ACCOUNTS):
        name = f"bench-{i:05d}"
        setup.credentials(name, f"LTAI5tBench{i:08d}", f"benchsecret{i}")
        setup.account(name, credentials=name)
    setup.write()
    return setup


def leftovers(setup: Setup) -> list[str]:
    return sorted(p.name for p in setup.state.iterdir() if ".tmp-" in p.name)


def test_sigkill_during_cycles_never_corrupts_the_state_file(rootwatchd_binary, tmp_path):
    rng = random.Random(20261204)
    scenario = json.loads((SCENARIOS / "bench.json").read_text())
    scenario["latency_ms"] = 50
    with FakeCloud(scenario, extra_args=["--generate-accounts", str(ACCOUNTS)]) as cloud:
        setup = bench_setup(tmp_path, cloud)
        # A first `check` saves a complete state, so every later start has all 50 accounts to rescan at once.
        first = run(rootwatchd_binary, "check", *setup.args(), timeout=60)
        assert first.returncode == 3, first.stderr
        assert len(setup.state_json()["accounts"]) == ACCOUNTS

        killed_mid_run = 0
        saves = 0
        saw_leftover = False
        for iteration in range(ITERATIONS):
            setup.make_overdue()
            before = setup.state.joinpath("state.json").stat().st_mtime_ns
            daemon = Daemon(rootwatchd_binary, setup)
            try:
                daemon.start()
                daemon.wait_for_log("started", timeout=10)
                time.sleep(rng.uniform(0.05, 1.0))
                if "finished" in daemon.log():
                    killed_mid_run += 1
                daemon.kill()  # SIGKILL the whole process group, wherever it is
            finally:
                daemon.kill()
            assert daemon.returncode == -signal.SIGKILL, f"iteration {iteration}: {daemon.log()}"
            text = (setup.state / "state.json").read_text()
            state = json.loads(text)  # never torn, never empty
            assert state["version"] == 1
            assert len(state["accounts"]) == ACCOUNTS
            assert oct((setup.state / "state.json").stat().st_mode & 0o777) == "0o600"
            assert not list(setup.state.glob("state.json.corrupt-*")), f"iteration {iteration}"
            saw_leftover |= bool(leftovers(setup))
            saves += setup.state.joinpath("state.json").stat().st_mtime_ns != before
        assert killed_mid_run >= ITERATIONS // 3, "most kills should land while scans and saves are going on"
        assert saves >= ITERATIONS // 3, "most runs should have saved the state before being killed"

        # A kill between creating and renaming the temporary file leaves one behind (rare in the loop
        # above, so one is planted as such a kill leaves it: a truncated document under the temp name).
        planted = setup.state / f".state.json.tmp-{99999}-{12345}"
        planted.write_text(text[: len(text) // 2])
        planted.chmod(0o600)
        unrelated = setup.state / "notes.txt"
        unrelated.write_text("an operator's file\n")

        # The next daemon starts from that file, scans normally and cleans up after the crashes.
        setup.make_overdue()
        with Daemon(rootwatchd_binary, setup) as daemon:
            daemon.wait_for_log("finished", timeout=30, count=ACCOUNTS)
            assert "State file unusable" not in daemon.log()
            assert planted.name not in leftovers(setup), "temporary files of killed writes are removed at start"
            assert "Removed" in daemon.log() and "interrupted write" in daemon.log()
        assert daemon.returncode == 0
        assert leftovers(setup) == []
        state = setup.state_json()
        assert state["version"] == 1
        assert all(a["consecutive_failures"] == 0 for a in state["accounts"].values())
        assert unrelated.read_text() == "an operator's file\n", "only rootwatchd's own temporary files are removed"
        print(f"kills mid-run: {killed_mid_run}/{ITERATIONS}, runs that saved: {saves}, leftover seen: {saw_leftover}")


def test_a_corrupt_state_file_is_moved_aside_and_the_daemon_carries_on(rootwatchd_binary, tmp_path):
    """A state file that is not valid state is reported, moved to state.json.corrupt-<time>, and the
    daemon continues from empty state: it scans, alerts what is inside the window again under the same
    ids, and writes a fresh state file. No crash, no loop."""
    scenario = json.loads((SCENARIOS / "demo.json").read_text())
    with FakeCloud(scenario) as cloud:
        setup = Setup.for_scenario(tmp_path, cloud, scenario, accounts=["staging"])
        setup.state.mkdir(mode=0o700)
        garbage = b'{"version": 1, "accounts": {"staging": {"last_successful_scan": "yesterday'
        (setup.state / "state.json").write_bytes(garbage)
        with Daemon(rootwatchd_binary, setup) as daemon:
            log = daemon.wait_for_log("Scan of staging finished", timeout=30)
        assert daemon.returncode == 0
    moved = [p for p in setup.state.iterdir() if p.name.startswith("state.json.corrupt-")]
    assert len(moved) == 1 and moved[0].read_bytes() == garbage, "the bad file is kept for inspection"
    assert "State file unusable" in log and moved[0].name in log
    state = setup.state_json()
    assert state["version"] == 1 and state["accounts"]["staging"]["last_successful_scan"]
    # The next start reads the fresh file: nothing moved aside again.
    with Daemon(rootwatchd_binary, setup) as daemon:
        daemon.wait_for_log("started", timeout=10)
    assert len([p for p in setup.state.iterdir() if p.name.startswith("state.json.corrupt-")]) == 1
