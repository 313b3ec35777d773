"""SNS state: topics, subscriptions, platform applications and endpoints, SMS settings.

Plain classes with no botocore in them; one :class:`SnsStore` per account and
region. Attribute maps hold what the user set; what AWS derives (counts,
effective policies) is computed when asked.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from ...core.dedup import DedupWindow, FirstSend
from .filter_policy import FilterPolicy

DEDUP_WINDOW = 300.0  # the 5-minute deduplication interval of FIFO topics

# AWS's default delivery policy for HTTP/S, as GetTopicAttributes shows it.
DEFAULT_HTTP_POLICY: dict[str, Any] = {
    "defaultHealthyRetryPolicy": {
        "minDelayTarget": 20,
        "maxDelayTarget": 20,
        "numRetries": 3,
        "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 0,
        "backoffFunction": "linear",
    },
    "disableSubscriptionOverrides": False,
    "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
}

PENDING_ARN = "PendingConfirmation"


def default_topic_policy(topic_arn: str, owner: str) -> str:
    """The access policy every new topic gets: only the owner account may act on it."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "SNS:GetTopicAttributes",
                        "SNS:SetTopicAttributes",
                        "SNS:AddPermission",
                        "SNS:RemovePermission",
                        "SNS:DeleteTopic",
                        "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish",
                    ],
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
                }
            ],
        },
        separators=(",", ":"),
    )


@dataclass
class Topic:
    name: str
    arn: str
    account_id: str
    region: str
    fifo: bool
    attributes: dict[str, str]
    created_at: float
    tags: dict[str, str] = field(default_factory=dict)
    data_protection_policy: str = ""
    subscription_arns: list[str] = field(default_factory=list)
    deleted_subscriptions: int = 0
    # FIFO deduplication ids for five minutes (AWS's deduplication interval).
    dedup: DedupWindow[tuple[str, str], FirstSend] = field(default_factory=lambda: DedupWindow(DEDUP_WINDOW))
    next_sequence: int = 0

    @property
    def signature_version(self) -> str:
        return self.attributes.get("SignatureVersion", "1")

    @property
    def content_based_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication", "false").lower() == "true"

    @property
    def max_message_size(self) -> int:
        return int(self.attributes.get("MaximumMessageSize", "262144"))

    def http_policy(self) -> dict[str, Any]:
        """The topic's HTTP delivery policy merged over AWS's defaults (shared: do not change it)."""
        return topic_http_policy(self.attributes.get("DeliveryPolicy"))


@functools.lru_cache(maxsize=256)
def topic_http_policy(raw: str | None) -> dict[str, Any]:
    """A topic DeliveryPolicy's ``http`` part merged over AWS's defaults."""
    effective: dict[str, Any] = copy.deepcopy(DEFAULT_HTTP_POLICY)
    if raw:
        http = json.loads(raw).get("http", {})
        for key, value in http.items():
            if isinstance(value, dict) and isinstance(effective.get(key), dict):
                effective[key].update(value)
            else:
                effective[key] = value
    return effective


@functools.lru_cache(maxsize=256)
def effective_http_policy(topic_raw: str | None, own_raw: str | None) -> dict[str, Any]:
    """A subscription's effective HTTP policy from the two DeliveryPolicy texts (shared: do not change it)."""
    base = topic_http_policy(topic_raw)
    effective: dict[str, Any] = {
        "healthyRetryPolicy": dict(base["defaultHealthyRetryPolicy"]),
        "sicklyRetryPolicy": None,
        "throttlePolicy": base.get("defaultThrottlePolicy"),
        "requestPolicy": base.get("defaultRequestPolicy"),
        "guaranteed": False,
    }
    if own_raw and not base.get("disableSubscriptionOverrides"):
        mine = json.loads(own_raw)
        if isinstance(mine.get("healthyRetryPolicy"), dict):
            effective["healthyRetryPolicy"].update(mine["healthyRetryPolicy"])
        for key in ("throttlePolicy", "requestPolicy"):
            if mine.get(key) is not None:
                effective[key] = mine[key]
    return effective


@dataclass
class Subscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    region: str
    attributes: dict[str, str]
    pending: bool
    token: str | None = None
    token_expires_at: float = 0.0
    filter: FilterPolicy | None = None
    authenticated: bool = False
    created_at: float = 0.0
    expiry_timer: Any = None  # the clock Timer that deletes it if never confirmed
    confirmation_error: str = ""  # why the SubscriptionConfirmation did not arrive, if it did not
    principal: str = ""  # the IAM principal that subscribed (SubscriptionPrincipal)

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery", "false").lower() == "true"

    @property
    def dead_letter_arn(self) -> str | None:
        raw = self.attributes.get("RedrivePolicy")
        if not raw:
            return None
        target = json.loads(raw).get("deadLetterTargetArn")
        return str(target) if target else None

    @property
    def listed_arn(self) -> str:
        """What List* operations show: the ARN, or ``PendingConfirmation``."""
        return PENDING_ARN if self.pending else self.arn

    def confirm(self) -> None:
        """Confirmed (ConfirmSubscription, or a test confirming as the endpoint would): no longer expires."""
        self.pending = False
        if self.expiry_timer is not None:
            self.expiry_timer.cancel()
            self.expiry_timer = None


@dataclass
class PlatformApplication:
    name: str
    platform: str
    arn: str
    attributes: dict[str, str]
    endpoint_arns: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"


@dataclass
class PlatformEndpoint:
    arn: str
    application_arn: str
    attributes: dict[str, str]

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"

    @property
    def token(self) -> str:
        return self.attributes.get("Token", "")


@dataclass
class SandboxNumber:
    phone_number: str
    language_code: str
    status: str  # "Pending" or "Verified"
    otp: str


@dataclass
class OutboxMessage:
    """Something SNS sent to a person or device: an email, an SMS, a push notification."""

    protocol: str  # email, email-json, sms, application, firehose
    endpoint: str  # address, phone number, endpoint or stream ARN
    body: str
    kind: str = "Notification"  # SubscriptionConfirmation, Verification...
    subject: str | None = None
    topic_arn: str | None = None
    subscription_arn: str | None = None
    message_id: str | None = None
    time: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON (email-json, application payloads)."""
        return json.loads(self.body)


@dataclass
class SnsStore:
    account_id: str
    region: str
    topics: dict[str, Topic] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    applications: dict[str, PlatformApplication] = field(default_factory=dict)
    endpoints: dict[str, PlatformEndpoint] = field(default_factory=dict)
    sms_attributes: dict[str, str] = field(default_factory=dict)
    opted_out: list[str] = field(default_factory=list)
    opted_in_at: dict[str, float] = field(default_factory=dict)
    sandbox_numbers: dict[str, SandboxNumber] = field(default_factory=dict)
    in_sandbox: bool = True
    origination_numbers: list[dict[str, Any]] = field(default_factory=list)
