"""ActionTrail event history: realistic event JSON, LookupEvents filtering and paging.

Scenario events are either full event documents (as in alibaba-api.md §6) or a ``template``
name plus overrides, expanded here into the full document the real service returns: root and
RAM-user ConsoleSignin events, failed sign-ins carrying ``errorCode``/``errorMessage``, and
ApiCall events made with a root or RAM-user AccessKey.
"""

from __future__ import annotations

import base64
import copy
import threading
import uuid
import zlib
from datetime import timedelta

from . import errors, timeutil

MAX_RESULTS_LIMIT = 50
DEFAULT_MAX_RESULTS = 20
DEFAULT_LOOKBACK_DAYS = 7

_BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
_CLI = "AlibabaCloud (Linux; x86_64) aliyun-cli/v3.0.204 Go/1.21"

# LookupAttribute keys (alibaba-api.md §6) and how each reads an event.
_ATTRIBUTES = {
    "EventName": lambda e: e.get("eventName"),
    "EventId": lambda e: e.get("eventId"),
    "ServiceName": lambda e: e.get("serviceName"),
    "EventRW": lambda e: e.get("eventRW"),
    "User": lambda e: (e.get("userIdentity") or {}).get("userName"),
    "EventAccessKeyId": lambda e: (e.get("userIdentity") or {}).get("accessKeyId"),
    "ResourceType": lambda e: e.get("resourceType"),
    "ResourceName": lambda e: e.get("resourceName"),
}


def expand(spec: dict, account_id: str, now, seed: str) -> dict:
    """A full event from a scenario entry: templates expanded, relative times resolved.

    ``seed`` makes the generated eventId stable across restarts of the fake with one scenario.
    """
    spec = dict(spec)
    template = spec.pop("template", None)
    params = {k: spec.pop(k) for k in ("mfa_checked", "user", "access_key_id") if k in spec}
    event = _template(template, account_id, params) if template else {}
    event.update(copy.deepcopy(spec))
    event["eventTime"] = timeutil.resolve(event.get("eventTime", "+0s"), now)
    event.setdefault("eventId", str(uuid.uuid5(uuid.NAMESPACE_URL, f"fakecloud/{seed}")))
    event.setdefault("requestId", str(uuid.uuid5(uuid.NAMESPACE_DNS, event["eventId"])).upper())
    return event


def _template(name: str, account_id: str, params: dict) -> dict:
    mfa = params.get("mfa_checked", "false")
    user = params.get("user", "alice@corp.onaliyun.com")
    if name in ("root-console-signin", "root-console-signin-failed"):
        event = {
            "eventVersion": 1,
            "eventSource": "http://account.aliyun.com/login/login_aliyun.htm",
            "sourceIpAddress": "203.0.113.7",
            "userAgent": _BROWSER,
            "eventType": "ConsoleSignin",
            "userIdentity": {
                "accountId": account_id,
                "principalId": account_id,
                "type": "root-account",
                "userName": "root",
            },
            "serviceName": "AasCustomer",
            "additionalEventData": {"loginAccount": "ops@example.com", "isMFAChecked": mfa},
            "isGlobal": True,
            "acsRegion": "cn-hangzhou",
            "eventName": "ConsoleSignin",
        }
        if name.endswith("-failed"):
            event["errorCode"] = "InvalidPassword"
            event["errorMessage"] = "The password is incorrect."
        return event
    if name in ("ram-console-signin", "ram-console-signin-failed"):
        login = user
        short = user.split("@")[0]
        event = {
            "eventVersion": 1,
            "eventSource": "signin.aliyun.com",
            "sourceIpAddress": "198.51.100.23",
            "userAgent": _BROWSER,
            "eventType": "ConsoleSignin",
            "userIdentity": {
                "accountId": account_id,
                "principalId": str(200000000000000000 + zlib.crc32(short.encode()) * 1000),
                "type": "ram-user",
                "userName": short,
            },
            "serviceName": "AasSub",
            "additionalEventData": {
                "loginAccount": login,
                "mfaChecked": mfa,
                "callbackUrl": "https://home.console.aliyun.com/",
            },
            "isGlobal": True,
            "acsRegion": "cn-hangzhou",
            "eventName": "ConsoleSignin",
        }
        if name.endswith("-failed"):
            event["errorCode"] = "InvalidPassword"
            event["errorMessage"] = "The password is incorrect."
        return event
    if name in ("root-api-call", "ram-api-call"):
        root = name == "root-api-call"
        return {
            "eventVersion": 1,
            "eventSource": "ecs.aliyuncs.com",
            "sourceIpAddress": "192.0.2.44",
            "userAgent": _CLI,
            "eventType": "ApiCall",
            "userIdentity": {
                "accountId": account_id,
                "principalId": account_id if root else "208812345678901234",
                "type": "root-account" if root else "ram-user",
                "userName": "root" if root else user.split("@")[0],
                "accessKeyId": params.get("access_key_id", "LTAI5tExampleKeyId0001"),
            },
            "serviceName": "Ecs",
            "eventName": "DescribeInstances",
            "eventRW": "Read",
            "apiVersion": "2014-05-26",
            "requestParameters": {"RegionId": "cn-hangzhou", "PageSize": 50},
            "isGlobal": False,
            "acsRegion": "cn-hangzhou",
        }
    raise ValueError(f"unknown event template {name!r}")


