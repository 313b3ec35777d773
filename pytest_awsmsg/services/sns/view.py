"""``aws.sns``: what a test reads and controls from Python.

Lookups (``topic``, ``subscription``) return live, read-only views and raise
:class:`~pytest_awsmsg.core.views.NotFound` naming what there is. Reading
never changes state. Controlling (confirming a subscription as its endpoint
would, opting a phone number out, leaving the SMS sandbox) does what a person
or device would do outside the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ...core.quirks import check_rate
from ...core.views import NotFound, ServiceView, arn_parts
from . import signing
from .common import SnsBase
from .http_endpoints import HttpHandler, HttpRequest
from .models import OutboxMessage, Subscription, Topic


class TopicView:
    """One topic as it is now (live, read-only): ``arn``, ``fifo``, ``attributes``, ``tags``, ``subscriptions``."""

    def __init__(self, service: SnsBase, topic: Topic) -> None:
        self._service = service
        self._topic = topic

    @property
    def name(self) -> str:
        return self._topic.name

    @property
    def arn(self) -> str:
        return self._topic.arn

    @property
    def fifo(self) -> bool:
        return self._topic.fifo

    @property
    def region(self) -> str:
        return self._topic.region

    @property
    def account_id(self) -> str:
        return self._topic.account_id

    @property
    def attributes(self) -> dict[str, str]:
        return dict(self._topic.attributes)

    @property
    def tags(self) -> dict[str, str]:
        return dict(self._topic.tags)

    @property
    def subscriptions(self) -> list[SubscriptionView]:
        """Its subscriptions, in creation order."""
        with self._service.cloud.lock:
            store = self._service.store(self._topic.account_id, self._topic.region)
            subs = [store.subscriptions[a] for a in self._topic.subscription_arns if a in store.subscriptions]
        return [SubscriptionView(s) for s in subs]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TopicView) and other._topic is self._topic

    def __hash__(self) -> int:
        return id(self._topic)

    def __repr__(self) -> str:
        return f"<TopicView {self.arn} subscriptions={len(self._topic.subscription_arns)}>"


class SubscriptionView:
    """One subscription as it is now (live, read-only)."""

    def __init__(self, subscription: Subscription) -> None:
        self._sub = subscription

    @property
    def arn(self) -> str:
        """``PendingConfirmation`` stands for no ARN only in the API; here it is the real one."""
        return self._sub.arn

    @property
    def topic_arn(self) -> str:
        return self._sub.topic_arn

    @property
    def protocol(self) -> str:
        return self._sub.protocol

    @property
    def endpoint(self) -> str:
        return self._sub.endpoint

    @property
    def pending(self) -> bool:
        return self._sub.pending

    @property
    def token(self) -> str | None:
        """The confirmation token SNS sent the endpoint (while pending)."""
        return self._sub.token

    @property
    def attributes(self) -> dict[str, str]:
        return dict(self._sub.attributes)

    @property
    def raw(self) -> bool:
        return self._sub.raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SubscriptionView) and other._sub is self._sub

    def __hash__(self) -> int:
        return id(self._sub)

    def __repr__(self) -> str:
        state = " pending" if self.pending else ""
        return f"<SubscriptionView {self.protocol} {self.endpoint}{state}>"


class SnsView(ServiceView[SnsBase]):
    """``aws.sns``: topics and subscriptions, the outbox, endpoints' owners, signatures, quirks."""

    title = "SNS"

    # -- production quirks -------------------------------------------------------------

    def quirks(self, *, duplicate_rate: float = 0.0, topic: str | None = None) -> None:
        """Make standard topics deliver as SNS may in production: sometimes twice.

        SNS standard topics deliver at least once, so a subscriber can get the
        same message (same MessageId) again. ``duplicate_rate`` is the chance,
        drawn from the cloud's seed, that a successful delivery is followed by
        a second one. Applies to the topic named ``topic`` (in any account or
        region), else to every standard topic; FIFO topics keep their
        exactly-once delivery. With no rate the topic's setting is switched
        off; with no arguments at all, every one.
        """
        check_rate(duplicate_rate)
        with self._cloud.lock:
            self._service.duplicate_rates.set(topic, duplicate_rate or None)

    # -- topics and subscriptions -------------------------------------------------------

    def topic(self, name_or_arn: str, *, region: str | None = None, account_id: str | None = None) -> TopicView:
        """A topic by name (in the cloud's account and region unless given) or ARN."""
        parts = arn_parts(name_or_arn)
        name = name_or_arn
        if parts is not None:
            region, account_id, name = parts
        found = self._lookup(
            "topic",
            name,
            lambda store: {t.name: t for t in store.topics.values()},
            region=region,
            account_id=account_id,
        )
        return TopicView(self._service, found)

    def topics(self) -> list[TopicView]:
        """Every topic, in every account and region."""
        with self._cloud.lock:
            return [TopicView(self._service, t) for s in self._service.stores().values() for t in s.topics.values()]

    def subscription(self, arn_or_endpoint: str) -> SubscriptionView:
        """A subscription by ARN, or by endpoint (a queue ARN, URL, address) when only one has it."""
        subs = [s for s in self._all_subscriptions() if arn_or_endpoint in (s.arn, s.endpoint)]
        if len(subs) == 1:
            return SubscriptionView(subs[0])
        known = [f"{s.protocol} {s.endpoint}" for s in self._all_subscriptions()]
        if subs:
            raise NotFound(f"{len(subs)} SNS subscriptions have the endpoint {arn_or_endpoint!r}: give the ARN")
        raise NotFound(f"No SNS subscription {arn_or_endpoint!r} in any account or region; subscriptions: {known}")

    def subscriptions(self, topic: str | None = None) -> list[SubscriptionView]:
        """Every subscription, or those of one topic (name or ARN), in creation order."""
        if topic is not None:
            return self.topic(topic).subscriptions
        return [SubscriptionView(s) for s in self._all_subscriptions()]

    def pending_subscriptions(self) -> list[SubscriptionView]:
        return [SubscriptionView(s) for s in self._all_subscriptions() if s.pending]

    def _all_subscriptions(self) -> list[Subscription]:
        with self._cloud.lock:
            return [s for store in self._service.stores().values() for s in store.subscriptions.values()]

    def _pending_for(self, endpoint_or_arn: str) -> Subscription:
        for sub in self._all_subscriptions():
            if sub.pending and endpoint_or_arn in (sub.endpoint, sub.arn):
                return sub
        pending = ", ".join(s.endpoint for s in self._all_subscriptions() if s.pending) or "none"
        raise NotFound(f"No SNS subscription pending confirmation for {endpoint_or_arn!r}; pending: {pending}")

    # -- what the endpoint's owner does ----------------------------------------------------

    def confirmation_token(self, endpoint_or_arn: str) -> str:
        """The token SNS sent a pending subscription's endpoint."""
        token = self._pending_for(endpoint_or_arn).token
        assert token is not None
        return token

    def confirm(self, endpoint_or_arn: str) -> str:
        """Confirm a pending subscription as its endpoint would (visiting SubscribeURL); return its ARN."""
        with self._cloud.lock:
            sub = self._pending_for(endpoint_or_arn)
            sub.confirm()
        return sub.arn

    def visit(self, url: str) -> str:
        """What GETting a SubscribeURL or UnsubscribeURL does; returns the subscription ARN.

        The kit never answers real HTTP, so code that confirms by fetching the
        URL can call this instead (or a ``responses`` callback can).
        """
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        action = query.get("Action")
        if action == "ConfirmSubscription":
            for sub in self._all_subscriptions():
                if sub.pending and sub.token == query.get("Token") and sub.topic_arn == query.get("TopicArn"):
                    return self.confirm(sub.arn)
            raise NotFound(f"No pending SNS subscription has the token in {url}")
        if action == "Unsubscribe":
            arn = query.get("SubscriptionArn", "")
            if self._service.find_subscription(arn) is None:
                raise NotFound(f"No SNS subscription {arn}")
            # The URL is the Unsubscribe action itself, so it does all that Unsubscribe does
            # (an HTTP/S endpoint gets its UnsubscribeConfirmation, timers are cancelled).
            parts = arn.split(":")
            self._cloud.call(
                "sns", "Unsubscribe", {"SubscriptionArn": arn}, region=parts[3], account_id=parts[4], caller="visit"
            )
            return arn
        raise ValueError(f"not an SNS SubscribeURL or UnsubscribeURL: {url}")

    # -- HTTP/S endpoints ----------------------------------------------------------------

    def http_endpoint(
        self, url: str, handler: HttpHandler | None = None, *, auto_confirm: bool = False
    ) -> Callable[[HttpHandler], HttpHandler] | None:
        """Answer POSTs to ``url`` in Python: ``handler(request) -> status`` (None: 200).

        Without a handler every POST gets a 200 and is kept
        (:meth:`http_requests`). With ``auto_confirm`` a subscription to the
        URL is confirmed at once, with no handshake. Usable as a decorator.
        """
        http = self._service.http
        if handler is None and not auto_confirm:

            def decorate(func: HttpHandler) -> HttpHandler:
                http.register(url, func)
                return func

            http.register(url, None)
            return decorate
        http.register(url, handler, auto_confirm=auto_confirm)
        return None

    @property
    def auto_confirm_http(self) -> bool:
        """Confirm every new HTTP/S subscription at once (no SubscriptionConfirmation POST)."""
        return self._service.http.auto_confirm

    @auto_confirm_http.setter
    def auto_confirm_http(self, value: bool) -> None:
        self._service.http.auto_confirm = value

    def http_requests(self, url: str) -> list[HttpRequest]:
        return self._service.http.received(url)

    # -- outbox ------------------------------------------------------------------------------

    @property
    def outbox(self) -> list[OutboxMessage]:
        """What went to people and devices (emails, SMS, push, Firehose), in order."""
        return list(self._service.outbox)

    def emails(self, to: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.protocol in ("email", "email-json") and to in (None, m.endpoint)]

    def sms_messages(self, to: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.protocol == "sms" and to in (None, m.endpoint)]

    def push_notifications(self, endpoint_arn: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.protocol == "application" and endpoint_arn in (None, m.endpoint)]

    # -- SMS controls -------------------------------------------------------------------------

    def opt_out(self, phone_number: str, *, region: str | None = None, account_id: str | None = None) -> None:
        """The phone's owner replies STOP."""
        with self._cloud.lock:
            store = self._service.store(*self._where(region, account_id))
            if phone_number not in store.opted_out:
                store.opted_out.append(phone_number)

    def leave_sms_sandbox(self, *, region: str | None = None, account_id: str | None = None) -> None:
        """What an AWS support case does: SMS may go to any number from now on."""
        with self._cloud.lock:
            self._service.store(*self._where(region, account_id)).in_sandbox = False

    def add_origination_number(self, phone_number: str, *, iso2: str = "US", region: str | None = None) -> None:
        """Own a number for ListOriginationNumbers (AWS provisions them outside SNS)."""
        with self._cloud.lock:
            store = self._service.store(*self._where(region, None))
            store.origination_numbers.append(
                {
                    "CreatedAt": self._cloud.clock.now_dt(),
                    "PhoneNumber": phone_number,
                    "Status": "ACTIVE",
                    "Iso2CountryCode": iso2,
                    "RouteType": "Transactional",
                    "NumberCapabilities": ["SMS"],
                }
            )

    # -- signatures --------------------------------------------------------------------------

    @property
    def signing_certificate_pem(self) -> str:
        """The PEM certificate every message's Signature verifies against."""
        return signing.KEYS.get()[1]

    def signing_certificate_url(self, region: str | None = None) -> str:
        return signing.certificate_url(region or self._cloud.region)

    def serve_signing_certificate(self, mock: Any, *, region: str | None = None) -> None:
        """Answer GETs of SigningCertURL from a ``responses`` mock (``responses`` or a RequestsMock)."""
        mock.add("GET", self.signing_certificate_url(region), body=self.signing_certificate_pem, status=200)

    def verify(self, message: dict[str, Any] | str) -> bool:
        """Whether an SNS JSON message's Signature is valid (what user code checks)."""
        doc = json.loads(message) if isinstance(message, str) else message
        return signing.verify_message(doc)


class ViewMixin(SnsBase):
    """The service's side of its view: what deliveries ask of the quirks."""

    view_class = SnsView

    def duplicate_rate(self, topic: Topic) -> float:
        """The duplicate-delivery chance :meth:`SnsView.quirks` set for a topic (0 for FIFO)."""
        if topic.fifo:
            return 0.0
        return self.duplicate_rates.lookup(topic.name) or 0.0
