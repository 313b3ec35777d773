"""Mobile push (platform applications and endpoints) and SMS settings, sandbox and opt-outs.

Nothing leaves the process: pushes and SMS land in ``aws.sns.outbox``. A new
account is in the SMS sandbox, as on AWS: SMS reach only verified
destination numbers until the test calls ``aws.sns.leave_sms_sandbox()``.
"""

from __future__ import annotations

import re
from typing import Any

from ...core.service import operation
from ..base import RequestContext
from .common import SnsBase, endpoint_arn_parts, split_arn
from .errors import (
    InvalidParameterException,
    NotFoundException,
    OptedOutException,
    ResourceNotFoundException,
    UserErrorException,
    ValidationException,
    VerificationException,
    invalid,
)
from .models import OutboxMessage, PlatformApplication, PlatformEndpoint, SandboxNumber

PLATFORMS = {
    "ADM",
    "APNS",
    "APNS_SANDBOX",
    "APNS_VOIP",
    "APNS_VOIP_SANDBOX",
    "BAIDU",
    "GCM",
    "MACOS",
    "MACOS_SANDBOX",
    "MPNS",
    "WNS",
}
APPLICATION_ATTRIBUTES = {
    "PlatformCredential",
    "PlatformPrincipal",
    "EventEndpointCreated",
    "EventEndpointDeleted",
    "EventEndpointUpdated",
    "EventDeliveryFailure",
    "SuccessFeedbackRoleArn",
    "FailureFeedbackRoleArn",
    "SuccessFeedbackSampleRate",
    "ApplePlatformTeamID",
    "ApplePlatformBundleID",
    "Enabled",
}
_SECRET_ATTRIBUTES = {"PlatformCredential", "PlatformPrincipal"}
ENDPOINT_ATTRIBUTES = {"CustomUserData", "Enabled", "Token"}
SMS_ATTRIBUTES = {
    "MonthlySpendLimit",
    "DeliveryStatusIAMRole",
    "DeliveryStatusSuccessSamplingRate",
    "DefaultSenderID",
    "DefaultSMSType",
    "UsageReportS3Bucket",
}
_APP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_SENDER_ID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$")
MAX_SANDBOX_NUMBERS = 10
OPT_IN_INTERVAL = 30 * 86400.0


def _check_application_name(name: str) -> None:
    """AWS names the application itself where the parameter's name usually goes."""
    if not name:
        raise invalid("", "cannot be empty")
    if len(name) > 256:
        raise invalid(name, "must be at most 256 characters long")
    if not _APP_NAME.match(name):
        raise invalid(name, "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'")


def _check_credentials(platform: str, attributes: dict[str, str]) -> None:
    """GCM (Firebase) needs a PlatformCredential only; other platforms a principal and a credential.

    Assumption: a non-GCM application with neither is refused as a GCM one without
    its credential is (AWS documents both as required).
    """
    credential, principal = bool(attributes.get("PlatformCredential")), bool(attributes.get("PlatformPrincipal"))
    if principal and not credential:
        raise invalid("Attributes", "PlatformPrincipal attribute provided without PlatformCredential")
    if platform != "GCM" and credential and not principal:
        raise invalid("Attributes", "PlatformCredential attribute provided without PlatformPrincipal")
    if not credential:
        raise invalid("Attributes", "PlatformCredential attribute required")


