"""Times in scenarios: relative offsets like ``-5m`` resolved against now, ISO 8601 UTC output.

Scenario files say "3 minutes ago" rather than a date so that a scenario stays meaningful on any
day. Offsets are resolved once, when the scenario is loaded (or an admin call arrives), so a
report row keeps the same timestamp for the whole run — exactly like a real report, and what a
client's "alert once per activity" logic relies on.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_RELATIVE = re.compile(r"^([+-])((?:\d+[smhd])+)$")
_PART = re.compile(r"(\d+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def utcnow() -> datetime:
    """Now in UTC, truncated to whole seconds (the precision every Alibaba time field has)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(ISO_FORMAT)


def parse_iso(text: str) -> datetime | None:
    """Parses ``YYYY-MM-DDThh:mm:ssZ`` (optionally with fractional seconds); None when invalid."""
    for fmt in (ISO_FORMAT, "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except (TypeError, ValueError):
            continue
    return None


def relative_offset(text: str) -> timedelta | None:
    """The offset named by ``-5m``, ``+1h``, ``-1d12h``; None when the text is not an offset."""
    if not isinstance(text, str):
        return None
    match = _RELATIVE.match(text.strip())
    if not match:
        return None
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(match.group(2)))
    return timedelta(seconds=seconds if match.group(1) == "+" else -seconds)


def resolve(value, now: datetime):
    """A relative offset becomes an ISO timestamp; anything else (sentinels, literals) is kept."""
    offset = relative_offset(value) if isinstance(value, str) else None
    if offset is None:
        return value
    return format_iso(now + offset)
