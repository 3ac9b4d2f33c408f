#!/usr/bin/env python3
"""make demo: rootwatchd against the bundled fake Alibaba Cloud, showing real alerts.

Starts the fake cloud with three accounts (prod: clean; staging: a root console logon 3 minutes
ago; sandbox: a root AccessKey used 20 minutes ago and MFA off), writes a configuration, runs the
daemon in the foreground until every account has been scanned, stops it with SIGTERM, then shows
the alerts as the journal holds them and `rootwatchd status`. Runs inside scripts/with-journald, so
the journal is a private one and nothing touches the host's.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "FakeCloud"))
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
sys.path.insert(0, str(ROOT / "Tests" / "Support"))

from fakecloud_client import SCENARIOS, FakeCloud  # noqa: E402
from rootwatch import Setup, run, wait_until  # noqa: E402
from webhook_receiver import WebhookReceiver, standard_secret  # noqa: E402

BINARY = Path(os.environ.get("ROOTWATCH_BINARY") or ROOT / ".build" / "release" / "rootwatchd")
BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


def step(text: str) -> None:
    print(f"\n{BOLD}== {text}{RESET}", flush=True)


def show(command: list[str]) -> None:
    print(f"{DIM}$ {' '.join(command)}{RESET}", flush=True)
    subprocess.run(command, check=False, timeout=60)


def main() -> int:
    scenario = json.loads((SCENARIOS / "demo.json").read_text())
    workdir = Path(tempfile.mkdtemp(prefix="rootwatchd-demo-"))
    secret = standard_secret()
    with FakeCloud(scenario) as cloud, WebhookReceiver() as receiver:
        receiver.script("/ops", format="standard", secret=secret)
        step(f"Fake Alibaba Cloud on {cloud.url} (every request's signature checked by the official SDK)")
        stories = {"prod": "clean: root last used 160 days ago, MFA on, no root AccessKey",
                   "staging": "root console logon 3 minutes ago",
                   "sandbox": "root AccessKey used 20 minutes ago, still active; root MFA off"}
        for account in scenario["accounts"]:
            print(f"  {account['name']:8} {account['account_id']}  {stories.get(account['name'], '')}")
        setup = Setup.for_scenario(
            workdir, cloud, scenario, account_options={
                "prod": {"role_arn": "acs:ram::1234567890123456:role/rootwatchd-audit", "external_id": "demo-prod-ext"}})
        secret_file = setup.secrets / "ops"
        secret_file.write_text(secret + "\n")
        secret_file.chmod(0o600)
        setup.webhook("ops", url=receiver.url("/ops"), format="standard", secret_file=str(secret_file))
        setup.write()
        step(f"Configuration {setup.config} (and a Standard Webhooks receiver at {receiver.url('/ops')})")
        show([str(BINARY), "check-config", *setup.args()])

        step("rootwatchd run (foreground; alerts appear as they are found)")
        print(f"{DIM}$ {BINARY} run {' '.join(setup.args())}{RESET}", flush=True)
        process = subprocess.Popen([str(BINARY), "run", *setup.args()], stdin=subprocess.DEVNULL,
                                   env={**os.environ, "no_proxy": "127.0.0.1"}, start_new_session=True)
        try:
            names = [a["name"] for a in scenario["accounts"]]

            def all_scanned():
                state = setup.state / "state.json"
                if not state.exists():
                    return False
                accounts = json.loads(state.read_text()).get("accounts", {})
                return all(accounts.get(n, {}).get("last_successful_scan") for n in names)

            wait_until(all_scanned, timeout=60, interval=0.2, message="every account scanned")
            wait_until(lambda: len(receiver.delivered_ids("/ops")) >= 4, timeout=30, interval=0.2,
                       message="the alerts delivered to the webhook")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

        step("The alerts in the journal (journalctl SYSLOG_IDENTIFIER=rootwatchd ROOTWATCH_KIND=…)")
        kinds = ["root-console-logon", "root-access-key-used", "root-mfa-disabled", "root-access-key-active"]
        subprocess.run(["journalctl", "--sync"], check=False, timeout=10)
        show(["journalctl", "--no-pager", "-o", "short-iso", *[f"ROOTWATCH_KIND={k}" for k in kinds]])
        step("One alert with every field (journalctl -o verbose ROOTWATCH_KIND=root-console-logon)")
        show(["journalctl", "--no-pager", "-o", "verbose", "ROOTWATCH_KIND=root-console-logon"])

        step("What the webhook received (signatures checked with the official standardwebhooks library)")
        received = receiver.requests("/ops")
        for request in received:
            document = json.loads(request["body"])
            print(f"  {'verified' if request['verified'] else 'REJECTED'}  webhook-id {request['headers'].get('webhook-id')}"
                  f"  {document['type']}  {document['data']['account']}")
        print(json.dumps(json.loads(received[0]["body"]), indent=2))

        step("rootwatchd status")
        show([str(BINARY), "status", *setup.args()])
        step("A second run finds nothing new: each activity is alerted once")
        result = run(BINARY, "check", *setup.args())
        print(result.stdout)
        print(f"{DIM}(exit status {result.returncode}: 3 means root activity inside the window){RESET}")
    print(f"\nDemo files are in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
