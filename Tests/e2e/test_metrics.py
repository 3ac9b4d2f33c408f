"""`[daemon] metrics_file`: the daemon keeps a Prometheus textfile-collector file current with the
state — per-account scan health and root activity — written atomically and world-readable."""

import json
import stat

from fakecloud_client import SCENARIOS, FakeCloud

from rootwatch import Daemon, Setup, parse_utc, wait_until

SCENARIO = json.loads((SCENARIOS / "demo.json").read_text())


def samples(text: str) -> dict:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def test_metrics_file_follows_the_state(rootwatchd_binary, tmp_path):
    metrics = tmp_path / "textfile" / "rootwatchd.prom"
    metrics.parent.mkdir()
    with FakeCloud(SCENARIO) as cloud:
        setup = Setup.for_scenario(tmp_path, cloud, SCENARIO, accounts=["staging", "sandbox"],
                                   daemon={"metrics_file": str(metrics)})
        with Daemon(rootwatchd_binary, setup) as daemon:
            def written():
                return metrics.exists() and 'rootwatchd_last_successful_scan_timestamp_seconds{account="sandbox"}' in \
                    metrics.read_text() and 'account="staging"' in metrics.read_text() and metrics.read_text()
            text = wait_until(written, timeout=30, message="both accounts in the metrics file")
        assert daemon.returncode == 0, daemon.log()
    state = setup.state_json()["accounts"]
    values = samples(metrics.read_text())
    for account in ("staging", "sandbox"):
        assert values[f'rootwatchd_last_successful_scan_timestamp_seconds{{account="{account}"}}'] == \
            int(parse_utc(state[account]["last_successful_scan"]))
        assert values[f'rootwatchd_consecutive_failures{{account="{account}"}}'] == 0
    assert values['rootwatchd_root_last_console_logon_timestamp_seconds{account="staging"}'] == \
        int(parse_utc(state["staging"]["last_console_logon"]))
    assert values['rootwatchd_root_mfa_active{account="sandbox"}'] == 0
    assert values['rootwatchd_root_mfa_active{account="staging"}'] == 1
    assert values['rootwatchd_root_active_access_keys{account="sandbox"}'] == 1
    assert "# TYPE rootwatchd_consecutive_failures gauge" in text
    assert stat.S_IMODE(metrics.stat().st_mode) == 0o644
    assert [p.name for p in metrics.parent.iterdir()] == ["rootwatchd.prom"], "no temporary files left"
