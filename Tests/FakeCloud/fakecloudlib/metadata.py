"""The ECS instance metadata service's RAM-role paths, token-protected (alibaba-api.md §5.2).

Only what a process on an instance with a RAM role needs: ``PUT /latest/api/token`` for a session
token, then ``GET /latest/meta-data/ram/security-credentials/`` (the role's name) and
``…/security-credentials/<role>`` (its STS credential) with that token. The instance is modelled in
the enforced-token ("hardened") mode: a read without a valid token is refused with 401, so a client
that silently fell back to token-less (IMDSv1) reads would fail here.

The credentials are ordinary STS sessions of the shared ``CredentialStore``, acting in the
scenario's account, so IMS/STS calls signed with them verify, and ``/__admin/expire-sessions``
expires them too (the next metadata read then hands out a new session).
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import datetime, timedelta

from . import timeutil
from .credentials import CredentialStore, Principal
from .scenario import Role, Scenario

TOKEN_PATH = "/latest/api/token"
CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
TTL_HEADER = "x-aliyun-ecs-metadata-token-ttl-seconds"
TOKEN_HEADER = "x-aliyun-ecs-metadata-token"
MAX_TOKEN_TTL = 21600
SESSION_NAME = "vm-ram-i-fakecloud0001"


class MetadataService:
    """Answers ``/latest/…``: session tokens and the instance role's credential."""

    def __init__(self, spec: dict | None, scenario: Scenario, store: CredentialStore):
        self._store = store
        self._lock = threading.Lock()
        self._tokens: dict[str, datetime] = {}
        self._current: Principal | None = None
        self.role: Role | None = None
        self.expiration_seconds = 3600
        if spec is not None:
            self._configure(spec, scenario)

    def _configure(self, spec: dict, scenario: Scenario) -> None:
        if not isinstance(spec, dict) or not isinstance(spec.get("role"), str) or not spec["role"]:
            raise ValueError('instance_role needs {"account": NAME, "role": ROLE_NAME}')
        account = scenario.account(spec.get("account", ""))
        self.expiration_seconds = int(spec.get("expiration_seconds", 3600))
        if self.expiration_seconds < 1:
            raise ValueError("instance_role.expiration_seconds must be positive")
        role = next((r for r in account.roles if r.name == spec["role"]), None)
        if role is None:  # an instance role need not be assumable with AssumeRole: keep it off account.roles
            role = Role(spec["role"], account, role_id=str(300000000000000000 + int(account.account_id[-8:]) * 100 + 99))
        self.role = role

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith("/latest/")

    def handle(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """(status, content type, body) for one request; ``headers`` have lower-case names."""
        now = timeutil.utcnow()
        if path == TOKEN_PATH:
            return self._issue_token(method, headers, now)
        if not path.startswith(CREDENTIALS_PATH):
            return _text(404, "Not Found")
        if method != "GET":
            return _text(405, "Method Not Allowed")
        if not self._valid_token(headers.get(TOKEN_HEADER, ""), now):
            return _text(401, "Unauthorized")
        name = path[len(CREDENTIALS_PATH):]
        if self.role is None or name not in ("", self.role.name):
            return _text(404, "Not Found")
        if name == "":
            return _text(200, self.role.name)
        session = self._session(now)
        document = {
            "AccessKeyId": session.access_key_id,
            "AccessKeySecret": session.secret,
            "Expiration": timeutil.format_iso(session.expiration),
            "SecurityToken": session.security_token,
            "LastUpdated": timeutil.format_iso(session.expiration - timedelta(seconds=self.expiration_seconds)),
            "Code": "Success",
        }
        return 200, "text/plain", json.dumps(document, indent=2).encode()

    def _issue_token(self, method: str, headers: dict[str, str], now: datetime) -> tuple[int, str, bytes]:
        if method != "PUT":
            return _text(405, "Method Not Allowed")
        if "x-forwarded-for" in headers:  # a proxied request: what token protection exists to stop
            return _text(403, "Forbidden")
        ttl = headers.get(TTL_HEADER, "").strip()
        if not ttl.isdigit() or not 1 <= int(ttl) <= MAX_TOKEN_TTL:
            return _text(400, "Bad Request")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens = {t: end for t, end in self._tokens.items() if end > now}
            self._tokens[token] = now + timedelta(seconds=int(ttl))
        return _text(200, token)

    def _valid_token(self, token: str, now: datetime) -> bool:
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and expires > now

    def _session(self, now: datetime) -> Principal:
        """The current STS session, replaced once less than half its lifetime is left (or expired).

        The real service rotates the credential well before it expires, so a client refreshing 15
        minutes early gets a new one instead of the same one again.
        """
        with self._lock:
            current = self._current
            if current is None or (current.expiration - now).total_seconds() < self.expiration_seconds / 2:
                current = self._store.issue(self.role, SESSION_NAME, self.expiration_seconds, now)
                self._current = current
            return current


def _text(status: int, body: str) -> tuple[int, str, bytes]:
    return status, "text/plain", body.encode()
