"""The API actions: IMS credential report, STS AssumeRole / GetCallerIdentity, ActionTrail.

Each handler takes the authenticated principal and the request parameters and returns the
response document without ``RequestId`` (the server adds it), or raises an ApiError.
"""

from __future__ import annotations

import re
from datetime import datetime

from . import errors, timeutil
from .credentials import CredentialStore, Principal
from .faults import Fault, actiontrail_not_enabled
from .scenario import Scenario

_SESSION_NAME = re.compile(r"^[\w.@-]{2,64}$")


class CloudApi:
    """Dispatches an action to its handler; knows each action's API version."""

    VERSIONS = {
        "GenerateCredentialReport": "2019-08-15",
        "GetCredentialReport": "2019-08-15",
        "AssumeRole": "2015-04-01",
        "GetCallerIdentity": "2015-04-01",
        "LookupEvents": "2020-07-06",
    }

    def __init__(self, scenario: Scenario, store: CredentialStore):
        self._scenario = scenario
        self._store = store

    def dispatch(self, action: str, principal: Principal, params: dict, now: datetime, fault: Fault | None) -> dict:
        handler = {
            "GenerateCredentialReport": self.generate_credential_report,
            "GetCredentialReport": self.get_credential_report,
            "AssumeRole": self.assume_role,
            "GetCallerIdentity": self.get_caller_identity,
            "LookupEvents": self.lookup_events,
        }[action]
        return handler(principal, params, now, fault.type if fault else None)

    # -- IMS ------------------------------------------------------------------------------------

    def generate_credential_report(self, principal, params, now, fault) -> dict:
        return {"State": principal.account.report.next_generate_state()}

    def get_credential_report(self, principal, params, now, fault) -> dict:
        report_fault = fault if fault in ("missing_root", "empty_report", "truncated_base64") else None
        return principal.account.report.page(params.get("MaxItems"), params.get("NextToken"), report_fault)

    # -- STS ------------------------------------------------------------------------------------

    def assume_role(self, principal, params, now, fault) -> dict:
        for name in ("RoleArn", "RoleSessionName"):
            if not params.get(name):
                raise errors.missing_parameter(name)
        if principal.identity_type == "Account":
            raise errors.no_permission("Roles may not be assumed by root accounts.")
        session_name = params["RoleSessionName"]
        if not _SESSION_NAME.match(session_name):
            raise errors.ApiError(
                400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed."
            )
        role = self._scenario.role_by_arn(params["RoleArn"])
        if role is None:
            raise errors.ApiError(404, "EntityNotExist.Role", f"The role not exists: {params['RoleArn']}.")
        if role.external_id is not None and params.get("ExternalId") != role.external_id:
            raise errors.no_permission(
                "You are not authorized to do this action. The ExternalId does not match the role's trust policy."
            )
        duration = params.get("DurationSeconds", "3600")
        if not duration.isdigit() or not 900 <= int(duration) <= role.max_session_duration:
            raise errors.ApiError(
                400,
                "InvalidParameter.DurationSeconds",
                f"The Min/Max value of DurationSeconds is 15min/{role.max_session_duration}s.",
            )
        session = self._store.issue(role, session_name, int(duration), now)
        return {
            "AssumedRoleUser": {"Arn": session.arn, "AssumedRoleId": session.principal_id},
            "Credentials": {
                "AccessKeyId": session.access_key_id,
                "AccessKeySecret": session.secret,
                "SecurityToken": session.security_token,
                "Expiration": timeutil.format_iso(session.expiration),
            },
        }

    def get_caller_identity(self, principal, params, now, fault) -> dict:
        body = {
            "AccountId": principal.account.account_id,
            "UserId": principal.principal_id,
            "PrincipalId": principal.principal_id,
            "Arn": principal.arn,
            "IdentityType": principal.identity_type,
        }
        if principal.role is not None:
            body["RoleId"] = principal.role.role_id
        return body

    # -- ActionTrail ----------------------------------------------------------------------------

    def lookup_events(self, principal, params, now, fault) -> dict:
        trail = principal.account.trail
        if not trail.enabled:
            raise actiontrail_not_enabled()
        return trail.lookup(params, now)
