"""What every part of the SNS fake shares: lookups by ARN, access checks, paging."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ...core import iam
from ...core.paging import InvalidPageToken, page
from ...core.quirks import QuirkSettings
from ..base import RequestContext, Service
from .errors import ERRORS, AuthorizationErrorException, InvalidParameterException, NotFoundException, invalid
from .models import (
    OutboxMessage,
    PlatformApplication,
    PlatformEndpoint,
    SnsStore,
    Subscription,
    Topic,
)

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from .delivery import Fanout
    from .http_endpoints import HttpEndpoints

T = TypeVar("T")


def split_arn(arn: str, what: str) -> list[str]:
    """The parts of an SNS ARN, or AWS's ``Invalid parameter`` for ``what``.

    AWS counts the colon-separated elements first, for every parameter that
    takes an ARN: ``Invalid parameter: TopicArn Reason: An ARN must have at
    least 6 elements, not 1``. Assumption: six elements that do not name SNS
    in a region and account are refused without a reason.
    """
    parts = arn.split(":") if isinstance(arn, str) else [""]
    if len(parts) < 6:
        raise invalid(what, f"An ARN must have at least 6 elements, not {len(parts)}")
    if parts[0] != "arn" or parts[2] != "sns" or not parts[3] or not parts[4]:
        raise invalid(what)
    return parts


def endpoint_arn_parts(arn: str, what: str = "EndpointArn") -> list[str]:
    """A platform endpoint's ARN: ``...:endpoint/<platform>/<application>/<id>``."""
    parts = split_arn(arn, what)
    resource = ":".join(parts[5:])
    if not resource.startswith("endpoint/") or resource.count("/") != 3:
        raise invalid(what, "Wrong number of slashes in relative portion of the ARN.")
    return parts


# Characters XML 1.0 cannot carry, escaped or not: stored, they would break every later read.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What these operations take is not stored or echoed as given (Publish's message goes to
# subscribers, each with its own rules; Subject has its own check).
_UNCHECKED_OPERATIONS = {"Publish", "PublishBatch"}


def unwritable_parameter(params: dict[str, Any]) -> str | None:
    """The parameter whose text XML cannot carry, named as AWS names it, or None.

    An attribute map's value is named by its key (``DisplayName``), a
    Set*Attributes value by the attribute it sets. Names and ARNs are left to
    their own validation, which refuses them in AWS's own words.
    """
    for member, value in params.items():
        if member == "Name" or member.endswith("Arn"):
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if _has_unwritable(key) or _has_unwritable(item):
                    return key if isinstance(key, str) and not _has_unwritable(key) else member
        elif _has_unwritable(value):
            if member == "AttributeValue" and not _has_unwritable(params.get("AttributeName")):
                return str(params.get("AttributeName"))
            return member
    return None


def _has_unwritable(value: Any) -> bool:
    if isinstance(value, str):
        return _NOT_XML.search(value) is not None
    if isinstance(value, dict):
        return any(_has_unwritable(k) or _has_unwritable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unwritable(v) for v in value)
    return False


