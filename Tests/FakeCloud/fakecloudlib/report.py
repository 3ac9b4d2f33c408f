"""The IMS credential report: CSV rendering with quirks, paging, and the Generate state sequence.

A scenario gives rows as dicts keyed by column name; this module turns them into the Base64 CSV
pages ``GetCredentialReport`` returns. The quirks (BOM, CRLF, quoting, column order, extra and
missing columns, header repeated per page or not) are what alibaba-api.md §2.3 leaves
unconfirmed, so a client that survives all of them survives the real service.
"""

from __future__ import annotations

import base64
import csv
import io
import random
import threading

from . import errors, timeutil

ROOT_USER = "<root>"
MAX_ITEMS_LIMIT = 3501  # 3,500 RAM users + the <root> row (alibaba-api.md §1.3)

_KEY_SLOTS = [
    "access_key_1",
    "access_key_2",
    "additional_access_key_1",
    "additional_access_key_2",
    "additional_access_key_3",
]

#: The full column set in the order Steampipe's struct lists them (alibaba-api.md §2.1).
COLUMNS = [
    "user",
    "user_creation_time",
    "user_last_logon",
    "password_exist",
    "password_active",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
] + [f"{slot}_{suffix}" for slot in _KEY_SLOTS for suffix in ("exist", "active", "last_rotated", "last_used")]


def default_value(column: str) -> str:
    """What a cell holds when the scenario row does not name the column."""
    if column == "user_last_logon":
        return "-"
    if column in ("password_exist", "password_active"):
        return "TRUE"
    if column == "mfa_active" or column.endswith("_exist"):
        return "FALSE"
    return "N/A"


