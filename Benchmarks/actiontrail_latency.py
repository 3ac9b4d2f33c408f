#!/usr/bin/env python3
"""ActionTrail detection latency: from a root sign-in event appearing in the fake cloud to its alert in
the journal, with the daemon polling every `actiontrail_interval`.

    make bench                                     # runs this in a private journal after the other benchmarks
    scripts/with-journald .venv/bin/python Benchmarks/actiontrail_latency.py [--events 30] [--spacing 3.3]
        [--interval 10s] [--latency-ms 50] [--noise 0]

One account, `actiontrail = yes`, jitter 0 %. Events are added one at a time through the fake's admin API,
`--spacing` seconds apart (plus a random part, so they land at every phase of the poll cycle), each a new
root logon in its own second. The latency of each is the journal entry's `__REALTIME_TIMESTAMP` minus the
moment the admin call returned (the event was visible from then on). A poll finds an event at the latest
one interval after it appears and alerts once the poll's pages are read, so the bound is the interval plus
one poll: the pages' request times and the half-second pacing between pages. One request time is measured
here with the official Python SDK making the same LookupEvents call (its worst of five). Exits 1 when the
max exceeds the bound.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = Path(os.environ.get("ROOTWATCH_SOURCE_ROOT") or HERE.parent)
sys.path.insert(0, str(REPO / "Tests" / "FakeCloud"))
sys.path.insert(0, str(REPO / "Tests" / "e2e"))

from fakecloud_client import FakeCloud  # noqa: E402
from rootwatch import Daemon, Setup, wait_until  # noqa: E402

KEY = ("LTAI5tTrailBench00000001", "trailBenchSecret000000000001")
PAGE_SIZE = 50
PACING = 0.5


def seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)


def journal_alerts(account: str) -> dict[str, float]:
    """Event id → journal receive time (s) of the account's root-console-logon alerts."""
    subprocess.run(["journalctl", "--sync"], check=False, timeout=10, capture_output=True)
    out = subprocess.run(["journalctl", "--no-pager", "-o", "json", f"ROOTWATCH_ACCOUNT={account}",
                          "ROOTWATCH_KIND=root-console-logon"], capture_output=True, text=True, timeout=10).stdout
    entries = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {e["ROOTWATCH_EVENT_ID"]: int(e["__REALTIME_TIMESTAMP"]) / 1e6 for e in entries if "ROOTWATCH_EVENT_ID" in e}


def request_time(cloud, tries: int = 5) -> float:
    """The worst of `tries` LookupEvents calls made by the official SDK, as the daemon makes them."""
    from alibabacloud_actiontrail20200706 import models
    from alibabacloud_actiontrail20200706.client import Client
    from alibabacloud_tea_openapi import models as openapi_models

    client = Client(openapi_models.Config(access_key_id=KEY[0], access_key_secret=KEY[1], endpoint=cloud.endpoint,
                                          protocol="HTTP", read_timeout=10000, connect_timeout=5000))
    now = time.time()
    request = models.LookupEventsRequest(
        start_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 7 * 86400)),
        end_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), max_results="50",
        lookup_attribute=[models.LookupEventsRequestLookupAttribute(key="EventName", value="ConsoleSignin")])
    times = []
    for _ in range(tries):
        start = time.monotonic()
        client.lookup_events(request)
        times.append(time.monotonic() - start)
    return max(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--spacing", type=float, default=3.3, help="seconds between events (plus up to 1 s)")
    parser.add_argument("--interval", default="10s", help="actiontrail_interval")
    parser.add_argument("--latency-ms", type=int, default=50, help="the fake's latency per request")
    parser.add_argument("--noise", type=int, default=0, help="RAM-user sign-ins in the window (more pages)")
    parser.add_argument("--binary", default=os.environ.get("ROOTWATCH_BINARY")
                        or str(REPO / ".build" / "release" / "rootwatchd"))
    args = parser.parse_args()
    interval = seconds(args.interval)
    account = f"bench-trail-{secrets.token_hex(3)}"
    noise = [{"template": "ram-console-signin", "eventTime": f"-{2 + i * 5}m", "user": f"u{i}@corp.onaliyun.com"}
             for i in range(args.noise)]
    scenario = {"latency_ms": args.latency_ms, "accounts": [{
        "name": account, "account_id": "1800000000000001",
        "access_keys": [{"id": KEY[0], "secret": KEY[1], "user": "rootwatchd"}],
        "credential_report": {"rows": [{"user": "<root>", "user_last_logon": "-", "mfa_active": "TRUE"}]},
        "actiontrail": {"enabled": True, "events": noise},
    }]}

    with tempfile.TemporaryDirectory(prefix="rootwatch-trail-bench-") as tmp, FakeCloud(scenario) as cloud:
        one_request = request_time(cloud)
        pages = (args.noise + args.events) // PAGE_SIZE + 1
        bound = interval + pages * one_request + (pages - 1) * PACING
        setup = Setup.create(Path(tmp))
        setup.daemon(interval="1m", window="7d", jitter="0%", actiontrail_interval=args.interval,
                     actiontrail_overlap="10m")
        setup.endpoints(cloud.url)
        setup.credentials(account, *KEY)
        setup.account(account, credentials=account, actiontrail="yes", actiontrail_region="cn-hangzhou")
        setup.write()

        appeared: dict[str, float] = {}
        with Daemon(Path(args.binary), setup) as daemon:
            daemon.wait_for_log(f"ActionTrail poll of {account} finished", timeout=30)
            for i in range(args.events):
                time.sleep(args.spacing + random.random())
                event_id = f"{account}-{i:04d}"
                cloud.add_events(account, [{"template": "root-console-signin", "eventId": event_id,
                                            "eventTime": "+0s"}])
                appeared[event_id] = time.time()
            found = wait_until(lambda: (seen := journal_alerts(account)) and len(seen) >= args.events and seen,
                               2 * interval + 30, interval=0.2, message=f"{args.events} alerts in the journal")

    latencies = sorted(found[event_id] - at for event_id, at in appeared.items())
    median, worst = statistics.median(latencies), latencies[-1]
    met = worst <= bound
    print(f"ActionTrail detection latency, {args.events} events, actiontrail_interval {args.interval}, "
          f"fake latency {args.latency_ms} ms, {pages} page{'s' if pages > 1 else ''} per poll")
    print(f"  median {median:6.2f} s")
    print(f"  p90    {latencies[int(0.9 * (len(latencies) - 1))]:6.2f} s")
    print(f"  max    {worst:6.2f} s")
    print(f"  min    {latencies[0]:6.2f} s")
    print(f"  bound  {bound:6.2f} s  (interval {interval:.0f} s + {pages} × request {one_request * 1000:.0f} ms"
          f"{f' + {pages - 1} × {PACING} s pacing' if pages > 1 else ''})  {'met' if met else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
