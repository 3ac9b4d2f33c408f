"""Request statistics: concurrency, counts per action, rejections, and a recent-request log.

``peak_concurrency`` is how many API requests were being handled at once (incremented on
arrival, decremented after the response is written): with ``latency_ms`` set, it measures how
many calls a client really keeps in flight.
"""

from __future__ import annotations

import threading
from collections import Counter, deque

from . import timeutil

LOG_SIZE = 1000


def mask_key(access_key_id: str | None) -> str | None:
    """``LTAI5tExample1234`` → ``LTAI****1234``: IDs are shown masked, like the product does."""
    if not access_key_id:
        return access_key_id
    return f"{access_key_id[:4]}****{access_key_id[-4:]}" if len(access_key_id) > 8 else "****"


class Stats:
    """Thread-safe counters shared by every handler thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._in_flight = 0
        self.reset()

    def reset(self) -> None:
        """Zeroes the counters; the peak restarts from the requests in flight right now."""
        with self._lock:
            self._peak = self._in_flight
            self._requests = 0
            self._by_action: Counter = Counter()
            self._rejected: Counter = Counter()
            self._log: deque = deque(maxlen=LOG_SIZE)

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._requests += 1
            self._peak = max(self._peak, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def record(self, action, account, signature, status, code, access_key_id) -> None:
        """Logs one finished API request; error codes count as rejections."""
        with self._lock:
            self._by_action[action or "-"] += 1
            if code:
                self._rejected[code] += 1
            self._log.append(
                {
                    "time": timeutil.format_iso(timeutil.utcnow()),
                    "action": action,
                    "account": account,
                    "signature": signature,
                    "access_key_id": mask_key(access_key_id),
                    "status": status,
                    "code": code,
                }
            )

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "peak_concurrency": self._peak,
                "in_flight": self._in_flight,
                "requests": self._requests,
                "by_action": dict(self._by_action),
                "rejected": dict(self._rejected),
            }

    def recent(self, last: int) -> list[dict]:
        with self._lock:
            return list(self._log)[-last:] if last > 0 else []
