"""The baseline: the same account scans done the straightforward way, with the official Python SDK.

Run as its own process by Benchmarks/run.py so its wall time, CPU and peak RSS are measured exactly
like rootwatchd's. Each account is scanned the way rootwatchd scans it: GetCallerIdentity (unless
``--no-identity``), GenerateCredentialReport until COMPLETED (2 s back-off, as rootwatchd), every
GetCredentialReport page, Base64 + CSV decoding and the ``<root>`` row picked out, on a pool of
``--threads`` threads (one SDK client pair per account, as each account has its own AccessKey).

Prints one JSON line: {"accounts", "ok", "failed", "root_rows", "errors": [first few messages]}.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as openapi_models


def bench_key(i: int) -> tuple[str, str]:
    """The fake's generated key of account ``i`` (Tests/FakeCloud/fakecloudlib/scenario.py)."""
    return f"LTAI5tBench{i:08d}", f"benchsecret{i}"


def scan(endpoint: str, index: int, identity: bool) -> dict:
    """One account: identity, report generation, every page, the root row."""
    key_id, secret = bench_key(index)
    config = openapi_models.Config(
        access_key_id=key_id, access_key_secret=secret, endpoint=endpoint, protocol="HTTP",
        read_timeout=30000, connect_timeout=5000,
    )
    if identity:
        StsClient(config).get_caller_identity()
    ims = ImsClient(config)
    delay = 2.0
    for _ in range(20):
        if ims.generate_credential_report().body.state.upper() == "COMPLETED":
            break
        time.sleep(delay)
        delay = min(delay * 2, 10.0)
    else:
        raise RuntimeError("report not ready")
    rows, header, token = [], None, None
    for _ in range(100):
        body = ims.get_credential_report(ims_models.GetCredentialReportRequest(next_token=token)).body
        text = base64.b64decode(body.content).decode("utf-8").lstrip("\ufeff")
        records = list(csv.reader(io.StringIO(text, newline="")))
        if header is None or (records and records[0] == header):
            header, records = records[0], records[1:]
        rows += [dict(zip(header, record)) for record in records]
        if str(body.is_truncated).lower() != "true":
            break
        token = body.next_token
    root = next((row for row in rows if row.get("user") == "<root>"), None)
    if root is None:
        raise RuntimeError("no <root> row")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="host:port of the fake cloud")
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--no-identity", action="store_true", help="skip GetCallerIdentity (a second cycle)")
    args = parser.parse_args()

    errors: list[str] = []
    ok = roots = 0
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        futures = [pool.submit(scan, args.endpoint, i, not args.no_identity) for i in range(args.accounts)]
        for future in futures:
            try:
                future.result()
                ok += 1
                roots += 1
            except Exception as error:  # a failed scan is counted, not fatal
                if len(errors) < 5:
                    errors.append(f"{type(error).__name__}: {error}"[:300])
    print(json.dumps({"accounts": args.accounts, "ok": ok, "failed": args.accounts - ok, "root_rows": roots,
                      "errors": errors}))
    sys.stdout.flush()
    return 0 if ok == args.accounts else 1


if __name__ == "__main__":
    sys.exit(main())
