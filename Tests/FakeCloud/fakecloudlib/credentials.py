"""Who a request's AccessKey belongs to: scenario keys, and STS sessions AssumeRole issued.

STS credentials are ``STS.``-prefixed AccessKey IDs bound to a SecurityToken and an expiration,
mapped to the role's account — so a client that assumes a role in ``prod`` reads ``prod``'s
report with them.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import timeutil
from .scenario import Account, Role, Scenario


@dataclass
class Principal:
    """The identity behind an AccessKey, as GetCallerIdentity describes it."""

    account: Account
    access_key_id: str
    secret: str
    identity_type: str  # "Account", "RAMUser" or "AssumedRoleUser"
    arn: str
    principal_id: str
    security_token: str | None = None
    expiration: datetime | None = None
    role: Role | None = None


class CredentialStore:
    """AccessKey ID → Principal, for the scenario's keys and the STS sessions issued so far."""

    def __init__(self, scenario: Scenario):
        self._scenario = scenario
        self._lock = threading.Lock()
        self._sessions: dict[str, Principal] = {}
        # The scenario's keys do not change after loading; the first account naming a key owns it.
        self._keys: dict[str, tuple[Account, object]] = {}
        for account in scenario.accounts.values():
            for key in account.access_keys:
                self._keys.setdefault(key.id, (account, key))

    def find(self, access_key_id: str) -> Principal | None:
        with self._lock:
            session = self._sessions.get(access_key_id)
        if session is not None:
            return session
        owner = self._keys.get(access_key_id)
        return _principal_for_key(*owner) if owner else None

    def is_session_token(self, token: str) -> bool:
        """Whether ``token`` was issued to some STS session (a mismatch, not an unknown token)."""
        with self._lock:
            return any(s.security_token == token for s in self._sessions.values())

    def issue(self, role: Role, session_name: str, duration: int, now: datetime) -> Principal:
        """New temporary credentials for ``role``, valid ``duration`` seconds from ``now``."""
        access_key_id = "STS.NT" + secrets.token_hex(12)
        principal = Principal(
            account=role.account,
            access_key_id=access_key_id,
            secret=secrets.token_urlsafe(30),
            identity_type="AssumedRoleUser",
            arn=f"acs:ram::{role.account.account_id}:assumed-role/{role.name}/{session_name}",
            principal_id=f"{role.role_id}:{session_name}",
            security_token="CAIS" + secrets.token_urlsafe(180),
            expiration=now + timedelta(seconds=duration),
            role=role,
        )
        with self._lock:
            self._sessions[access_key_id] = principal
        return principal

    def expire_sessions(self) -> int:
        """Ends every STS session now (admin call: lets tests exercise credential refresh)."""
        past = timeutil.utcnow() - timedelta(seconds=1)
        with self._lock:
            for session in self._sessions.values():
                session.expiration = past
            return len(self._sessions)


def _principal_for_key(account: Account, key) -> Principal:
    if key.root:
        return Principal(account, key.id, key.secret, "Account", f"acs:ram::{account.account_id}:root", account.account_id)
    user_id = str(200000000000000000 + int(account.account_id[-8:]))
    return Principal(
        account, key.id, key.secret, "RAMUser", f"acs:ram::{account.account_id}:user/{key.user}", user_id
    )