class MobileMixin(SnsBase):
    # -- platform applications --------------------------------------------------------

    def _check_application_attributes(self, attributes: dict[str, str]) -> None:
        for key, value in attributes.items():
            if key not in APPLICATION_ATTRIBUTES:
                raise invalid("Attributes", f"Invalid attribute name: {key}")
            if key == "Enabled" and value.lower() not in ("true", "false"):
                raise invalid("Attributes", "Invalid value for attribute: Enabled")

    @operation
    def create_platform_application(
        self, ctx: RequestContext, *, name: str, platform: str, attributes: dict[str, str] | None = None
    ) -> dict[str, Any]:
        # An empty map does not travel on the query protocol: None is {}.
        attributes = attributes or {}
        _check_application_name(name)
        if platform not in PLATFORMS:
            raise invalid("Platform", f"{platform} is not supported")
        self._check_application_attributes(attributes)
        _check_credentials(platform, attributes)
        store = self.ctx_store(ctx)
        arn = ctx.arn(f"app/{platform}/{name}")
        existing = store.applications.get(arn)
        if existing is not None:
            existing.attributes.update(attributes)
        else:
            store.applications[arn] = PlatformApplication(name, platform, arn, {"Enabled": "true", **attributes})
        return {"PlatformApplicationArn": arn}

    def _application(self, ctx: RequestContext, arn: str) -> PlatformApplication:
        split_arn(arn, "PlatformApplicationArn")
        found = self.find_application(arn)
        if found is None or arn.split(":")[3] != ctx.region:
            raise NotFoundException("PlatformApplication does not exist")
        return found

    @operation
    def delete_platform_application(self, ctx: RequestContext, *, platform_application_arn: str) -> None:
        split_arn(platform_application_arn, "PlatformApplicationArn")
        found = self.find_application(platform_application_arn)
        if found is None:
            return
        store = self.store(platform_application_arn.split(":")[4], platform_application_arn.split(":")[3])
        for arn in found.endpoint_arns:
            store.endpoints.pop(arn, None)
        del store.applications[found.arn]

    @operation
    def get_platform_application_attributes(
        self, ctx: RequestContext, *, platform_application_arn: str
    ) -> dict[str, Any]:
        app = self._application(ctx, platform_application_arn)
        return {"Attributes": {k: v for k, v in app.attributes.items() if k not in _SECRET_ATTRIBUTES}}

    @operation
    def set_platform_application_attributes(
        self, ctx: RequestContext, *, platform_application_arn: str, attributes: dict[str, str] | None = None
    ) -> None:
        app = self._application(ctx, platform_application_arn)
        self._check_application_attributes(attributes or {})
        app.attributes.update(attributes or {})

    @operation
    def list_platform_applications(self, ctx: RequestContext, *, next_token: str | None = None) -> dict[str, Any]:
        apps = list(self.ctx_store(ctx).applications.values())
        page, following = self.page(apps, next_token, 15)
        result: dict[str, Any] = {
            "PlatformApplications": [
                {
                    "PlatformApplicationArn": a.arn,
                    "Attributes": {k: v for k, v in a.attributes.items() if k not in _SECRET_ATTRIBUTES},
                }
                for a in page
            ]
        }
        if following:
            result["NextToken"] = following
        return result

    # -- platform endpoints ---------------------------------------------------------------

    @operation
    def create_platform_endpoint(
        self,
        ctx: RequestContext,
        *,
        platform_application_arn: str,
        token: str,
        custom_user_data: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        app = self._application(ctx, platform_application_arn)
        if not token:
            raise invalid("Token", "cannot be empty")
        wanted = {"Enabled": "true", **(attributes or {}), "Token": token}
        if custom_user_data is not None:
            wanted["CustomUserData"] = custom_user_data
        self._check_endpoint_attributes(wanted)
        store = self.store(app.arn.split(":")[4], app.arn.split(":")[3])
        for arn in app.endpoint_arns:
            existing = store.endpoints[arn]
            if existing.token == token:
                if existing.attributes != wanted:
                    raise invalid(
                        "Token", f"Endpoint {arn} already exists with the same Token, but different attributes."
                    )
                return {"EndpointArn": arn}
        arn = ctx.arn(f"endpoint/{app.platform}/{app.name}/{self.cloud.ids.uuid4()}")
        store.endpoints[arn] = PlatformEndpoint(arn, app.arn, wanted)
        app.endpoint_arns.append(arn)
        return {"EndpointArn": arn}

    def _check_endpoint_attributes(self, attributes: dict[str, str]) -> None:
        for key, value in attributes.items():
            if key not in ENDPOINT_ATTRIBUTES:
                raise invalid("Attributes", f"Invalid attribute name: {key}")
            if key == "Enabled" and value.lower() not in ("true", "false"):
                raise invalid("Attributes", "Invalid value for attribute: Enabled")
            if key == "CustomUserData" and len(value.encode("utf-8")) > 2048:
                raise invalid(
                    "Attributes",
                    "Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding",
                )

    def _endpoint(self, ctx: RequestContext, arn: str) -> PlatformEndpoint:
        endpoint_arn_parts(arn)
        found = self.find_endpoint(arn)
        if found is None or arn.split(":")[3] != ctx.region:
            raise NotFoundException("Endpoint does not exist")
        return found

    @operation
    def delete_endpoint(self, ctx: RequestContext, *, endpoint_arn: str) -> None:
        endpoint_arn_parts(endpoint_arn)
        found = self.find_endpoint(endpoint_arn)
        if found is None:
            return  # idempotent
        parts = endpoint_arn.split(":")
        del self.store(parts[4], parts[3]).endpoints[endpoint_arn]
        app = self.find_application(found.application_arn)
        if app is not None and endpoint_arn in app.endpoint_arns:
            app.endpoint_arns.remove(endpoint_arn)

    @operation
    def get_endpoint_attributes(self, ctx: RequestContext, *, endpoint_arn: str) -> dict[str, Any]:
        return {"Attributes": dict(self._endpoint(ctx, endpoint_arn).attributes)}

    @operation
    def set_endpoint_attributes(
        self, ctx: RequestContext, *, endpoint_arn: str, attributes: dict[str, str] | None = None
    ) -> None:
        endpoint = self._endpoint(ctx, endpoint_arn)
        self._check_endpoint_attributes(attributes or {})
        endpoint.attributes.update(attributes or {})

    @operation
    def list_endpoints_by_platform_application(
        self, ctx: RequestContext, *, platform_application_arn: str, next_token: str | None = None
    ) -> dict[str, Any]:
        app = self._application(ctx, platform_application_arn)
        store = self.store(app.arn.split(":")[4], app.arn.split(":")[3])
        page, following = self.page(app.endpoint_arns, next_token, 100)
        result: dict[str, Any] = {
            "Endpoints": [{"EndpointArn": a, "Attributes": dict(store.endpoints[a].attributes)} for a in page]
        }
        if following:
            result["NextToken"] = following
        return result

    # -- SMS ------------------------------------------------------------------------------

    def _phone(self, number: str) -> str:
        if not isinstance(number, str) or not _PHONE.match(number):
            raise invalid("PhoneNumber", "input incorrectly formatted")
        return number

    @operation
    def set_sms_attributes(self, ctx: RequestContext, *, attributes: dict[str, str] | None = None) -> dict[str, Any]:
        attributes = attributes or {}
        for key, value in attributes.items():
            # AWS's wording here has no "Invalid parameter:" prefix.
            if key not in SMS_ATTRIBUTES:
                raise InvalidParameterException(f"{key} is not a valid attribute")
            if key == "DefaultSMSType" and value not in ("Promotional", "Transactional"):
                raise InvalidParameterException("DefaultSMSType is invalid")
            if key == "DefaultSenderID" and not _SENDER_ID.match(value):
                raise invalid("DefaultSenderID", "1 to 11 alphanumeric characters with at least one letter")
            if key == "DeliveryStatusSuccessSamplingRate" and (not value.isdigit() or int(value) > 100):
                raise invalid("DeliveryStatusSuccessSamplingRate", "must be an integer from 0 to 100")
            if key == "MonthlySpendLimit" and not value.isdigit():
                raise invalid("MonthlySpendLimit", "must be a whole number of US dollars")
        self.ctx_store(ctx).sms_attributes.update(attributes)
        return {}

    @operation
    def get_sms_attributes(self, ctx: RequestContext, *, attributes: list[str] | None = None) -> dict[str, Any]:
        stored = self.ctx_store(ctx).sms_attributes
        if attributes:
            return {"attributes": {k: stored[k] for k in attributes if k in stored}}
        return {"attributes": dict(stored)}

    @operation
    def check_if_phone_number_is_opted_out(self, ctx: RequestContext, *, phone_number: str) -> dict[str, Any]:
        self._phone(phone_number)
        return {"isOptedOut": phone_number in self.ctx_store(ctx).opted_out}

    @operation
    def list_phone_numbers_opted_out(self, ctx: RequestContext, *, next_token: str | None = None) -> dict[str, Any]:
        page, following = self.page(self.ctx_store(ctx).opted_out, next_token, 100)
        result: dict[str, Any] = {"phoneNumbers": page}
        if following:
            result["nextToken"] = following
        return result

    @operation
    def opt_in_phone_number(self, ctx: RequestContext, *, phone_number: str) -> dict[str, Any]:
        self._phone(phone_number)
        store = self.ctx_store(ctx)
        if phone_number not in store.opted_out:
            return {}
        last = store.opted_in_at.get(phone_number)
        if last is not None and ctx.now - last < OPT_IN_INTERVAL:
            raise invalid("phoneNumber", "You can opt in a phone number only once every 30 days")
        store.opted_out.remove(phone_number)
        store.opted_in_at[phone_number] = ctx.now
        return {}

    @operation
    def get_sms_sandbox_account_status(self, ctx: RequestContext) -> dict[str, Any]:
        return {"IsInSandbox": self.ctx_store(ctx).in_sandbox}

    @operation
    def create_sms_sandbox_phone_number(
        self, ctx: RequestContext, *, phone_number: str, language_code: str | None = None
    ) -> dict[str, Any]:
        self._phone(phone_number)
        store = self.ctx_store(ctx)
        if phone_number in store.opted_out:
            raise OptedOutException(f"Phone number {phone_number} has opted out of receiving SMS messages.")
        if phone_number not in store.sandbox_numbers and len(store.sandbox_numbers) >= MAX_SANDBOX_NUMBERS:
            raise UserErrorException(f"You can have at most {MAX_SANDBOX_NUMBERS} sandbox destination phone numbers.")
        otp = f"{self.cloud.ids.randrange(1_000_000):06d}"
        store.sandbox_numbers[phone_number] = SandboxNumber(phone_number, language_code or "en-US", "Pending", otp)
        self.outbox.append(
            OutboxMessage(
                "sms",
                phone_number,
                f"Your Amazon SNS verification code is: {otp}",
                kind="Verification",
                time=ctx.now,
                extra={"otp": otp},
            )
        )
        return {}

    def _sandbox_number(self, ctx: RequestContext, phone_number: str) -> SandboxNumber:
        found = self.ctx_store(ctx).sandbox_numbers.get(phone_number)
        if found is None:
            raise ResourceNotFoundException(f"Phone number {phone_number} is not a sandbox destination number.")
        return found

    @operation
    def verify_sms_sandbox_phone_number(
        self, ctx: RequestContext, *, phone_number: str, one_time_password: str
    ) -> dict[str, Any]:
        number = self._sandbox_number(ctx, phone_number)
        if number.otp != one_time_password:
            raise VerificationException("Invalid one-time password.")
        number.status = "Verified"
        return {}

    @operation
    def delete_sms_sandbox_phone_number(self, ctx: RequestContext, *, phone_number: str) -> dict[str, Any]:
        self._sandbox_number(ctx, phone_number)
        del self.ctx_store(ctx).sandbox_numbers[phone_number]
        return {}

    @operation
    def list_sms_sandbox_phone_numbers(
        self, ctx: RequestContext, *, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        numbers = list(self.ctx_store(ctx).sandbox_numbers.values())
        page, following = self.page(numbers, next_token, max_results or 100)
        result: dict[str, Any] = {"PhoneNumbers": [{"PhoneNumber": n.phone_number, "Status": n.status} for n in page]}
        if following:
            result["NextToken"] = following
        return result

    @operation
    def list_origination_numbers(
        self, ctx: RequestContext, *, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        if max_results is not None and not 1 <= max_results <= 30:
            raise ValidationException("1 validation error detected: MaxResults must be from 1 to 30")
        page, following = self.page(self.ctx_store(ctx).origination_numbers, next_token, max_results or 30)
        result: dict[str, Any] = {"PhoneNumbers": page}
        if following:
            result["NextToken"] = following
        return result

    # -- what delivery asks ------------------------------------------------------------------

    def sms_refusal(self, phone_number: str, account_id: str, region: str) -> str:
        """Why an SMS to this number would not be delivered, or ``""``."""
        store = self.store(account_id or self.cloud.account_id, region)
        if phone_number in store.opted_out:
            return f"{phone_number} has opted out of receiving SMS messages"
        if store.in_sandbox:
            number = store.sandbox_numbers.get(phone_number)
            if number is None or number.status != "Verified":
                return (
                    f"the account is in the SMS sandbox and {phone_number} is not a verified destination number "
                    "(verify it with CreateSMSSandboxPhoneNumber/VerifySMSSandboxPhoneNumber, "
                    "or call aws.sns.leave_sms_sandbox())"
                )
        return ""

    def sms_settings(self, attributes: dict[str, dict[str, Any]], account_id: str, region: str) -> dict[str, Any]:
        defaults = self.store(account_id or self.cloud.account_id, region).sms_attributes

        def pick(name: str, default_key: str, fallback: str | None) -> str | None:
            attr = attributes.get(name)
            if attr is not None:
                return str(attr.get("StringValue"))
            return defaults.get(default_key, fallback)

        return {
            "sender_id": pick("AWS.SNS.SMS.SenderID", "DefaultSenderID", None),
            "sms_type": pick("AWS.SNS.SMS.SMSType", "DefaultSMSType", "Promotional"),
            "max_price": pick("AWS.SNS.SMS.MaxPrice", "", None),
        }
