"""Scenario files: the accounts, keys, roles, reports, events and faults the fake serves.

A scenario is JSON (format in Tests/FakeCloud/README.md). Loading resolves every relative time
against one "now", so the same scenario describes the same situation on any day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import timeutil
from .actiontrail import EventLog
from .faults import FaultTable
from .report import CredentialReport


@dataclass
class AccessKey:
    """A long-lived AccessKey: a RAM user's (``user``) or the root account's own (``root``)."""

    id: str
    secret: str
    user: str = "rootwatchd"
    root: bool = False


@dataclass
class Role:
    """A RAM role that AssumeRole can enter; ``external_id`` is checked when set."""

    name: str
    account: "Account"
    external_id: str | None = None
    max_session_duration: int = 3600
    role_id: str = ""

    @property
    def arn(self) -> str:
        return f"acs:ram::{self.account.account_id}:role/{self.name}"


@dataclass
class Account:
    """One Alibaba Cloud account (a root identity) with its keys, roles, report and events."""

    name: str
    account_id: str
    access_keys: list[AccessKey]
    report: CredentialReport
    trail: EventLog
    roles: list[Role] = field(default_factory=list)


class Scenario:
    """Everything the fake serves, built from one JSON document."""

    def __init__(self, doc: dict, now=None):
        now = now or timeutil.utcnow()
        self.latency_ms = int(doc.get("latency_ms", 0))
        self.faults = FaultTable()
        self.accounts: dict[str, Account] = {}
        specs = list(doc.get("accounts", []))
        generate = doc.get("generate")
        if generate:
            specs += generate_accounts(int(generate.get("accounts", 0)), generate)
        for spec in specs:
            self.add_account(spec, now)
        self.faults.add(doc.get("faults", []))
        # {"account", "role", "expiration_seconds"}: the ECS instance role the metadata service serves.
        self.instance_role = doc.get("instance_role")

    def add_account(self, spec: dict, now) -> Account:
        name = spec["name"]
        if name in self.accounts:
            raise ValueError(f"duplicate account name {name!r}")
        account_id = str(spec["account_id"])
        trail_spec = spec.get("actiontrail", {})
        account = Account(
            name=name,
            account_id=account_id,
            access_keys=[
                AccessKey(k["id"], k["secret"], k.get("user", "rootwatchd"), bool(k.get("root", False)))
                for k in spec.get("access_keys", [])
            ],
            report=CredentialReport(spec.get("credential_report", {}), now),
            trail=EventLog(
                account_id, name, trail_spec.get("events", []), now, bool(trail_spec.get("enabled", True))
            ),
        )
        for index, role in enumerate(spec.get("roles", [])):
            account.roles.append(
                Role(
                    name=role["name"],
                    account=account,
                    external_id=role.get("external_id"),
                    max_session_duration=int(role.get("max_session_duration", 3600)),
                    role_id=str(300000000000000000 + int(account_id[-8:]) * 100 + index),
                )
            )
        self.faults.add(spec.get("faults", []), default_account=name)
        self.accounts[name] = account
        return account

    def account(self, name: str) -> Account:
        try:
            return self.accounts[name]
        except KeyError:
            raise ValueError(f"unknown account {name!r}") from None

    def role_by_arn(self, arn: str) -> Role | None:
        for account in self.accounts.values():
            for role in account.roles:
                if role.arn == arn:
                    return role
        return None

    @classmethod
    def load(cls, source) -> "Scenario":
        """From a path, a JSON string path, or an already-parsed dict."""
        if isinstance(source, dict):
            return cls(source)
        return cls(json.loads(Path(source).read_text(encoding="utf-8")))


def bench_key(i: int) -> tuple[str, str]:
    """The deterministic AccessKey of generated account ``i`` (benchmarks configure these)."""
    return f"LTAI5tBench{i:08d}", f"benchsecret{i}"


def generate_accounts(count: int, options: dict | None = None) -> list[dict]:
    """Account specs ``bench-00000`` … with deterministic keys, a realistic report and events.

    Every 10th account had a root console logon minutes ago, every 7th a root AccessKey use, so
    a benchmark run produces a predictable number of findings.
    """
    options = options or {}
    ram_users = int(options.get("ram_users", 4))
    specs = []
    for i in range(count):
        key_id, secret = bench_key(i)
        root = {
            "user": "<root>",
            "user_creation_time": "-900d",
            "user_last_logon": f"-{i % 50 + 1}m" if i % 10 == 0 else f"-{100 + i % 200}d",
            "mfa_active": "TRUE" if i % 3 else "FALSE",
        }
        if i % 7 == 0:
            root.update(
                {
                    "access_key_1_exist": "TRUE",
                    "access_key_1_active": "TRUE",
                    "access_key_1_last_rotated": "-300d",
                    "access_key_1_last_used": f"-{i % 40 + 2}m",
                }
            )
        rows = [root] + [
            {
                "user": f"user{u}@bench{i}.onaliyun.com",
                "user_last_logon": f"-{u + 1}d",
                "mfa_active": "TRUE",
                "access_key_1_exist": "TRUE",
                "access_key_1_active": "TRUE",
                "access_key_1_last_rotated": "-90d",
                "access_key_1_last_used": f"-{u + 1}h",
            }
            for u in range(ram_users)
        ]
        events = [{"template": "ram-console-signin", "user": f"user0@bench{i}.onaliyun.com", "eventTime": "-2h"}]
        if i % 10 == 0:
            events.append({"template": "root-console-signin", "eventTime": root["user_last_logon"]})
        specs.append(
            {
                "name": f"bench-{i:05d}",
                "account_id": str(1700000000000000 + i),
                "access_keys": [{"id": key_id, "secret": secret}],
                "roles": [{"name": "rootwatchd"}],
                "credential_report": {"generated_time": "-30m", "rows": rows},
                "actiontrail": {"events": events},
            }
        )
    return specs
