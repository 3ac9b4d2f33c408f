"""The unsigned admin API under ``/__admin/`` that tests use to observe and steer the fake.

Loopback clients only. Every answer is JSON; a bad request gets 400 with ``{"error": …}``.
"""

from __future__ import annotations

import ipaddress

from . import timeutil


class AdminError(Exception):
    """A malformed admin call (unknown account, bad JSON, unknown fault type)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


class AdminApi:
    """Routes ``(method, path)`` to a handler; ``cloud`` is the running FakeCloudServer."""

    def __init__(self, cloud):
        self._cloud = cloud
        self._routes = {
            ("GET", "/__admin/health"): lambda q, b: {"ok": True},
            ("GET", "/__admin/stats"): lambda q, b: cloud.stats.snapshot(),
            ("POST", "/__admin/reset-stats"): self._reset_stats,
            ("GET", "/__admin/requests"): self._requests,
            ("GET", "/__admin/faults"): lambda q, b: {"faults": cloud.scenario.faults.snapshot()},
            ("POST", "/__admin/faults"): self._add_faults,
            ("POST", "/__admin/clear-faults"): self._clear_faults,
            ("POST", "/__admin/root"): self._set_root,
            ("POST", "/__admin/events"): self._add_events,
            ("POST", "/__admin/latency"): self._set_latency,
            ("POST", "/__admin/expire-sessions"): lambda q, b: {"expired": cloud.store.expire_sessions()},
        }

    def handle(self, method: str, path: str, query: dict, body) -> dict:
        route = self._routes.get((method, path))
        if route is None:
            raise AdminError(404, f"no admin route {method} {path}")
        return route(query, body)

    def _reset_stats(self, query, body) -> dict:
        self._cloud.stats.reset()
        return self._cloud.stats.snapshot()

    def _requests(self, query, body) -> dict:
        last = query.get("last", "50")
        if not last.isdigit():
            raise AdminError(400, "last must be a number")
        return {"requests": self._cloud.stats.recent(int(last))}

    def _add_faults(self, query, body) -> dict:
        specs = body.get("faults", []) if isinstance(body, dict) else body
        if not isinstance(specs, list):
            raise AdminError(400, 'expected a list of faults or {"faults": [...]}')
        for spec in specs:
            if spec.get("account", "*") != "*":
                self._account(spec["account"])
        try:
            added = self._cloud.scenario.faults.add(specs)
        except (ValueError, TypeError) as error:
            raise AdminError(400, str(error)) from None
        return {"added": [f.to_dict() for f in added]}

    def _clear_faults(self, query, body) -> dict:
        self._cloud.scenario.faults.clear()
        return {"faults": []}

    def _set_root(self, query, body) -> dict:
        account = self._account(_field(body, "account"))
        fields = body.get("fields", {})
        if not isinstance(fields, dict):
            raise AdminError(400, "fields must be an object of column → value")
        report = account.report
        root = report.update_root(fields, timeutil.utcnow(), body.get("generated_time"))
        if body.get("restart_generation"):
            report.restart_generation()
        return {"root": root, "generated_time": report.generated_time}

    def _add_events(self, query, body) -> dict:
        account = self._account(_field(body, "account"))
        events = body.get("events", [])
        if not isinstance(events, list):
            raise AdminError(400, "events must be a list")
        try:
            added = account.trail.add(events, timeutil.utcnow())
        except ValueError as error:
            raise AdminError(400, str(error)) from None
        return {"added": added}

    def _set_latency(self, query, body) -> dict:
        self._cloud.scenario.latency_ms = int(_field(body, "ms"))
        return {"latency_ms": self._cloud.scenario.latency_ms}

    def _account(self, name: str):
        try:
            return self._cloud.scenario.account(name)
        except ValueError as error:
            raise AdminError(404, str(error)) from None


def _field(body, name: str):
    if not isinstance(body, dict) or name not in body:
        raise AdminError(400, f"missing field {name!r}")
    return body[name]
