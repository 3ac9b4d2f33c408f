"""Fault injection: scripted failures per account and action, from the scenario or at runtime.

A fault matches requests by account name and action (``*`` matches any) and fires ``count``
times (-1: forever). Faults fire after authentication, like a real gateway that has already
accepted the signature. The first matching fault with firings left wins.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from . import errors

#: Fault types that replace the answer with an error.
ERROR_TYPES = {"throttle", "server_error", "forbidden", "actiontrail_not_enabled"}
#: Fault types that corrupt an otherwise normal answer.
RENDER_TYPES = {"malformed_json", "truncated_base64", "missing_root", "empty_report"}
TYPES = ERROR_TYPES | RENDER_TYPES | {"delay"}

_HTML_503 = (
    "<!DOCTYPE html>\n<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n"
    "<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n"
    "<hr><center>Tengine</center>\n</body>\n</html>\n"
)


@dataclass
class RawResponse:
    """An answer that is not the gateway's JSON (an HTML error page from a proxy in front)."""

    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


@dataclass
class Fault:
    """One scripted failure; ``options`` holds the type's knobs (status, retry_after, ms, code…)."""

    type: str
    account: str = "*"
    action: str = "*"
    count: int = 1
    options: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, spec: dict, default_account: str = "*") -> "Fault":
        spec = dict(spec)
        kind = spec.pop("type", None)
        if kind not in TYPES:
            raise ValueError(f"unknown fault type {kind!r} (known: {', '.join(sorted(TYPES))})")
        account = spec.pop("account", default_account)
        action = spec.pop("action", "*")
        count = int(spec.pop("count", 1))
        return cls(kind, account, action, count, spec)

    def matches(self, account: str | None, action: str) -> bool:
        return (
            self.count != 0
            and self.account in ("*", account)
            and self.action in ("*", action)
        )

    def to_dict(self) -> dict:
        return {"type": self.type, "account": self.account, "action": self.action, "count": self.count, **self.options}

    def outcome(self):
        """What this fault does to the request: an ApiError, a RawResponse, or None (render/delay)."""
        if self.type == "throttle":
            retry_after = self.options.get("retry_after")
            headers = {"x-acs-retry-after": str(retry_after)} if retry_after is not None else {}
            return errors.ApiError(
                400, "Throttling.User", "Request was denied due to user flow control.", headers
            )
        if self.type == "server_error":
            status = int(self.options.get("status", 500))
            if status == 503 and self.options.get("html"):
                return RawResponse(503, "text/html", _HTML_503.encode())
            if status == 503:
                return errors.ApiError(
                    503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."
                )
            return errors.ApiError(
                status,
                "InternalError",
                "The request processing has failed due to some unknown error, exception or failure.",
            )
        if self.type == "forbidden":
            if self.options.get("code", "Forbidden.RAM") == "NoPermission":
                error = errors.no_permission()
                error.extra = {"AccessDeniedDetail": {"AuthAction": "ram:GetCredentialReport", "NoPermissionType": "ImplicitDeny"}}
                return error
            return errors.ApiError(
                403,
                "Forbidden.RAM",
                "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
            )
        if self.type == "actiontrail_not_enabled":
            return actiontrail_not_enabled()
        return None


def actiontrail_not_enabled() -> errors.ApiError:
    """The answer for an account whose ActionTrail is off (a code this fake chose; see README)."""
    return errors.ApiError(403, "ActionTrailNotEnabled", "ActionTrail is not enabled for this account.")


class FaultTable:
    """The live list of faults; thread-safe because every request consults it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, specs: list, default_account: str = "*") -> list[Fault]:
        faults = [Fault.from_dict(spec, default_account) for spec in specs]
        with self._lock:
            self._faults.extend(faults)
        return faults

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, account: str | None, action: str) -> Fault | None:
        """The first matching fault, with one firing consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(account, action):
                    if fault.count > 0:
                        fault.count -= 1
                    return fault
        return None

    def snapshot(self) -> list[dict]:
        with self._lock:
            return [f.to_dict() for f in self._faults if f.count != 0]
