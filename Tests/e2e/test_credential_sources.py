"""Every credential source of [credentials NAME] signs real requests the fake cloud's SDK oracle accepts.

Static keys are covered everywhere else; these tests drive `rootwatchd check --no-alerts --json` with
the instance RAM role (token-protected metadata service), an aliyun CLI profile (AK and RamRoleArn
modes), the standard environment variables, and an AssumeRole on top of each.
"""

import json

import pytest
from fakecloud_client import SCENARIOS, FakeCloud
from rootwatch import Setup, run

SCENARIO = json.loads((SCENARIOS / "demo.json").read_text())
SCENARIO["instance_role"] = {"account": "staging", "role": "rootwatchd-ecs", "expiration_seconds": 3600}
STAGING = next(a for a in SCENARIO["accounts"] if a["name"] == "staging")
PROD = next(a for a in SCENARIO["accounts"] if a["name"] == "prod")


@pytest.fixture(scope="module")
def cloud():
    with FakeCloud(SCENARIO) as cloud:
        yield cloud


def check(binary, setup, env=None):
    result = run(binary, "check", "--no-alerts", "--json", *setup.args(), env=env)
    assert result.returncode in (0, 3), result.stderr
    return {a["account"]: a for a in json.loads(result.stdout)["accounts"]}


def base_setup(tmp_path, cloud, metadata=True):
    setup = Setup.create(tmp_path)
    setup.daemon(interval="1m")
    endpoints = {"ims": cloud.url, "sts": cloud.url, "actiontrail": cloud.url}
    if metadata:
        endpoints["metadata"] = cloud.url
    setup.sections.append(Setup._section("endpoints", endpoints))
    return setup


def test_instance_ram_role_from_the_metadata_service(rootwatchd_binary, cloud, tmp_path):
    setup = base_setup(tmp_path, cloud)
    setup.sections.append(Setup._section("credentials ecs", {"source": "ecs-ram-role"}))
    setup.account("staging", credentials="ecs")
    setup.write()
    accounts = check(rootwatchd_binary, setup)
    assert accounts["staging"]["ok"], accounts
    assert accounts["staging"]["account_id"] == STAGING["account_id"]
    assert accounts["staging"]["findings"][0]["kind"] == "root-console-logon"


def test_instance_ram_role_then_assume_role(rootwatchd_binary, cloud, tmp_path):
    setup = base_setup(tmp_path, cloud)
    setup.sections.append(Setup._section("credentials ecs", {"source": "ecs-ram-role", "ram_role_name": "rootwatchd-ecs"}))
    setup.account("prod", credentials="ecs", role_arn=f"acs:ram::{PROD['account_id']}:role/rootwatchd-audit",
                  external_id="demo-prod-ext")
    setup.write()
    accounts = check(rootwatchd_binary, setup)
    assert accounts["prod"]["ok"], accounts
    assert accounts["prod"]["account_id"] == PROD["account_id"]


@pytest.mark.parametrize("mode", ["AK", "RamRoleArn"])
def test_cli_profile(rootwatchd_binary, cloud, tmp_path, mode):
    key = next(k for k in STAGING["access_keys"] if not k.get("root"))
    profile = {"name": "audit", "mode": mode, "access_key_id": key["id"], "access_key_secret": key["secret"]}
    target = STAGING
    if mode == "RamRoleArn":
        key = next(k for k in PROD["access_keys"] if not k.get("root"))
        profile.update(access_key_id=key["id"], access_key_secret=key["secret"],
                       ram_role_arn=f"acs:ram::{PROD['account_id']}:role/rootwatchd-audit",
                       external_id="demo-prod-ext", ram_session_name="rootwatchd")
        target = PROD
    cli = tmp_path / "config.json"
    cli.write_text(json.dumps({"current": "other", "profiles": [{"name": "other", "mode": "AK",
                                                                   "access_key_id": "LTAI5tWrong000000000000",
                                                                   "access_key_secret": "wrong"}, profile]}))
    setup = base_setup(tmp_path, cloud, metadata=False)
    setup.sections.append(Setup._section("credentials cli", {"source": "cli-profile", "profile": "audit",
                                                              "cli_config": str(cli)}))
    setup.account(target["name"], credentials="cli")
    setup.write()
    accounts = check(rootwatchd_binary, setup)
    assert accounts[target["name"]]["ok"], accounts
    assert accounts[target["name"]]["account_id"] == target["account_id"]


def test_environment_variables(rootwatchd_binary, cloud, tmp_path):
    key = next(k for k in STAGING["access_keys"] if not k.get("root"))
    setup = base_setup(tmp_path, cloud, metadata=False)
    setup.sections.append(Setup._section("credentials env", {"source": "environment"}))
    setup.account("staging", credentials="env")
    setup.write()
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": key["id"], "ALIBABA_CLOUD_ACCESS_KEY_SECRET": key["secret"]}
    accounts = check(rootwatchd_binary, setup, env=env)
    assert accounts["staging"]["ok"], accounts
    # The secret from the environment never shows in check-config's summary.
    summary = run(rootwatchd_binary, "check-config", *setup.args(), env=env)
    assert summary.returncode == 0, summary.stderr
    assert key["secret"] not in summary.stdout + summary.stderr