class CredentialReport:
    """One account's credential report: rows, rendering quirks, paging, and Generate states.

    Thread-safe: admin calls may change the root row while clients page through the report.
    """

    def __init__(self, spec: dict, now):
        spec = spec or {}
        self._lock = threading.Lock()
        self.generated_time = timeutil.resolve(spec.get("generated_time", "-1h"), now)
        self.generate_states = list(spec.get("generate_states", ["COMPLETED"])) or ["COMPLETED"]
        self._generate_calls = 0
        self.page_size = int(spec.get("page_size", MAX_ITEMS_LIMIT))
        self.is_truncated_as = spec.get("is_truncated_as", "string")
        self.columns = list(spec.get("columns", COLUMNS))
        self.quirks = dict(spec.get("quirks", {}))
        self.rows = [self._resolve_row(row, now) for row in spec.get("rows", [])]

    @staticmethod
    def _resolve_row(row: dict, now) -> dict:
        """Resolves relative times once; a row without a creation time was created 400 days ago."""
        row = {"user_creation_time": "-400d", **row}
        return {name: timeutil.resolve(value, now) for name, value in row.items()}

    # -- GenerateCredentialReport -------------------------------------------------------------

    def next_generate_state(self) -> str:
        """The next state of the scenario's sequence; the last one repeats forever."""
        with self._lock:
            index = min(self._generate_calls, len(self.generate_states) - 1)
            self._generate_calls += 1
            return self.generate_states[index]

    def restart_generation(self) -> None:
        with self._lock:
            self._generate_calls = 0

    # -- admin --------------------------------------------------------------------------------

    def update_root(self, fields: dict, now, generated_time: str | None = None) -> dict:
        """Changes cells of the ``<root>`` row (creating it first if absent); the report is new."""
        with self._lock:
            root = next((r for r in self.rows if r.get("user") == ROOT_USER), None)
            if root is None:
                root = self._resolve_row({"user": ROOT_USER}, now)
                self.rows.insert(0, root)
            root.update({k: timeutil.resolve(v, now) for k, v in fields.items()})
            self.generated_time = timeutil.resolve(generated_time or "+0s", now)
            return dict(root)

    def root_row(self) -> dict | None:
        with self._lock:
            return next((dict(r) for r in self.rows if r.get("user") == ROOT_USER), None)

    # -- GetCredentialReport ------------------------------------------------------------------

    def page(self, max_items: str | None, next_token: str | None, fault: str | None = None) -> dict:
        """The response fields for one ``GetCredentialReport`` call (without RequestId).

        ``fault`` is one of ``missing_root``, ``empty_report``, ``truncated_base64`` or None.
        """
        size = self.page_size
        if max_items is not None:
            if not str(max_items).isdigit() or not 1 <= int(max_items) <= MAX_ITEMS_LIMIT:
                raise errors.invalid_parameter("MaxItems", "Valid values: 1 to 3501.")
            size = min(size, int(max_items))
        page_index, offset = _decode_token(next_token)

        with self._lock:
            rows = list(self.rows)
            generated_time = self.generated_time
        if fault == "missing_root":
            rows = [r for r in rows if r.get("user") != ROOT_USER]

        chunk = rows[offset : offset + size]
        truncated = offset + size < len(rows)
        with_header = offset == 0 or self.quirks.get("repeat_header", True)
        content = b"" if fault == "empty_report" else self._render(chunk, with_header, offset == 0)
        encoded = base64.b64encode(content).decode("ascii")
        if fault == "truncated_base64" and encoded:
            cut = max(1, len(encoded) // 2)
            encoded = encoded[: cut - 1 if cut % 4 == 0 else cut]

        body = {
            "GeneratedTime": generated_time,
            "Content": encoded,
            "IsTruncated": self._truncated_value(truncated, page_index),
        }
        if truncated:
            body["NextToken"] = _encode_token(page_index + 1, offset + size)
        return body

    def _truncated_value(self, truncated: bool, page_index: int):
        """``IsTruncated`` as the English doc's string, the Chinese doc's bool, or alternating."""
        style = self.is_truncated_as
        if style == "alternate":
            style = "string" if page_index % 2 == 0 else "bool"
        if style == "bool":
            return truncated
        return "true" if truncated else "false"

    def rendered_columns(self) -> list[str]:
        """The header after applying ``drop_columns``, ``extra_columns`` and ``shuffle_columns``."""
        columns = [c for c in self.columns if c not in set(self.quirks.get("drop_columns", []))]
        columns += [c for c in _extra_columns(self.quirks) if c not in columns]
        shuffle = self.quirks.get("shuffle_columns")
        if shuffle:
            random.Random(shuffle if isinstance(shuffle, int) and shuffle is not True else 7).shuffle(columns)
        return columns

    def _render(self, rows: list[dict], with_header: bool, first_page: bool) -> bytes:
        columns = self.rendered_columns()
        extras = _extra_columns(self.quirks)
        out = io.StringIO()
        writer = csv.writer(
            out,
            lineterminator="\r\n" if self.quirks.get("crlf") else "\n",
            quoting=csv.QUOTE_ALL if self.quirks.get("quote_all") else csv.QUOTE_MINIMAL,
        )
        if with_header:
            writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row, column, extras) for column in columns])
        text = out.getvalue()
        if self.quirks.get("bom") and first_page:
            text = "\ufeff" + text
        return text.encode("utf-8")


def _cell(row: dict, column: str, extras: dict) -> str:
    if column in row:
        return "" if row[column] is None else str(row[column])
    if column in extras:
        return str(extras[column])
    return default_value(column)


def _extra_columns(quirks: dict) -> dict:
    """``extra_columns`` may be a list of names (empty cells) or a dict name → cell value."""
    extra = quirks.get("extra_columns") or {}
    return {name: "" for name in extra} if isinstance(extra, list) else dict(extra)


def _encode_token(page_index: int, offset: int) -> str:
    return base64.urlsafe_b64encode(f"crp:{page_index}:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str | None) -> tuple[int, int]:
    """(page index, row offset) from a NextToken; the first page when there is none."""
    if not token:
        return 0, 0
    try:
        padded = token + "=" * (-len(token) % 4)
        tag, page_index, offset = base64.urlsafe_b64decode(padded).decode().split(":")
        if tag != "crp":
            raise ValueError(tag)
        return int(page_index), int(offset)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_parameter("NextToken") from None
