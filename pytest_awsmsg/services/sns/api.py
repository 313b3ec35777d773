"""The Amazon SNS fake: one method per operation of botocore's ``sns`` model.

Topics and subscriptions live here; permissions, tags and data protection
policies in :mod:`.access`; Publish/PublishBatch in :mod:`.publishing`; platform applications,
endpoints and SMS in :mod:`.mobile`; what tests inspect (outbox, HTTP
handlers, the signing certificate) in :mod:`.view`. Each is a mixin of
:class:`SnsService`, so every operation is still a method of one class.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from ...core.errors import AwsError
from ...core.quirks import QuirkSettings
from ...core.service import operation
from ..base import RequestContext
from . import attributes as attrs
from . import signing
from .access import AccessMixin
from .common import split_arn
from .dataprotection import parse_policy
from .delivery import Fanout
from .errors import (
    FilterPolicyLimitExceededException,
    InvalidParameterException,
    NotFoundException,
    invalid,
)
from .filter_policy import FilterPolicy, parse_filter_policy
from .http_endpoints import HttpEndpoints
from .messages import confirmation, iso_timestamp
from .mobile import MobileMixin
from .models import OutboxMessage, Subscription, Topic, default_topic_policy, effective_http_policy
from .publishing import PublishingMixin
from .view import ViewMixin

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[1-9]\d{6,14}$")
_SMS_ENDPOINT = re.compile(r"^\+?[0-9](?:[0-9]|[./-](?=[0-9]))*$")
PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
# Confirmation tokens are valid for two days (Subscribe's API reference) and SNS deletes
# unconfirmed subscriptions after 48 hours (developer guide, "Deleting a subscription").
CONFIRMATION_TTL = 2 * 86400.0
MAX_FILTER_POLICIES_PER_TOPIC = 200
PAGE = 100


class SnsService(PublishingMixin, AccessMixin, MobileMixin, ViewMixin):
    """Standard and FIFO topics, every subscriber protocol, mobile push and SMS."""

    name = "sns"
    # AWS lets anyone holding a SubscribeURL or UnsubscribeURL use it, unsigned.
    unauthenticated_operations = frozenset({"ConfirmSubscription", "Unsubscribe"})

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.fanout = Fanout(self)
        self.http = HttpEndpoints(cloud.run_user_code)
        self.outbox: list[OutboxMessage] = []
        # Topic name (None: every standard topic) -> chance of a second delivery.
        self.duplicate_rates: QuirkSettings[float] = QuirkSettings()

    def resource(self, path: str) -> tuple[str, bytes] | None:
        """The signing certificate at the path of ``SigningCertURL``, for a served endpoint."""
        if path == signing.certificate_path():
            return "application/x-x509-ca-cert", signing.KEYS.get()[1].encode()
        return None

    # -- topics -----------------------------------------------------------------------

    @operation
    def create_topic(
        self,
        ctx: RequestContext,
        *,
        name: str,
        attributes: dict[str, str] | None = None,
        tags: list[dict[str, str]] | None = None,
        data_protection_policy: str | None = None,
    ) -> dict[str, Any]:
        given = dict(attributes or {})
        fifo = given.get("FifoTopic", "false").lower() == "true"
        if fifo and not _FIFO_TOPIC_NAME.match(name):
            raise invalid(
                "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII "
                "letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
            )
        if not fifo and not _TOPIC_NAME.match(name):
            raise invalid("Topic Name")
        stored = {k: attrs.validate_topic_attribute(k, v, fifo=fifo, creating=True) for k, v in given.items()}
        stored.pop("FifoTopic", None)
        if data_protection_policy:
            parse_policy(data_protection_policy)
        new_tags = self._check_tags(tags or [])
        store = self.ctx_store(ctx)
        arn = ctx.arn(name)
        existing = store.topics.get(arn)
        if existing is not None:
            # CreateTopic is idempotent, unless what was asked for differs.
            if any(existing.attributes.get(k) != v for k, v in stored.items()):
                raise invalid("Attributes", "Topic already exists with different attributes")
            if new_tags and any(existing.tags.get(k) != v for k, v in new_tags.items()):
                raise invalid("Tags", "Topic already exists with different tags")
            return {"TopicArn": arn}
        stored.setdefault("Policy", default_topic_policy(arn, ctx.account_id))
        topic = Topic(name, arn, ctx.account_id, ctx.region, fifo, stored, ctx.now, tags=new_tags)
        topic.data_protection_policy = data_protection_policy or ""
        store.topics[arn] = topic
        return {"TopicArn": arn}

    @operation
    def delete_topic(self, ctx: RequestContext, *, topic_arn: str) -> None:
        parts = split_arn(topic_arn, "TopicArn")
        store = self.store(parts[4], parts[3])
        topic = store.topics.get(topic_arn)
        if topic is None:
            return  # idempotent, as AWS documents
        if ctx.account_id != topic.account_id:
            self.check_access(topic, ctx.account_id, "DeleteTopic")
        for arn in topic.subscription_arns:
            sub = store.subscriptions.pop(arn, None)
            if sub is not None and sub.expiry_timer is not None:
                sub.expiry_timer.cancel()
        del store.topics[topic_arn]

    @operation
    def list_topics(self, ctx: RequestContext, *, next_token: str | None = None) -> dict[str, Any]:
        topics = list(self.ctx_store(ctx).topics)
        page, following = self.page(topics, next_token, PAGE)
        result: dict[str, Any] = {"Topics": [{"TopicArn": arn} for arn in page]}
        if following:
            result["NextToken"] = following
        return result

    @operation
    def get_topic_attributes(self, ctx: RequestContext, *, topic_arn: str) -> dict[str, Any]:
        topic = self.topic_for(ctx, topic_arn, "GetTopicAttributes")
        return {"Attributes": self.topic_attributes(topic)}

    def topic_attributes(self, topic: Topic) -> dict[str, str]:
        store = self.store(topic.account_id, topic.region)
        subs = [store.subscriptions[a] for a in topic.subscription_arns if a in store.subscriptions]
        out = {
            "Policy": topic.attributes["Policy"],
            "Owner": topic.account_id,
            "SubscriptionsPending": str(sum(1 for s in subs if s.pending)),
            "TopicArn": topic.arn,
            "EffectiveDeliveryPolicy": json.dumps({"http": topic.http_policy()}, separators=(",", ":")),
            "SubscriptionsConfirmed": str(sum(1 for s in subs if not s.pending)),
            "DisplayName": topic.attributes.get("DisplayName", ""),
            "SubscriptionsDeleted": str(topic.deleted_subscriptions),
        }
        if topic.fifo:
            out["FifoTopic"] = "true"
            out["ContentBasedDeduplication"] = "true" if topic.content_based_dedup else "false"
        for key, value in topic.attributes.items():
            out.setdefault(key, value)
        if "ArchivePolicy" in topic.attributes:
            out["BeginningArchiveTime"] = iso_timestamp(topic.created_at)
        return out

    @operation
    def set_topic_attributes(
        self, ctx: RequestContext, *, topic_arn: str, attribute_name: str, attribute_value: str | None = None
    ) -> None:
        topic = self.topic_for(ctx, topic_arn, "SetTopicAttributes")
        value = attrs.validate_topic_attribute(attribute_name, attribute_value or "", fifo=topic.fifo)
        if attribute_name == "MaximumMessageSize" and int(value) > 262_144:
            self._check_large_payload_topic(topic)
        if attribute_name == "Policy" and not value:
            value = default_topic_policy(topic.arn, topic.account_id)
        if value == "" and attribute_name not in ("DisplayName",):
            topic.attributes.pop(attribute_name, None)
        else:
            topic.attributes[attribute_name] = value

    def _check_large_payload_topic(self, topic: Topic) -> None:
        store = self.store(topic.account_id, topic.region)
        subs = [store.subscriptions[a] for a in topic.subscription_arns if a in store.subscriptions]
        if len(subs) > 100 or any(s.protocol not in ("sqs", "lambda", "firehose") for s in subs):
            raise invalid(
                "MaximumMessageSize",
                "a topic above 256 KiB must have at most 100 subscriptions, all Amazon SQS, Firehose or Lambda",
            )

    # -- subscriptions ----------------------------------------------------------------

    @operation
    def subscribe(
        self,
        ctx: RequestContext,
        *,
        topic_arn: str,
        protocol: str,
        endpoint: str | None = None,
        attributes: dict[str, str] | None = None,
        return_subscription_arn: bool | None = None,
    ) -> dict[str, Any]:
        topic = self.topic_for(ctx, topic_arn, "Subscribe")
        if protocol not in PROTOCOLS:
            raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
        endpoint = self._check_endpoint(topic, protocol, endpoint or "")
        given = dict(attributes or {})
        stored = {
            k: attrs.validate_subscription_attribute(
                k, v, protocol=protocol, fifo=topic.fifo and endpoint.endswith(".fifo"), subscribing=True
            )
            for k, v in given.items()
        }
        if protocol == "firehose" and not stored.get("SubscriptionRoleArn"):
            raise invalid("Attributes", "SubscriptionRoleArn is required for Firehose subscriptions")
        try:
            compiled = self._compile_filter(stored)
        except InvalidParameterException as error:
            # Subscribe reports a policy fault as one of its Attributes.
            raise invalid("Attributes", error.message.removeprefix("Invalid parameter: ")) from None
        store = self.store(topic.account_id, topic.region)
        for arn in topic.subscription_arns:
            existing = store.subscriptions.get(arn)
            if existing is not None and existing.protocol == protocol and existing.endpoint == endpoint:
                if any(existing.attributes.get(k) != v for k, v in stored.items()):
                    raise invalid("Attributes", "Subscription already exists with different attributes")
                shown = existing.arn if (not existing.pending or return_subscription_arn) else "pending confirmation"
                return {"SubscriptionArn": shown}
        if compiled is not None:
            self._check_filter_quota(topic, None)
        sub = Subscription(
            f"{topic.arn}:{self.cloud.ids.uuid4()}",
            topic.arn,
            protocol,
            endpoint,
            ctx.account_id,
            topic.region,
            stored,
            pending=self._needs_confirmation(ctx, protocol, endpoint),
            filter=compiled,
            created_at=ctx.now,
            # Assumption: the kit's callers are their account's root user (it has no IAM users).
            principal=f"arn:aws:iam::{ctx.account_id}:root",
        )
        store.subscriptions[sub.arn] = sub
        topic.subscription_arns.append(sub.arn)
        # Decided before the handshake: an endpoint may confirm while SNS is still answering.
        shown = sub.arn if (not sub.pending or return_subscription_arn) else "pending confirmation"
        if sub.pending:
            self._request_confirmation(topic, sub)
        return {"SubscriptionArn": shown}

    def _check_endpoint(self, topic: Topic, protocol: str, endpoint: str) -> str:
        if protocol in ("http", "https"):
            if not endpoint.lower().startswith(f"{protocol}://"):
                raise invalid("Endpoint must match the specified protocol")
        elif protocol in ("email", "email-json"):
            if not _EMAIL.match(endpoint):
                raise invalid("Email address")
        elif protocol == "sms":
            # Digits may be grouped with '.', '/' or '-' (each between two digits); SNS keeps the E.164 form.
            digits = re.sub(r"[./-]", "", endpoint)
            if not _SMS_ENDPOINT.match(endpoint) or not _PHONE.match(digits):
                raise InvalidParameterException(f"Invalid SMS endpoint: {endpoint}")
            endpoint = "+" + digits.lstrip("+")
        elif protocol in ("sqs", "lambda", "firehose", "application"):
            service = {"sqs": "sqs", "lambda": "lambda", "firehose": "firehose", "application": "sns"}[protocol]
            parts = endpoint.split(":")
            if len(parts) < 6 or parts[0] != "arn" or parts[2] != service:
                label = {"sqs": "SQS", "lambda": "Lambda", "firehose": "Firehose", "application": "Application"}
                raise invalid(f"{label[protocol]} endpoint ARN")
            if protocol == "application" and self.find_endpoint(endpoint) is None:
                raise NotFoundException("Endpoint does not exist")
        if topic.fifo and protocol != "sqs":
            # Since 2025 a FIFO topic delivers to standard queues too (best-effort order, no dedup).
            raise invalid("Invalid parameter: Endpoint", "Please use FIFO SQS queue")
        if not topic.fifo and protocol == "sqs" and endpoint.endswith(".fifo"):
            raise invalid("Invalid parameter: Endpoint", "FIFO SQS Queues can not be subscribed to standard SNS topics")
        if topic.max_message_size > 262_144 and protocol not in ("sqs", "lambda", "firehose"):
            raise invalid("Protocol", "a topic above 256 KiB accepts only Amazon SQS, Firehose and Lambda subscribers")
        return endpoint

    def _needs_confirmation(self, ctx: RequestContext, protocol: str, endpoint: str) -> bool:
        if protocol in ("email", "email-json"):
            return True
        if protocol in ("http", "https"):
            return not self.http.auto_confirms(endpoint)
        if protocol == "sqs":
            # A queue of another account confirms by reading the SubscriptionConfirmation
            # message SNS sends it (assumption: unless its owner is the one subscribing).
            return endpoint.split(":")[4] != ctx.account_id
        return False

    def _compile_filter(self, stored: dict[str, str]) -> FilterPolicy | None:
        text = stored.get("FilterPolicy")
        if not text:
            return None
        return parse_filter_policy(text, stored.get("FilterPolicyScope", "MessageAttributes"))

    def _check_filter_quota(self, topic: Topic, changing: Subscription | None) -> None:
        store = self.store(topic.account_id, topic.region)
        count = sum(
            1
            for a in topic.subscription_arns
            if a in store.subscriptions
            and store.subscriptions[a].filter is not None
            and store.subscriptions[a] is not changing
        )
        if count >= MAX_FILTER_POLICIES_PER_TOPIC:
            raise FilterPolicyLimitExceededException(
                f"Filter policy limit exceeded: at most {MAX_FILTER_POLICIES_PER_TOPIC} filter policies per topic"
            )

    def _request_confirmation(self, topic: Topic, sub: Subscription, kind: str = "SubscriptionConfirmation") -> None:
        """Send the token: POST to HTTP/S, an email to the outbox, a message to a foreign queue."""
        if kind == "SubscriptionConfirmation":
            sub.token = self.cloud.ids.hex(128)
            sub.token_expires_at = self.cloud.clock.now() + CONFIRMATION_TTL
            if sub.expiry_timer is None:
                sub.expiry_timer = self.cloud.clock.call_later(
                    CONFIRMATION_TTL, lambda: self._expire(sub), f"sns unconfirmed subscription {sub.arn} expires"
                )
        doc = confirmation(
            kind,
            message_id=self.cloud.ids.uuid4(),
            topic_arn=topic.arn,
            subscription_arn=sub.arn,
            region=topic.region,
            token=sub.token or self.cloud.ids.hex(128),
            timestamp=self.cloud.clock.now(),
            version=topic.signature_version,
        )
        body = json.dumps(doc)
        if sub.protocol in ("http", "https"):
            headers = self.fanout.http_headers(kind, doc["MessageId"], topic.arn, sub)
            result = self.http.post(sub.endpoint, headers, body)
            if kind == "SubscriptionConfirmation":
                sub.confirmation_error = "" if result.ok else f"the {kind} POST failed: {result.describe()}"
        elif sub.protocol in ("email", "email-json"):
            text = (
                body
                if sub.protocol == "email-json"
                else (
                    f"You have chosen to subscribe to the topic:\n{topic.arn}\n\n"
                    f"To confirm this subscription, click or visit the link below:\n{doc['SubscribeURL']}"
                )
            )
            self.outbox.append(
                OutboxMessage(
                    sub.protocol,
                    sub.endpoint,
                    text,
                    kind=kind,
                    subject="AWS Notification - Subscription Confirmation",
                    topic_arn=topic.arn,
                    subscription_arn=sub.arn,
                    message_id=doc["MessageId"],
                    time=self.cloud.clock.now(),
                    extra={"token": sub.token, "subscribe_url": doc["SubscribeURL"]},
                )
            )
        elif sub.protocol == "sqs":
            queue = self.fanout.queue(sub.endpoint)
            if queue is not None and self.fanout.queue_allows(sub.endpoint, topic.arn):
                parts = sub.endpoint.split(":")
                # If SQS refuses, the queue owner never sees it: the subscription stays pending.
                with contextlib.suppress(AwsError):
                    self.cloud.call(
                        "sqs",
                        "SendMessage",
                        {"QueueUrl": queue.url, "MessageBody": body},
                        region=parts[3],
                        account_id=parts[4],
                        caller="sns",
                    )

    def _expire(self, sub: Subscription) -> None:
        if not sub.pending:
            return
        topic = self.find_topic(sub.topic_arn)
        store = self.store(sub.arn.split(":")[4], sub.region)
        store.subscriptions.pop(sub.arn, None)
        if topic is not None and sub.arn in topic.subscription_arns:
            topic.subscription_arns.remove(sub.arn)

    @operation
    def confirm_subscription(
        self,
        ctx: RequestContext,
        *,
        topic_arn: str,
        token: str,
        authenticate_on_unsubscribe: str | None = None,
    ) -> dict[str, Any]:
        topic = self.topic_for(ctx, topic_arn)
        store = self.store(topic.account_id, topic.region)
        for arn in topic.subscription_arns:
            sub = store.subscriptions.get(arn)
            if sub is not None and sub.token == token and sub.token_expires_at >= ctx.now:
                sub.confirm()
                if (authenticate_on_unsubscribe or "").lower() == "true":
                    sub.authenticated = True
                return {"SubscriptionArn": sub.arn}
        raise invalid("Token")

    @operation
    def unsubscribe(self, ctx: RequestContext, *, subscription_arn: str) -> None:
        sub = self.maybe_subscription(ctx, subscription_arn)
        if sub is None:
            return  # idempotent: unsubscribing twice succeeds, as on AWS
        store = self.store(sub.arn.split(":")[4], sub.region)
        topic = store.topics.get(sub.topic_arn)
        store.subscriptions.pop(sub.arn, None)
        if sub.expiry_timer is not None:
            sub.expiry_timer.cancel()
        if topic is not None:
            if sub.arn in topic.subscription_arns:
                topic.subscription_arns.remove(sub.arn)
            topic.deleted_subscriptions += 1
            if sub.protocol in ("http", "https") and not sub.pending:
                self._request_confirmation(topic, sub, "UnsubscribeConfirmation")

    @operation
    def list_subscriptions(self, ctx: RequestContext, *, next_token: str | None = None) -> dict[str, Any]:
        subs = list(self.ctx_store(ctx).subscriptions.values())
        return self._subscription_page(subs, next_token)

    @operation
    def list_subscriptions_by_topic(
        self, ctx: RequestContext, *, topic_arn: str, next_token: str | None = None
    ) -> dict[str, Any]:
        topic = self.topic_for(ctx, topic_arn, "ListSubscriptionsByTopic")
        store = self.store(topic.account_id, topic.region)
        subs = [store.subscriptions[a] for a in topic.subscription_arns if a in store.subscriptions]
        return self._subscription_page(subs, next_token)

    def _subscription_page(self, subs: list[Subscription], next_token: str | None) -> dict[str, Any]:
        page, following = self.page(subs, next_token, PAGE)
        result: dict[str, Any] = {
            "Subscriptions": [
                {
                    "SubscriptionArn": s.listed_arn,
                    "Owner": s.owner,
                    "Protocol": s.protocol,
                    "Endpoint": s.endpoint,
                    "TopicArn": s.topic_arn,
                }
                for s in page
            ]
        }
        if following:
            result["NextToken"] = following
        return result

    @operation
    def get_subscription_attributes(self, ctx: RequestContext, *, subscription_arn: str) -> dict[str, Any]:
        sub = self.subscription_for(ctx, subscription_arn)
        out = {
            "Owner": sub.owner,
            "RawMessageDelivery": "false",
            "TopicArn": sub.topic_arn,
            "Endpoint": sub.endpoint,
            "Protocol": sub.protocol,
            "PendingConfirmation": "true" if sub.pending else "false",
            "ConfirmationWasAuthenticated": "true" if (sub.authenticated or not sub.pending) else "false",
            "SubscriptionArn": sub.arn,
            "SubscriptionPrincipal": sub.principal,
        }
        if sub.protocol in ("http", "https"):
            # Only HTTP/S subscriptions have a delivery policy of their own to show.
            out["EffectiveDeliveryPolicy"] = json.dumps(self.effective_http_policy(sub), separators=(",", ":"))
        if sub.filter is not None:
            out["FilterPolicyScope"] = "MessageAttributes"
        out.update(sub.attributes)
        return {"Attributes": out}

    @operation
    def set_subscription_attributes(
        self,
        ctx: RequestContext,
        *,
        subscription_arn: str,
        attribute_name: str,
        attribute_value: str | None = None,
    ) -> None:
        sub = self.subscription_for(ctx, subscription_arn)
        topic = self.find_topic(sub.topic_arn)
        value = attrs.validate_subscription_attribute(
            attribute_name,
            attribute_value or "",
            protocol=sub.protocol,
            fifo=bool(topic and topic.fifo) and sub.endpoint.endswith(".fifo"),
        )
        candidate = dict(sub.attributes)
        if value == "":
            candidate.pop(attribute_name, None)
        else:
            candidate[attribute_name] = value
        compiled = self._compile_filter(candidate)
        if compiled is not None and sub.filter is None and topic is not None:
            self._check_filter_quota(topic, sub)
        sub.attributes = candidate
        sub.filter = compiled

    # -- delivery policies --------------------------------------------------------------

    def effective_http_policy(self, sub: Subscription) -> dict[str, Any]:
        """A subscription's delivery policy: its own over its topic's, unless the topic forbids overrides.

        Shared and read-only: computed once per pair of policy texts, since every retry asks.
        """
        topic = self.find_topic(sub.topic_arn)
        topic_policy = topic.attributes.get("DeliveryPolicy") if topic is not None else None
        return effective_http_policy(topic_policy, sub.attributes.get("DeliveryPolicy"))

    def effective_http_retry_policy(self, sub: Subscription) -> dict[str, Any]:
        policy: dict[str, Any] = self.effective_http_policy(sub)["healthyRetryPolicy"]
        return policy
