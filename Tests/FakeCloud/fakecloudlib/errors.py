"""API errors in the shape the Alibaba Cloud gateway returns them.

Every rejection is an ``ApiError`` carrying the HTTP status, the error ``Code`` and ``Message``; the
server renders it as ``{"RequestId", "HostId", "Code", "Message", "Recommend"}`` so clients see
exactly what the official SDK parses (alibaba-api.md §1.5). Codes and messages below are the
gateway's common ones; the few this fake had to choose are marked in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

# Which product name the Recommend link uses for each API action.
PRODUCT_BY_ACTION = {
    "GenerateCredentialReport": "Ims",
    "GetCredentialReport": "Ims",
    "AssumeRole": "Sts",
    "GetCallerIdentity": "Sts",
    "LookupEvents": "Actiontrail",
}


@dataclass
class ApiError(Exception):
    """A request the fake refuses, rendered as the gateway's JSON error body."""

    status: int
    code: str
    message: str
    headers: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def body(self, request_id: str, host_id: str, action: str | None) -> dict:
        """The JSON error document, with a troubleshooting link like the real gateway's."""
        product = PRODUCT_BY_ACTION.get(action or "", "")
        recommend = (
            f"https://api.aliyun.com/troubleshoot?q={quote(self.code)}"
            f"&product={product}&requestId={request_id}"
        )
        doc = {
            "RequestId": request_id,
            "HostId": host_id,
            "Code": self.code,
            "Message": self.message,
            "Recommend": recommend,
        }
        doc.update(self.extra)
        return doc


def missing_parameter(name: str) -> ApiError:
    return ApiError(
        400,
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
    )


def invalid_parameter(name: str, detail: str = "") -> ApiError:
    message = f'The specified parameter "{name}" is not valid.'
    return ApiError(400, "InvalidParameter", f"{message} {detail}".strip())


def incomplete_signature(detail: str) -> ApiError:
    return ApiError(
        400,
        "IncompleteSignature",
        f"The request signature does not conform to Aliyun standards. {detail}",
    )


def signature_does_not_match(string_to_sign: str = "") -> ApiError:
    message = "Specified signature does not match our calculation."
    if string_to_sign:
        message += f" server string to sign is:{string_to_sign}"
    return ApiError(400, "SignatureDoesNotMatch", message)


def access_key_not_found() -> ApiError:
    return ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")


def timestamp_expired() -> ApiError:
    return ApiError(
        400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
    )


def timestamp_format() -> ApiError:
    return ApiError(
        400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
    )


def nonce_used() -> ApiError:
    return ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")


def security_token_expired() -> ApiError:
    return ApiError(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")


def security_token_mismatch() -> ApiError:
    return ApiError(
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
        "Specified SecurityToken mismatch with the AccessKey.",
    )


def unknown_action(action: str) -> ApiError:
    return ApiError(
        404,
        "InvalidAction.NotFound",
        f"Specified api is not found, please check your url and method. ({action})",
    )


def invalid_version(version: str) -> ApiError:
    return ApiError(400, "InvalidVersion", f"Specified parameter Version is not valid. ({version})")


def no_permission(message: str = "") -> ApiError:
    return ApiError(
        403,
        "NoPermission",
        message or "You are not authorized to do this action. You should be authorized by RAM.",
    )