class EventLog:
    """One account's event history, answering LookupEvents. Thread-safe for admin appends."""

    def __init__(self, account_id: str, account_name: str, specs: list, now, enabled: bool = True):
        self._lock = threading.Lock()
        self.account_id = account_id
        self.account_name = account_name
        self.enabled = enabled
        self._events: list[dict] = []
        self.add(specs, now)

    def add(self, specs: list, now) -> list[dict]:
        """Appends scenario-style event entries; returns the expanded events."""
        with self._lock:
            added = []
            for spec in specs:
                seed = f"{self.account_name}/{len(self._events)}/{spec.get('eventTime', '')}"
                event = expand(spec, self.account_id, now, seed)
                self._events.append(event)
                added.append(event)
            return added

    def lookup(self, params: dict, now) -> dict:
        """The LookupEvents response fields (without RequestId) for the request's parameters."""
        start = _time_param(params, "StartTime", timeutil.format_iso(now - timedelta(days=DEFAULT_LOOKBACK_DAYS)))
        end = _time_param(params, "EndTime", timeutil.format_iso(now))
        direction = params.get("Direction", "BACKWARD")
        if direction not in ("BACKWARD", "FORWARD"):
            raise errors.invalid_parameter("Direction", "Valid values: FORWARD, BACKWARD.")
        max_results = params.get("MaxResults", str(DEFAULT_MAX_RESULTS))
        if not max_results.isdigit() or int(max_results) > MAX_RESULTS_LIMIT:
            raise errors.invalid_parameter("MaxResults", "Valid values: 0 to 50.")
        limit = int(max_results) or DEFAULT_MAX_RESULTS
        filters = _lookup_attributes(params)
        offset = _decode_token(params.get("NextToken"))

        start_at, end_at = timeutil.parse_iso(start), timeutil.parse_iso(end)
        with self._lock:
            matching = [
                e
                for e in self._events
                if start_at <= (timeutil.parse_iso(e["eventTime"]) or start_at) <= end_at
                and all(_ATTRIBUTES[key](e) == value for key, value in filters)
            ]
        matching.sort(key=lambda e: e["eventTime"], reverse=direction == "BACKWARD")
        page = copy.deepcopy(matching[offset : offset + limit])
        body = {"StartTime": start, "EndTime": end, "Events": page}
        if offset + limit < len(matching):
            body["NextToken"] = _encode_token(offset + limit)
        return body


def _time_param(params: dict, name: str, default: str) -> str:
    value = params.get(name, default)
    if timeutil.parse_iso(value) is None:
        raise errors.invalid_parameter(name, "Use the format YYYY-MM-DDThh:mm:ssZ (UTC).")
    return value


def _lookup_attributes(params: dict) -> list[tuple[str, str]]:
    """``LookupAttribute.N.Key`` / ``.Value`` pairs; at most two (the current documentation)."""
    pairs = []
    for n in range(1, 10):
        key = params.get(f"LookupAttribute.{n}.Key")
        if key is None:
            continue
        if key not in _ATTRIBUTES:
            raise errors.invalid_parameter(f"LookupAttribute.{n}.Key")
        pairs.append((key, params.get(f"LookupAttribute.{n}.Value", "")))
    if len(pairs) > 2:
        raise errors.invalid_parameter("LookupAttribute", "You can specify one or two filter conditions.")
    return pairs


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"evt:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        tag, offset = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
        if tag != "evt":
            raise ValueError(tag)
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_parameter("NextToken") from None