class SnsBase(Service[SnsStore]):
    """State access shared by the operation mixins of :class:`~.api.SnsService`."""

    name = "sns"
    error_classes = ERRORS
    # Batch entry ids and FIFO topics' message groups are no topic's name.
    not_resources = frozenset({"Id", "MessageGroupId", "MessageDeduplicationId"})
    outbox: list[OutboxMessage]
    fanout: Fanout
    http: HttpEndpoints
    duplicate_rates: QuirkSettings[float]

    def new_store(self, account_id: str, region: str) -> SnsStore:
        return SnsStore(account_id, region)

    def dispatch(self, ctx: RequestContext, operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
        """Refuse text XML cannot carry before any operation stores or echoes it.

        Assumption: AWS refuses it as an invalid parameter (a topic with such a
        DisplayName could never be read back through the XML API); the message
        names the parameter without repeating the text.
        """
        if operation.name not in _UNCHECKED_OPERATIONS:
            bad = unwritable_parameter(params)
            if bad is not None:
                raise invalid(bad)
        return super().dispatch(ctx, operation, params)

    # -- lookups ------------------------------------------------------------------

    def topic_for(self, ctx: RequestContext, arn: str, action: str | None = None, what: str = "TopicArn") -> Topic:
        """The topic an ARN names, as the caller may reach it (same region; policy across accounts)."""
        parts = split_arn(arn, what)
        if parts[3] != ctx.region:
            # A client reaches only its own region's endpoint.
            raise invalid(what)
        topic = self.store(parts[4], parts[3]).topics.get(arn)
        if topic is None:
            raise NotFoundException("Topic does not exist")
        if action is not None and ctx.account_id != topic.account_id:
            self.check_access(topic, ctx.account_id, action)
        return topic

    def find_topic(self, arn: str) -> Topic | None:
        parts = arn.split(":")
        if len(parts) < 6:
            return None
        return self.store(parts[4], parts[3]).topics.get(arn) if (parts[4], parts[3]) in self._stores else None

    def find_subscription(self, arn: str) -> Subscription | None:
        parts = arn.split(":")
        if len(parts) < 7 or (parts[4], parts[3]) not in self._stores:
            return None
        return self.store(parts[4], parts[3]).subscriptions.get(arn)

    def subscription_for(self, ctx: RequestContext, arn: str) -> Subscription:
        """The subscription an ARN names; ``pending confirmation`` is refused as any non-ARN is."""
        found = self.maybe_subscription(ctx, arn)
        if found is None:
            raise NotFoundException("Subscription does not exist")
        return found

    def maybe_subscription(self, ctx: RequestContext, arn: str) -> Subscription | None:
        """The subscription, or None when a well-formed subscription ARN names none (Unsubscribe's case).

        A topic ARN (six elements, no subscription id) is ``Invalid parameter: SubscriptionId``.
        """
        parts = split_arn(arn, "SubscriptionArn")
        if len(parts) == 6:
            raise invalid("SubscriptionId")
        if len(parts) != 7:
            raise invalid("SubscriptionArn")
        found = self.find_subscription(arn)
        return found if found is not None and parts[3] == ctx.region else None

    def find_application(self, arn: str) -> PlatformApplication | None:
        parts = arn.split(":")
        if len(parts) < 6 or (parts[4], parts[3]) not in self._stores:
            return None
        return self.store(parts[4], parts[3]).applications.get(arn)

    def find_endpoint(self, arn: str) -> PlatformEndpoint | None:
        parts = arn.split(":")
        if len(parts) < 6 or (parts[4], parts[3]) not in self._stores:
            return None
        return self.store(parts[4], parts[3]).endpoints.get(arn)

    # -- access policy ---------------------------------------------------------------

    def check_access(self, topic: Topic, account_id: str, action: str) -> None:
        """Cross-account calls need an Allow in the topic policy (an explicit Deny wins)."""
        if not policy_allows(topic.attributes.get("Policy", ""), topic.arn, account_id, f"SNS:{action}"):
            raise AuthorizationErrorException(
                f"User: arn:aws:iam::{account_id}:root is not authorized to perform: SNS:{action} "
                f"on resource: {topic.arn}"
            )

    # -- paging -----------------------------------------------------------------------

    def page(self, items: Sequence[T], token: str | None, size: int) -> tuple[list[T], str | None]:
        """One page of ``items`` from an opaque NextToken, and the next token."""
        try:
            return page(items, token, size)
        except InvalidPageToken:
            raise InvalidParameterException("Invalid parameter: NextToken") from None


def policy_allows(policy_text: str, topic_arn: str, account_id: str, action: str) -> bool:
    """The topic policy, evaluated by the cloud's one IAM evaluator (:mod:`pytest_awsmsg.core.iam`).

    The caller is an account: its id is also the ``aws:SourceOwner``,
    ``aws:SourceAccount`` and ``aws:PrincipalAccount`` the conditions of the
    default policy and AddPermission test.
    """
    keys = ("aws:SourceOwner", "aws:SourceAccount", "aws:PrincipalAccount")
    request = iam.Request(action, topic_arn, principal_account=account_id, context=dict.fromkeys(keys, account_id))
    return iam.allows(policy_text, request)
