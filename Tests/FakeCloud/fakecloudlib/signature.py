"""Request authentication: V3 (ACS3-HMAC-SHA256) and V1 (HMAC-SHA1) signatures, timestamps, nonces.

The expected signature is computed with the official SDK's own functions —
``alibabacloud_tea_openapi.utils.Utils.get_authorization`` for V3 over the headers the request
lists in ``SignedHeaders``, and ``Utils.get_rpcsignature`` for V1 (alibaba-api.md §3.3) — never
with hand-written HMAC code, so the fake is an independent oracle for rootwatchd's own signer.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from alibabacloud_tea_openapi import utils as sdk_utils
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest

from . import errors, timeutil
from .credentials import CredentialStore, Principal

MAX_CLOCK_SKEW = timedelta(minutes=15)
V3_ALGORITHMS = ("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3")
V1_REQUIRED = ("Signature", "AccessKeyId", "SignatureNonce", "Timestamp", "SignatureMethod", "SignatureVersion")


@dataclass
class Incoming:
    """The parts of an HTTP request a signature covers. ``headers`` keys are lower-case."""

    method: str
    path: str
    query: dict
    params: dict  # query merged with form-body parameters (V1 signs both)
    headers: dict
    body: bytes


class NonceCache:
    """Nonces seen in the last 15 minutes, per AccessKey: a second use is a replay."""

    def __init__(self, ttl: timedelta = MAX_CLOCK_SKEW):
        self._ttl = ttl
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], datetime] = {}
        self._prune_at = 10000

    def claim(self, access_key_id: str, nonce: str, now: datetime) -> bool:
        """Records the nonce; False when it was already used within the window.

        Expired nonces are dropped when the cache has doubled since the last pruning, so a
        benchmark's tens of thousands of requests inside the window cost amortised O(1) each.
        """
        key = (access_key_id, nonce)
        with self._lock:
            if len(self._seen) > self._prune_at:
                self._seen = {k: t for k, t in self._seen.items() if now - t < self._ttl}
                self._prune_at = max(10000, 2 * len(self._seen))
            seen_at = self._seen.get(key)
            if seen_at is not None and now - seen_at < self._ttl:
                return False
            self._seen[key] = now
            return True


class SignatureVerifier:
    """Decides who sent a request, or raises the ApiError the real gateway would answer."""

    def __init__(self, store: CredentialStore):
        self._store = store
        self._nonces = NonceCache()

    @staticmethod
    def version_of(request: Incoming) -> str | None:
        """"v3" with an Authorization header, "v1" with V1 query parameters, else None."""
        if "authorization" in request.headers:
            return "v3"
        if any(name in request.params for name in ("Action",) + V1_REQUIRED):
            return "v1"
        return None

    def authenticate(self, request: Incoming, now: datetime) -> Principal:
        """The principal behind a correctly signed, fresh, never-replayed request."""
        version = self.version_of(request)
        if version == "v3":
            return self._verify_v3(request, request.headers["authorization"], now)
        if version == "v1":
            return self._verify_v1(request, now)
        raise errors.incomplete_signature("Neither an Authorization header nor a Signature parameter is present.")

    # -- V3 -----------------------------------------------------------------------------------

    def _verify_v3(self, request: Incoming, authorization: str, now: datetime) -> Principal:
        algorithm, fields = _parse_authorization(authorization)
        for name in ("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
            if not request.headers.get(name):
                raise errors.missing_parameter(name)
        signed = [h for h in fields["SignedHeaders"].split(";") if h]
        must_sign = {"host"} | {h for h in request.headers if h.startswith("x-acs-") or h == "content-type"}
        unsigned = sorted(must_sign - set(signed))
        if unsigned:
            raise errors.incomplete_signature(f"These headers must be signed: {', '.join(unsigned)}.")
        absent = [h for h in signed if h not in request.headers]
        if absent:
            raise errors.incomplete_signature(f"Signed headers are absent from the request: {', '.join(absent)}.")

        _check_time(request.headers["x-acs-date"], now)
        principal = self._principal(fields["Credential"], request.headers.get("x-acs-security-token"), now)

        sdk_request = DaraRequest()
        sdk_request.method = request.method
        sdk_request.pathname = request.path
        sdk_request.query = dict(request.query)
        sdk_request.headers = {h: request.headers[h] for h in signed}
        payload = Utils.hex_encode(Utils.hash(request.body, algorithm)) or ""
        expected = Utils.get_authorization(sdk_request, algorithm, payload, principal.access_key_id, principal.secret)
        expected_signature = expected.rsplit("Signature=", 1)[1]
        if not hmac.compare_digest(expected_signature, fields["Signature"].lower()):
            raise errors.signature_does_not_match(_v3_canonical_request(sdk_request, payload))

        self._claim_nonce(principal, request.headers["x-acs-signature-nonce"], now)
        return principal

    # -- V1 -----------------------------------------------------------------------------------

    def _verify_v1(self, request: Incoming, now: datetime) -> Principal:
        params = request.params
        for name in V1_REQUIRED:
            if not params.get(name):
                raise errors.missing_parameter(name)
        if params["SignatureMethod"] != "HMAC-SHA1":
            raise errors.invalid_parameter("SignatureMethod", "Only HMAC-SHA1 is supported.")
        if params["SignatureVersion"] != "1.0":
            raise errors.invalid_parameter("SignatureVersion", "Only 1.0 is supported.")

        _check_time(params["Timestamp"], now)
        principal = self._principal(params["AccessKeyId"], params.get("SecurityToken"), now)

        signed = {k: v for k, v in params.items() if k != "Signature"}
        expected = Utils.get_rpcsignature(signed, request.method, principal.secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            raise errors.signature_does_not_match(_v1_string_to_sign(signed, request.method))

        self._claim_nonce(principal, params["SignatureNonce"], now)
        return principal

    # -- shared -------------------------------------------------------------------------------

    def _principal(self, access_key_id: str, security_token: str | None, now: datetime) -> Principal:
        principal = self._store.find(access_key_id)
        if principal is None:
            raise errors.access_key_not_found()
        if principal.security_token is not None:
            if not security_token:
                raise errors.security_token_expired()
            if not hmac.compare_digest(security_token, principal.security_token):
                known = self._store.is_session_token(security_token)
                raise errors.security_token_mismatch() if known else errors.security_token_expired()
            if principal.expiration is not None and principal.expiration <= now:
                raise errors.security_token_expired()
        return principal

    def _claim_nonce(self, principal: Principal, nonce: str, now: datetime) -> None:
        if not self._nonces.claim(principal.access_key_id, nonce, now):
            raise errors.nonce_used()


def _parse_authorization(value: str) -> tuple[str, dict]:
    """``ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`` → (algorithm, fields)."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm not in V3_ALGORITHMS:
        raise errors.incomplete_signature(f"Unsupported signature algorithm {algorithm!r}.")
    fields = {}
    for part in rest.split(","):
        name, sep, field_value = part.strip().partition("=")
        if sep:
            fields[name] = field_value
    for name in ("Credential", "SignedHeaders", "Signature"):
        if not fields.get(name):
            raise errors.incomplete_signature(f"The Authorization header has no {name}.")
    return algorithm, fields


def _check_time(text: str, now: datetime) -> None:
    moment = timeutil.parse_iso(text)
    if moment is None:
        raise errors.timestamp_format()
    if abs(now - moment) > MAX_CLOCK_SKEW:
        raise errors.timestamp_expired()


def _v3_canonical_request(request: DaraRequest, payload: str) -> str:
    """The server's canonical request, built with the SDK module's helpers (diagnostic only)."""
    query = sdk_utils.get_canonical_query_string(request.query)
    headers, signed = sdk_utils.get_canonicalized_headers(request.headers)
    return f"{request.method}\n{request.pathname}\n{query}\n{headers}\n{signed}\n{payload}"


def _v1_string_to_sign(params: dict, method: str) -> str:
    """The V1 StringToSign the server expected (diagnostic only; verification used the SDK)."""
    canonical = "&".join(
        f"{quote(k, safe='~')}={quote(str(params[k]), safe='~')}" for k in sorted(params)
    )
    return f"{method}&%2F&{quote(canonical, safe='~')}"
