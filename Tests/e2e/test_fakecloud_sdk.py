"""The fake cloud speaks the real protocol: the official Python SDK clients drive it unchanged.

Each test uses the published SDK packages (IMS 2019-08-15, STS 2015-04-01, ActionTrail 2020-07-06)
against the fake on loopback, with V3 signatures (the SDK default) and V1 (``signature_algorithm
= 'v2'``), so anything the fake accepts or rejects is what the SDK — and Alibaba Cloud — would.
"""

from __future__ import annotations

import base64
import csv
import http.client
import io
import json
import re
import signal
import ssl
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from alibabacloud_actiontrail20200706 import models as trail_models
from alibabacloud_actiontrail20200706.client import Client as TrailClient
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi.utils import Utils
from darabonba.core import DaraCore
from darabonba.request import DaraRequest
from fakecloud_client import SCENARIOS, FakeCloud

ALPHA = ("LTAI5tAlphaAuditKey00001", "alphaSecret0000000000000000001")
ALPHA_ROOT = ("LTAI5tAlphaRootKey000001", "alphaRootSecret00000000000001")
SECURITY = ("LTAI5tSecurityBase000001", "securitySecret000000000000001")
ALPHA_ID, BETA_ID = "1111222233334444", "5555666677778888"
ALPHA_ROLE = f"acs:ram::{ALPHA_ID}:role/rootwatchd-audit"
BETA_ROLE = f"acs:ram::{BETA_ID}:role/rootwatchd-audit"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")

SIGNATURES = pytest.mark.parametrize("v1", [False, True], ids=["v3", "v1"])


# -- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def cloud():
    with FakeCloud(SCENARIOS / "basic.json") as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults(cloud):
    cloud.clear_faults()
    cloud.set_latency(0)
    yield
    cloud.clear_faults()


def config(cloud, key=ALPHA, v1=False, token=None) -> openapi_models.Config:
    cfg = openapi_models.Config(
        access_key_id=key[0], access_key_secret=key[1], security_token=token,
        endpoint=cloud.endpoint, protocol="HTTP", read_timeout=10000, connect_timeout=5000,
    )
    if v1:
        cfg.signature_algorithm = "v2"
    return cfg


def ims(cloud, **kw) -> ImsClient:
    return ImsClient(config(cloud, **kw))


def sts(cloud, **kw) -> StsClient:
    return StsClient(config(cloud, **kw))


def trail(cloud, **kw) -> TrailClient:
    return TrailClient(config(cloud, **kw))


def sdk_error(call) -> Exception:
    """The exception the SDK raised for ``call`` (the test fails if it succeeded)."""
    with pytest.raises(Exception) as info:
        call()
    return info.value


def read_report(client: ImsClient, max_items=None) -> tuple[list[dict], list]:
    """All pages of the report: (raw response bodies, decoded CSV text per page)."""
    bodies, pages, token = [], [], None
    for _ in range(20):
        body = client.get_credential_report(
            ims_models.GetCredentialReportRequest(max_items=max_items, next_token=token)
        ).body.to_map()
        bodies.append(body)
        pages.append(base64.b64decode(body["Content"]).decode("utf-8"))
        if body["IsTruncated"] not in (True, "true"):
            return bodies, pages
        token = body["NextToken"]
    raise AssertionError("report never ended")


def rows_of(pages: list[str]) -> list[dict]:
    """Rows by header name; pages after the first may or may not repeat the header."""
    header, rows = None, []
    for page in pages:
        records = list(csv.reader(io.StringIO(page.lstrip("\ufeff"), newline="")))
        if header is None or records and records[0] == header:
            header, records = records[0], records[1:]
        rows += [dict(zip(header, record)) for record in records]
    return rows


def lookup(client: TrailClient, **kw):
    attribute = kw.pop("event_name", None)
    if attribute:
        kw["lookup_attribute"] = [trail_models.LookupEventsRequestLookupAttribute(key="EventName", value=attribute)]
    return client.lookup_events(trail_models.LookupEventsRequest(**kw)).body.to_map()


