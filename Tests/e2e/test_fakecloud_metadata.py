"""The fake cloud's ECS metadata service: token-protected RAM-role credentials that sign real calls.

The token and credential paths behave as alibaba-api.md §5.2 documents (and refuse token-less
reads), and the STS credential they hand out is accepted by the fake's IMS and STS when the official
SDK signs with it, V3 and V1 — so a client that reads the instance role correctly can scan with it.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from datetime import datetime, timezone

import pytest
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as openapi_models
from fakecloud_client import FakeCloud

ACCOUNT_ID = "1234567890123456"
SCENARIO = {
    "instance_role": {"account": "prod", "role": "rootwatchd-ecs", "expiration_seconds": 3600},
    "accounts": [
        {
            "name": "prod",
            "account_id": ACCOUNT_ID,
            "access_keys": [{"id": "LTAI5tMetadataProd0001", "secret": "metadataProdSecret0000001"}],
            "credential_report": {"rows": [{"user": "<root>", "user_last_logon": "-5m", "mfa_active": "TRUE"}]},
        }
    ],
}
TOKEN = "/latest/api/token"
ROLES = "/latest/meta-data/ram/security-credentials/"
TTL = "X-aliyun-ecs-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aliyun-ecs-metadata-token"


@pytest.fixture(scope="module")
def cloud():
    with FakeCloud(SCENARIO) as running:
        yield running


def call(cloud, method: str, path: str, headers: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection(cloud.endpoint, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def token(cloud, ttl: str = "21600") -> str:
    status, body = call(cloud, "PUT", TOKEN, {TTL: ttl})
    assert status == 200, body
    return body


def instance_credentials(cloud) -> dict:
    status, body = call(cloud, "GET", ROLES + "rootwatchd-ecs", {TOKEN_HEADER: token(cloud)})
    assert status == 200, body
    return json.loads(body)


def sdk_config(cloud, creds: dict, v1: bool = False) -> openapi_models.Config:
    cfg = openapi_models.Config(
        access_key_id=creds["AccessKeyId"], access_key_secret=creds["AccessKeySecret"],
        security_token=creds["SecurityToken"], endpoint=cloud.endpoint, protocol="HTTP",
        read_timeout=10000, connect_timeout=5000,
    )
    if v1:
        cfg.signature_algorithm = "v2"
    return cfg


# -- the token -------------------------------------------------------------------------------


def test_token_is_issued_for_a_put_with_a_ttl(cloud):
    first, second = token(cloud), token(cloud, "1")
    assert len(first) >= 32 and first != second


@pytest.mark.parametrize(
    "method, headers, status",
    [
        ("GET", {TTL: "21600"}, 405),
        ("PUT", {}, 400),
        ("PUT", {TTL: "0"}, 400),
        ("PUT", {TTL: "21601"}, 400),
        ("PUT", {TTL: "soon"}, 400),
        ("PUT", {TTL: "60", "X-Forwarded-For": "203.0.113.9"}, 403),
    ],
    ids=["get", "no-ttl", "ttl-zero", "ttl-too-long", "ttl-not-a-number", "forwarded"],
)
def test_token_refusals(cloud, method, headers, status):
    assert call(cloud, method, TOKEN, headers)[0] == status


def test_token_expires_after_its_ttl(cloud):
    short = token(cloud, "1")
    assert call(cloud, "GET", ROLES, {TOKEN_HEADER: short}) == (200, "rootwatchd-ecs")
    deadline = time.monotonic() + 5
    while call(cloud, "GET", ROLES, {TOKEN_HEADER: short})[0] == 200:
        assert time.monotonic() < deadline, "a 1 s token was still accepted after 5 s"
        time.sleep(0.1)
    assert call(cloud, "GET", ROLES, {TOKEN_HEADER: short})[0] == 401


# -- role and credentials --------------------------------------------------------------------


@pytest.mark.parametrize("path", [ROLES, ROLES + "rootwatchd-ecs"], ids=["role-list", "credentials"])
def test_reads_need_a_valid_token(cloud, path):
    assert call(cloud, "GET", path)[0] == 401  # token-less (IMDSv1) reads are refused
    assert call(cloud, "GET", path, {TOKEN_HEADER: "not-a-token"})[0] == 401
    assert call(cloud, "GET", path, {TOKEN_HEADER: token(cloud)})[0] == 200


def test_role_list_names_the_instance_role(cloud):
    assert call(cloud, "GET", ROLES, {TOKEN_HEADER: token(cloud)}) == (200, "rootwatchd-ecs")


def test_credentials_document(cloud):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    creds = instance_credentials(cloud)
    assert set(creds) == {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "LastUpdated", "Code"}
    assert creds["Code"] == "Success"
    assert creds["AccessKeyId"].startswith("STS.")
    assert creds["AccessKeySecret"] and creds["SecurityToken"]
    expiration = datetime.strptime(creds["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert 3598 <= (expiration - before).total_seconds() <= 3605
    # The same session is handed out again while most of its lifetime is left.
    assert instance_credentials(cloud)["AccessKeyId"] == creds["AccessKeyId"]


@pytest.mark.parametrize(
    "method, path, status",
    [("GET", ROLES + "another-role", 404), ("POST", ROLES + "rootwatchd-ecs", 405), ("GET", "/latest/meta-data/", 404)],
    ids=["other-role", "post", "other-path"],
)
def test_other_reads_are_refused(cloud, method, path, status):
    assert call(cloud, method, path, {TOKEN_HEADER: token(cloud)})[0] == status


def test_no_instance_role_in_the_scenario_lists_none():
    scenario = {key: value for key, value in SCENARIO.items() if key != "instance_role"}
    with FakeCloud(scenario) as bare:
        assert call(bare, "GET", ROLES, {TOKEN_HEADER: token(bare)})[0] == 404


# -- the credentials work --------------------------------------------------------------------


@pytest.mark.parametrize("v1", [False, True], ids=["v3", "v1"])
def test_instance_credentials_sign_ims_and_sts_calls(cloud, v1):
    creds = instance_credentials(cloud)
    report = ImsClient(sdk_config(cloud, creds, v1)).get_credential_report(ims_models.GetCredentialReportRequest()).body.to_map()
    assert base64.b64decode(report["Content"]).decode().splitlines()[1].startswith("<root>,")
    identity = StsClient(sdk_config(cloud, creds, v1)).get_caller_identity().body.to_map()
    assert identity["AccountId"] == ACCOUNT_ID
    assert identity["IdentityType"] == "AssumedRoleUser"
    assert identity["Arn"].startswith(f"acs:ram::{ACCOUNT_ID}:assumed-role/rootwatchd-ecs/")


def test_expired_sessions_are_replaced_on_the_next_read(cloud):
    old = instance_credentials(cloud)
    cloud.expire_sessions()
    with pytest.raises(Exception) as refused:
        ImsClient(sdk_config(cloud, old)).get_credential_report(ims_models.GetCredentialReportRequest())
    assert (refused.value.status_code, refused.value.code) == (400, "InvalidSecurityToken.Expired")
    new = instance_credentials(cloud)
    assert new["AccessKeyId"] != old["AccessKeyId"]
    assert ImsClient(sdk_config(cloud, new)).get_credential_report(ims_models.GetCredentialReportRequest()).body.to_map()["Content"]
