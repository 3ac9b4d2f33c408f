"""`rootwatchd test-alert` against a loopback receiver: every format arrives in the shape its platform
accepts, signatures verified the way the platform verifies them (the official `standardwebhooks`
library for `standard`), HTTPS with a private CA, failures reported per webhook with exit status 1."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Support"))

from rootwatch import MESSAGE_IDS, Setup, journal, run  # noqa: E402
from webhook_receiver import WebhookReceiver, make_certificates, standard_secret  # noqa: E402

SECRETS = {"standard": standard_secret(), "dingtalk": "SEC" + "0123456789abcdef" * 4, "lark": "larkTestSecret01"}
FORMATS = ["standard", "dingtalk", "lark", "slack", "teams", "wecom"]


def base_setup(tmp_path: Path) -> Setup:
    """A valid configuration whose one account is never contacted by test-alert."""
    setup = Setup.create(tmp_path)
    setup.credentials("main", "LTAI5tTestAlertOnly0001", "notUsedByTestAlert")
    setup.account("prod", credentials="main")
    return setup


def add_webhook(setup: Setup, receiver: WebhookReceiver, name: str, fmt: str, path: str | None = None,
                secret: str | None = None, **values) -> None:
    path = path or f"/{name}"
    url = receiver.url(path) + ("?access_token=tok3n" if fmt == "dingtalk" else "")
    if secret:
        secret_file = setup.secrets / f"webhook-{name}"
        secret_file.write_text(secret + "\n")
        secret_file.chmod(0o600)
        values["secret_file"] = str(secret_file)
    setup.webhook(name, url=url, format=fmt, **values)


@pytest.fixture
def receiver():
    with WebhookReceiver() as receiver:
        yield receiver


def test_every_format_is_delivered_verified_and_filters_do_not_apply(tmp_path, rootwatchd_binary, receiver):
    setup = base_setup(tmp_path)
    for fmt in FORMATS:
        receiver.script(f"/{fmt}", format=fmt, secret=SECRETS.get(fmt))
        # A kinds filter that excludes `test`: test-alert reaches every webhook anyway.
        add_webhook(setup, receiver, fmt, fmt, secret=SECRETS.get(fmt), kinds="root-console-logon")
    setup.write()

    result = run(rootwatchd_binary, *setup.args(), "test-alert", timeout=90)
    assert result.returncode == 0, result.stdout + result.stderr
    alert_id = result.stdout.split("alert id ")[1].split(")")[0]
    for fmt in FORMATS:
        requests = receiver.requests(f"/{fmt}")
        assert len(requests) == 1, (fmt, requests)
        assert requests[0]["verified"], (fmt, requests[0]["error"])
        assert alert_id in requests[0]["alert_ids"], (fmt, requests[0]["body"])
        line = next(line for line in result.stdout.splitlines() if line.startswith(f"webhook {fmt} ({fmt}, "))
        assert line.endswith(": delivered"), line
    # The Standard Webhooks id is the alert id, and URLs and secrets never reach the output.
    assert receiver.requests("/standard")[0]["headers"]["webhook-id"] == alert_id
    assert "tok3n" not in result.stdout + result.stderr and "access_token=****" in result.stdout
    for secret in SECRETS.values():
        assert secret not in result.stdout + result.stderr
    entries = journal(count=1, timeout=10, ROOTWATCH_ALERT_ID=alert_id)
    assert entries[0]["MESSAGE_ID"] == MESSAGE_IDS["test"] and entries[0]["ROOTWATCH_KIND"] == "test"


def test_failures_are_reported_per_webhook_and_exit_1(tmp_path, rootwatchd_binary, receiver):
    setup = base_setup(tmp_path)
    receiver.script("/good", format="standard", secret=SECRETS["standard"])
    receiver.script("/bad", format="standard", secret=SECRETS["standard"], answers=["400"])
    # The receiver holds another secret: DingTalk answers HTTP 200 with errcode 310000.
    receiver.script("/ding", format="dingtalk", secret="SECsomethingElse")
    add_webhook(setup, receiver, "good", "standard", secret=SECRETS["standard"])
    add_webhook(setup, receiver, "bad", "standard", secret=SECRETS["standard"])
    add_webhook(setup, receiver, "ding", "dingtalk", secret=SECRETS["dingtalk"])
    setup.write()

    result = run(rootwatchd_binary, *setup.args(), "test-alert", timeout=90)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split(" (")[0]: line for line in result.stdout.splitlines() if line.startswith("webhook ")}
    assert lines["webhook good"].endswith(": delivered")
    assert ": failed: " in lines["webhook bad"] and "400" in lines["webhook bad"]
    assert ": failed: " in lines["webhook ding"] and "310000" in lines["webhook ding"]
    assert len(receiver.requests("/bad")) == 1 and len(receiver.requests("/ding")) == 1, "permanent: no retries"

    only = run(rootwatchd_binary, *setup.args(), "test-alert", "--webhook", "good", timeout=60)
    assert only.returncode == 0, only.stdout + only.stderr
    assert len(receiver.requests("/good")) == 2 and len(receiver.requests("/bad")) == 1
    missing = run(rootwatchd_binary, *setup.args(), "test-alert", "--webhook", "nope", timeout=30)
    assert missing.returncode == 2 and "no [webhook nope]" in missing.stderr


def test_https_with_a_private_ca_needs_ca_file(tmp_path, rootwatchd_binary):
    certificates = make_certificates(tmp_path / "tls")
    with WebhookReceiver(tls=(certificates["cert"], certificates["key"])) as receiver:
        receiver.script("/tls", format="standard", secret=SECRETS["standard"])
        setup = base_setup(tmp_path)
        add_webhook(setup, receiver, "trusted", "standard", path="/tls", secret=SECRETS["standard"],
                    ca_file=certificates["ca"])
        add_webhook(setup, receiver, "untrusted", "standard", path="/tls", secret=SECRETS["standard"])
        setup.write()
        assert receiver.url("/tls").startswith("https://")

        trusted = run(rootwatchd_binary, *setup.args(), "test-alert", "--webhook", "trusted", timeout=60)
        assert trusted.returncode == 0, trusted.stdout + trusted.stderr
        assert len(receiver.requests("/tls")) == 1 and receiver.requests("/tls")[0]["verified"]

        untrusted = run(rootwatchd_binary, *setup.args(), "test-alert", "--webhook", "untrusted", timeout=60)
        assert untrusted.returncode == 1, untrusted.stdout + untrusted.stderr
        assert "failed: TLS failed" in untrusted.stdout, untrusted.stdout
        assert len(receiver.requests("/tls")) == 1, "the handshake failed before any request"