def raw_v3(cloud, action, version, query=None, key=ALPHA, date=None, nonce=None, drop=(), authorization=None):
    """A V3 request signed with the SDK's own function, sent with http.client: (status, headers, body)."""
    request = DaraRequest()
    request.method, request.pathname, request.query = "POST", "/", dict(query or {})
    request.headers = {
        "host": cloud.endpoint,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or Utils.get_timestamp(),
        "x-acs-signature-nonce": nonce or Utils.get_nonce(),
        "x-acs-content-sha256": EMPTY_SHA256,
    }
    signature = Utils.get_authorization(request, "ACS3-HMAC-SHA256", EMPTY_SHA256, *key)
    for name in drop:
        request.headers.pop(name)
    request.headers["Authorization"] = authorization if authorization is not None else signature
    path = "/" + ("?" + "&".join(f"{k}={Utils.get_encode_param(v)}" for k, v in request.query.items()) if request.query else "")
    connection = http.client.HTTPConnection(cloud.endpoint, timeout=10)
    try:
        connection.request("POST", path, headers=request.headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def assume(cloud, key=SECURITY, role=ALPHA_ROLE, external_id="alpha-ext-7f3a", v1=False, duration=None):
    request = sts_models.AssumeRoleRequest(
        role_arn=role, role_session_name="rootwatchd", external_id=external_id, duration_seconds=duration
    )
    return sts(cloud, key=key, v1=v1).assume_role(request).body


# -- the credential report --------------------------------------------------------------------


@SIGNATURES
def test_generate_walks_the_scenario_states_then_stays_completed(v1):
    scenario = json.loads((SCENARIOS / "basic.json").read_text())
    with FakeCloud(scenario) as fresh:
        client = ims(fresh, v1=v1)
        states = [client.generate_credential_report().body.state for _ in range(4)]
    assert states == ["STARTED", "INPROGRESS", "COMPLETED", "COMPLETED"]


@SIGNATURES
def test_report_pages_with_next_token_and_both_is_truncated_spellings(cloud, v1):
    bodies, pages = read_report(ims(cloud, v1=v1))
    # alpha: 5 rows, page_size 2, IsTruncated alternating string / bool.
    assert [b["IsTruncated"] for b in bodies] == ["true", True, "false"]
    assert "NextToken" not in bodies[-1]
    rows = rows_of(pages)
    assert [r["user"] for r in rows][:2] == ["<root>", "alice@alpha.onaliyun.com"]
    assert len(rows) == 5
    root = rows[0]
    assert root["mfa_active"] == "FALSE" and root["access_key_1_active"] == "TRUE"
    logon = datetime.strptime(root["user_last_logon"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert timedelta(minutes=9) < datetime.now(timezone.utc) - logon < timedelta(minutes=12)
    assert rows[3]["user_last_logon"] == "LOGIN_DISABLED"
    assert all(REQUEST_ID.match(b["RequestId"]) for b in bodies)


def test_max_items_limits_the_page_and_bad_values_are_refused(cloud):
    bodies, pages = read_report(ims(cloud), max_items="1")
    assert len(bodies) == 5 and len(rows_of(pages)) == 5
    error = sdk_error(lambda: ims(cloud).get_credential_report(ims_models.GetCredentialReportRequest(max_items="0")))
    assert (error.status_code, error.code) == (400, "InvalidParameter")


def test_beta_answers_in_one_page_with_a_boolean_is_truncated(cloud):
    cfg_key = ("LTAI5tBetaAuditKey000001", "betaSecret00000000000000000001")
    bodies, pages = read_report(ims(cloud, key=cfg_key))
    assert [b["IsTruncated"] for b in bodies] == [False]
    assert [r["user"] for r in rows_of(pages)] == ["<root>", "dave@beta.onaliyun.com"]


# -- STS --------------------------------------------------------------------------------------


@SIGNATURES
def test_assumed_role_credentials_read_the_role_accounts_report(cloud, v1):
    before = datetime.now(timezone.utc)
    body = assume(cloud, v1=v1, duration=1800)
    creds = body.credentials
    assert creds.access_key_id.startswith("STS.")
    expiration = datetime.strptime(creds.expiration, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert timedelta(seconds=1790) <= expiration - before <= timedelta(seconds=1810)
    assert body.assumed_role_user.arn == f"acs:ram::{ALPHA_ID}:assumed-role/rootwatchd-audit/rootwatchd"

    temporary = dict(key=(creds.access_key_id, creds.access_key_secret), token=creds.security_token, v1=v1)
    identity = sts(cloud, **temporary).get_caller_identity().body
    assert (identity.account_id, identity.identity_type) == (ALPHA_ID, "AssumedRoleUser")
    _, pages = read_report(ims(cloud, **temporary))
    assert rows_of(pages)[0]["user"] == "<root>"
    events = lookup(trail(cloud, **temporary), event_name="ConsoleSignin")
    assert events["Events"][0]["userIdentity"]["accountId"] == ALPHA_ID


def test_cross_account_role_maps_to_the_roles_account(cloud):
    creds = assume(cloud, role=BETA_ROLE, external_id=None).credentials
    identity = sts(cloud, key=(creds.access_key_id, creds.access_key_secret), token=creds.security_token)
    assert identity.get_caller_identity().body.account_id == BETA_ID


@pytest.mark.parametrize(
    "key, role, external_id, duration, status, code",
    [
        (SECURITY, ALPHA_ROLE, "wrong", None, 403, "NoPermission"),
        (SECURITY, ALPHA_ROLE, None, None, 403, "NoPermission"),
        (ALPHA_ROOT, ALPHA_ROLE, "alpha-ext-7f3a", None, 403, "NoPermission"),
        (SECURITY, f"acs:ram::{ALPHA_ID}:role/nope", None, None, 404, "EntityNotExist.Role"),
        (SECURITY, ALPHA_ROLE, "alpha-ext-7f3a", 600, 400, "InvalidParameter.DurationSeconds"),
    ],
    ids=["wrong-external-id", "missing-external-id", "root-key", "unknown-role", "too-short"],
)
def test_assume_role_refusals(cloud, key, role, external_id, duration, status, code):
    error = sdk_error(lambda: assume(cloud, key=key, role=role, external_id=external_id, duration=duration))
    assert (error.status_code, error.code) == (status, code)


@SIGNATURES
def test_expired_or_wrong_security_token_is_refused(cloud, v1):
    creds = assume(cloud).credentials
    key = (creds.access_key_id, creds.access_key_secret)
    error = sdk_error(lambda: sts(cloud, key=key, token="CAISnot-the-token", v1=v1).get_caller_identity())
    assert (error.status_code, error.code) == (400, "InvalidSecurityToken.Expired")
    cloud.expire_sessions()
    error = sdk_error(lambda: sts(cloud, key=key, token=creds.security_token, v1=v1).get_caller_identity())
    assert (error.status_code, error.code) == (400, "InvalidSecurityToken.Expired")


# -- signatures -------------------------------------------------------------------------------


@SIGNATURES
def test_wrong_secret_is_signature_does_not_match(cloud, v1):
    error = sdk_error(lambda: ims(cloud, key=(ALPHA[0], "not-the-secret"), v1=v1).generate_credential_report())
    assert (error.status_code, error.code) == (400, "SignatureDoesNotMatch")


@SIGNATURES
def test_unknown_access_key_is_not_found(cloud, v1):
    error = sdk_error(lambda: ims(cloud, key=("LTAI5tNobody000000000000", "x"), v1=v1).generate_credential_report())
    assert (error.status_code, error.code) == (404, "InvalidAccessKeyId.NotFound")


@SIGNATURES
def test_replayed_request_is_signature_nonce_used(cloud, v1, monkeypatch):
    original = DaraCore.do_action
    captured = []

    def capture(request, runtime=None):
        captured.append((request, runtime))
        return original(request, runtime)

    monkeypatch.setattr(DaraCore, "do_action", staticmethod(capture))
    sts(cloud, v1=v1).get_caller_identity()
    monkeypatch.setattr(DaraCore, "do_action", staticmethod(original))

    replay = original(*captured[0])
    assert replay.status_code == 400
    assert json.loads(replay.body)["Code"] == "SignatureNonceUsed"


@SIGNATURES
@pytest.mark.parametrize("skew", [timedelta(minutes=-16), timedelta(minutes=16)], ids=["past", "future"])
def test_stale_timestamp_is_expired(cloud, v1, skew, monkeypatch):
    stamp = (datetime.now(timezone.utc) + skew).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: stamp))
    error = sdk_error(lambda: sts(cloud, v1=v1).get_caller_identity())
    assert (error.status_code, error.code) == (400, "InvalidTimeStamp.Expired")


def test_fourteen_minutes_of_skew_is_accepted(cloud, monkeypatch):
    stamp = (datetime.now(timezone.utc) - timedelta(minutes=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: stamp))
    assert sts(cloud).get_caller_identity().body.account_id == ALPHA_ID


def test_minimal_signed_headers_are_enough_and_responses_carry_fresh_request_ids(cloud):
    seen = set()
    for _ in range(3):
        status, headers, body = raw_v3(cloud, "GetCallerIdentity", "2015-04-01")
        assert status == 200 and headers["content-type"] == "application/json"
        seen.add(json.loads(body)["RequestId"])
    assert len(seen) == 3 and all(REQUEST_ID.match(r) for r in seen)


@pytest.mark.parametrize(
    "change, code",
    [
        (dict(drop=["x-acs-date"]), "MissingParameter"),
        (dict(drop=["x-acs-signature-nonce"]), "MissingParameter"),
        (dict(authorization="ACS3-HMAC-SHA256 Credential=LTAI5tAlphaAuditKey00001"), "IncompleteSignature"),
        (dict(authorization="HMAC-MD5 whatever"), "IncompleteSignature"),
        (dict(date="04 Dec 2026 10:00:00"), "InvalidTimeStamp.Format"),
    ],
    ids=["no-date", "no-nonce", "no-signed-headers", "unknown-algorithm", "bad-date"],
)
def test_malformed_v3_requests_are_refused_with_the_gateway_codes(cloud, change, code):
    status, headers, body = raw_v3(cloud, "GetCallerIdentity", "2015-04-01", **change)
    document = json.loads(body)
    assert (status, document["Code"]) == (400, code)
    assert set(document) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert document["HostId"] == cloud.endpoint and headers["content-type"] == "application/json"


def test_unknown_action_and_wrong_version(cloud):
    status, _, body = raw_v3(cloud, "DescribeRegions", "2014-05-26")
    assert (status, json.loads(body)["Code"]) == (404, "InvalidAction.NotFound")
    status, _, body = raw_v3(cloud, "GetCallerIdentity", "2019-08-15")
    assert (status, json.loads(body)["Code"]) == (400, "InvalidVersion")


def test_v1_assume_role_over_get_is_accepted(cloud, monkeypatch):
    # The credentials library calls AssumeRole with GET and V1 signing (alibaba-api.md §5.1).
    original = DaraCore.do_action

    def as_get(request, runtime=None):
        request.method = "GET"
        request.query.pop("Signature")
        request.query["Signature"] = Utils.get_rpcsignature(request.query, "GET", SECURITY[1])
        return original(request, runtime)

    monkeypatch.setattr(DaraCore, "do_action", staticmethod(as_get))
    body = assume(cloud, v1=True)
    assert body.credentials.access_key_id.startswith("STS.")
    assert cloud.requests(1)[0]["signature"] == "v1"


# -- faults -----------------------------------------------------------------------------------


def test_throttle_with_retry_after_then_recovers_after_count(cloud):
    cloud.add_faults([{"account": "alpha", "action": "GenerateCredentialReport", "type": "throttle",
                       "count": 2, "retry_after": 3}])
    for _ in range(2):
        error = sdk_error(lambda: ims(cloud).generate_credential_report())
        assert (error.status_code, error.code, error.retry_after) == (400, "Throttling.User", 3)
    assert ims(cloud).generate_credential_report().body.state in ("STARTED", "INPROGRESS", "COMPLETED")


def test_fault_scope_is_account_and_action(cloud):
    cloud.add_faults([{"account": "beta", "action": "*", "type": "forbidden", "count": -1}])
    assert ims(cloud).generate_credential_report().body.state  # alpha is untouched
    beta = ("LTAI5tBetaAuditKey000001", "betaSecret00000000000000000001")
    for _ in range(3):
        error = sdk_error(lambda: ims(cloud, key=beta).generate_credential_report())
        assert (error.status_code, error.code) == (403, "Forbidden.RAM")
    cloud.clear_faults()
    assert ims(cloud, key=beta).generate_credential_report().body.state == "COMPLETED"


@pytest.mark.parametrize(
    "fault, status, code",
    [
        ({"type": "server_error"}, 500, "InternalError"),
        ({"type": "server_error", "status": 503}, 503, "ServiceUnavailable"),
        ({"type": "forbidden", "code": "NoPermission"}, 403, "NoPermission"),
        ({"type": "throttle"}, 400, "Throttling.User"),
    ],
    ids=["500", "503", "no-permission", "throttle-no-retry-after"],
)
def test_error_faults_answer_gateway_json(cloud, fault, status, code):
    cloud.add_faults([{"account": "alpha", "action": "GetCredentialReport", **fault}])
    got_status, headers, body = raw_v3(cloud, "GetCredentialReport", "2019-08-15")
    assert (got_status, json.loads(body)["Code"]) == (status, code)
    assert "x-acs-retry-after" not in headers
    assert raw_v3(cloud, "GetCredentialReport", "2019-08-15")[0] == 200  # count 1 by default


def test_html_503_fault(cloud):
    cloud.add_faults([{"account": "alpha", "type": "server_error", "status": 503, "html": True}])
    status, headers, body = raw_v3(cloud, "GetCredentialReport", "2019-08-15")
    assert (status, headers["content-type"]) == (503, "text/html")
    assert body.startswith(b"<!DOCTYPE html>")


def test_delay_fault_holds_the_answer(cloud):
    cloud.add_faults([{"account": "alpha", "action": "GetCallerIdentity", "type": "delay", "ms": 400}])
    started = time.monotonic()
    assert sts(cloud).get_caller_identity().body.account_id == ALPHA_ID
    assert time.monotonic() - started >= 0.4


def test_malformed_json_fault(cloud):
    cloud.add_faults([{"account": "alpha", "action": "GetCredentialReport", "type": "malformed_json"}])
    status, _, body = raw_v3(cloud, "GetCredentialReport", "2019-08-15")
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_report_corrupting_faults(cloud):
    client = ims(cloud)

    def first_page_with(fault: str) -> str:
        cloud.add_faults([{"account": "alpha", "action": "GetCredentialReport", "type": fault}])
        return client.get_credential_report(ims_models.GetCredentialReportRequest()).body.content

    with pytest.raises(ValueError):
        base64.b64decode(first_page_with("truncated_base64"), validate=True)
    without_root = base64.b64decode(first_page_with("missing_root")).decode()
    assert without_root.startswith("user,") and "<root>" not in without_root
    assert "alice@alpha.onaliyun.com" in without_root
    assert first_page_with("empty_report") == ""
    normal = client.get_credential_report(ims_models.GetCredentialReportRequest()).body.content
    assert "<root>" in base64.b64decode(normal).decode()  # each fault fired once


@SIGNATURES
def test_actiontrail_not_enabled(cloud, v1):
    beta = ("LTAI5tBetaAuditKey000001", "betaSecret00000000000000000001")
    error = sdk_error(lambda: lookup(trail(cloud, key=beta, v1=v1), event_name="ConsoleSignin"))
    assert (error.status_code, error.code) == (403, "ActionTrailNotEnabled")
    cloud.add_faults([{"account": "alpha", "action": "LookupEvents", "type": "actiontrail_not_enabled"}])
    error = sdk_error(lambda: lookup(trail(cloud, v1=v1)))
    assert error.code == "ActionTrailNotEnabled"


def test_faults_from_the_scenario_and_bad_fault_types(cloud):
    scenario = json.loads((SCENARIOS / "basic.json").read_text())
    scenario["faults"] = [{"account": "alpha", "action": "GetCallerIdentity", "type": "server_error", "count": 1}]
    with FakeCloud(scenario) as fresh:
        assert sdk_error(lambda: sts(fresh).get_caller_identity()).code == "InternalError"
        assert sts(fresh).get_caller_identity().body.account_id == ALPHA_ID
        with pytest.raises(Exception, match="unknown fault type"):
            fresh.add_faults([{"type": "explode"}])


# -- ActionTrail ------------------------------------------------------------------------------


@SIGNATURES
def test_lookup_events_filters_pages_and_orders_newest_first(cloud, v1):
    client = trail(cloud, v1=v1)
    events, token = [], None
    for _ in range(10):
        page = lookup(client, event_name="ConsoleSignin", max_results="2", next_token=token)
        assert len(page["Events"]) <= 2
        events += page["Events"]
        token = page.get("NextToken")
        if not token:
            break
    # The default window is 7 days: the -20d logon is outside it; the ApiCall is filtered out.
    times = [e["eventTime"] for e in events]
    assert times == sorted(times, reverse=True) and len(events) == 4
    assert {e["eventName"] for e in events} == {"ConsoleSignin"}
    root = [e for e in events if e["userIdentity"]["type"] == "root-account"]
    # isMFAChecked arrives as a string or a bool; the failed sign-in carries errorCode/errorMessage.
    assert [e["additionalEventData"]["isMFAChecked"] for e in root] == ["false", "false", True]
    assert ["errorCode" in e for e in root] == [False, True, False] and root[1]["errorMessage"]


def test_lookup_events_time_window_and_forward_direction(cloud):
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    page = lookup(trail(cloud), start_time=(now - timedelta(days=30)).strftime(fmt),
                  end_time=(now - timedelta(hours=1)).strftime(fmt), direction="FORWARD", max_results="50")
    names = [(e["eventName"], e["userIdentity"]["type"]) for e in page["Events"]]
    assert [e["eventTime"] for e in page["Events"]] == sorted(e["eventTime"] for e in page["Events"])
    assert names == [("ConsoleSignin", "root-account"), ("ConsoleSignin", "root-account"),
                     ("ConsoleSignin", "ram-user"), ("DescribeInstances", "root-account")]
    assert page["StartTime"] == (now - timedelta(days=30)).strftime(fmt)


def test_admin_events_and_root_changes_are_served():
    with FakeCloud(SCENARIOS / "basic.json") as cloud:
        _check_admin_events_and_root_changes(cloud)


def _check_admin_events_and_root_changes(cloud):
    cloud.add_events("alpha", [{"template": "root-console-signin", "eventTime": "-30s", "mfa_checked": True,
                                "sourceIpAddress": "198.51.100.99"}])
    newest = lookup(trail(cloud), event_name="ConsoleSignin")["Events"][0]
    assert newest["sourceIpAddress"] == "198.51.100.99" and newest["additionalEventData"]["isMFAChecked"] is True

    bodies, _ = read_report(ims(cloud))
    before = bodies[0]["GeneratedTime"]
    answer = cloud.set_root("alpha", {"user_last_logon": "-1m", "mfa_active": "TRUE"})
    bodies, pages = read_report(ims(cloud))
    root = rows_of(pages)[0]
    assert root["mfa_active"] == "TRUE" and root["user_last_logon"] == answer["root"]["user_last_logon"]
    assert bodies[0]["GeneratedTime"] > before


# -- concurrency, stats, quirks, lifecycle ----------------------------------------------------


def test_peak_concurrency_counts_parallel_sdk_calls(cloud):
    parallel = 8
    cloud.set_latency(300)
    cloud.reset_stats()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        results = list(pool.map(lambda _: sts(cloud).get_caller_identity().body.account_id, range(parallel)))
    elapsed = time.monotonic() - started
    stats = cloud.stats()
    assert results == [ALPHA_ID] * parallel
    assert stats["peak_concurrency"] == parallel and stats["in_flight"] == 0
    assert stats["by_action"] == {"GetCallerIdentity": parallel}
    assert elapsed < parallel * 0.3 / 2  # they really overlapped


def test_stats_count_rejections_and_the_request_log_masks_keys(cloud):
    cloud.reset_stats()
    sdk_error(lambda: ims(cloud, key=(ALPHA[0], "wrong")).generate_credential_report())
    ims(cloud, v1=True).generate_credential_report()
    stats = cloud.stats()
    assert stats["rejected"] == {"SignatureDoesNotMatch": 1} and stats["requests"] == 2
    log = cloud.requests(2)
    assert [(r["signature"], r["status"], r["code"]) for r in log] == [("v3", 400, "SignatureDoesNotMatch"),
                                                                      ("v1", 200, None)]
    assert log[1]["account"] == "alpha" and log[1]["access_key_id"] == "LTAI****0001"


def test_quirks_scenario_renders_every_quirk():
    doc = json.loads((SCENARIOS / "quirks.json").read_text())
    keys = {a["name"]: (a["access_keys"][0]["id"], a["access_keys"][0]["secret"]) for a in doc["accounts"]}
    with FakeCloud(doc) as quirky:
        raw = {name: read_report(ims(quirky, key=key))[1] for name, key in keys.items()}
    assert raw["bom"][0].startswith("\ufeffuser,")
    assert "\r\n" in raw["crlf"][0] and "\r\n" not in raw["bom"][0]
    assert raw["quote-all"][0].startswith('"user","user_creation_time"')
    assert not raw["shuffled"][0].startswith("user,")
    assert raw["extra-columns"][0].splitlines()[0].endswith(",user_id,region_hint")
    assert "mfa_active" not in raw["no-mfa-column"][0].splitlines()[0]
    assert len(raw["header-once"]) == 3 and not raw["header-once"][1].startswith("user,")
    assert all(page.startswith("user,") for page in raw["header-every-page"])
    for name, pages in raw.items():
        rows = rows_of(pages)
        assert rows[0]["user"] == "<root>", name
        assert rows[0]["access_key_2_last_used"] == "", name
        assert 'o\'brien, "ops"@corp.onaliyun.com' in [r["user"] for r in rows], name
        assert "two\nlines@corp.onaliyun.com" in [r["user"] for r in rows], name
        assert len(rows) == 6, name


def test_generated_accounts_have_deterministic_keys():
    with FakeCloud(SCENARIOS / "basic.json", extra_args=["--generate-accounts", "12"]) as bench:
        identity = sts(bench, key=("LTAI5tBench00000011", "benchsecret11")).get_caller_identity().body
        _, pages = read_report(ims(bench, key=("LTAI5tBench00000010", "benchsecret10")))
    assert identity.account_id == str(1700000000000011)
    assert rows_of(pages)[0]["user"] == "<root>" and len(rows_of(pages)) == 5


def test_sigterm_stops_the_server_cleanly():
    with FakeCloud(SCENARIOS / "demo.json") as demo:
        process = demo._process
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0


def test_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )
    with FakeCloud(SCENARIOS / "basic.json", extra_args=["--tls-cert", str(cert), "--tls-key", str(key)]) as tls:
        assert tls.url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        connection = http.client.HTTPSConnection(tls.endpoint, timeout=10, context=context)
        connection.request("GET", "/__admin/health")
        assert json.loads(connection.getresponse().read()) == {"ok": True}
        connection.close()


def test_verifier_accepts_the_documented_vectors():
    # alibaba-api.md §3.3 V3-B and V1-B (key testid / testsecret at 2025-01-02T03:04:05Z).
    from fakecloudlib.credentials import CredentialStore
    from fakecloudlib.errors import ApiError
    from fakecloudlib.scenario import Scenario
    from fakecloudlib.signature import Incoming, SignatureVerifier

    scenario = Scenario({"accounts": [{"name": "t", "account_id": "1",
                                       "access_keys": [{"id": "testid", "secret": "testsecret"}]}]})
    verifier = SignatureVerifier(CredentialStore(scenario))
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    v3_headers = {
        "host": "ims.aliyuncs.com", "x-acs-action": "GenerateCredentialReport", "x-acs-version": "2019-08-15",
        "x-acs-date": "2025-01-02T03:04:05Z", "x-acs-signature-nonce": "c0ffee00c0ffee00c0ffee00c0ffee00",
        "x-acs-content-sha256": EMPTY_SHA256,
        "authorization": "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
                         "x-acs-date;x-acs-signature-nonce;x-acs-version,"
                         "Signature=0f6b9a7f9368b8a8f19be17e5b7b486f5e0e07e38425e95298e9ceda83496014",
    }
    assert verifier.authenticate(Incoming("POST", "/", {}, {}, v3_headers, b""), now).access_key_id == "testid"
    v1_params = {
        "AccessKeyId": "testid", "Action": "GenerateCredentialReport", "Format": "json", "Version": "2019-08-15",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "c0ffee00c0ffee00c0ffee00c0ffee00",
        "SignatureVersion": "1.0", "Timestamp": "2025-01-02T03:04:05Z", "Signature": "mf3/JWnEP5P5yVbTipfRd0579gM=",
    }
    fresh = SignatureVerifier(CredentialStore(scenario))
    assert fresh.authenticate(Incoming("POST", "/", v1_params, v1_params, {}, b""), now).access_key_id == "testid"
    tampered = {**v1_params, "Version": "2019-08-16"}
    with pytest.raises(ApiError) as info:
        fresh.authenticate(Incoming("POST", "/", tampered, tampered, {}, b""), now)
    assert info.value.code == "SignatureDoesNotMatch"
