"""What a test reads and controls from Python: ``aws.sns.<...>``.

Reading never changes state. Controlling (confirming a subscription as its
endpoint would, opting a phone number out, leaving the SMS sandbox) does
what a person or device would do outside the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ...core.quirks import check_rate
from . import signing
from .common import SnsBase
from .http_endpoints import HttpHandler, HttpRequest
from .models import OutboxMessage, Subscription, Topic


class ViewMixin(SnsBase):
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
        with self.cloud.lock:
            self.duplicate_rates.set(topic, duplicate_rate or None)

    def duplicate_rate(self, topic: Topic) -> float:
        """The duplicate-delivery chance :meth:`quirks` set for a topic (0 for FIFO)."""
        if topic.fifo:
            return 0.0
        return self.duplicate_rates.lookup(topic.name) or 0.0

    # -- topics and subscriptions -------------------------------------------------------

    def topic(self, name_or_arn: str, *, region: str | None = None, account_id: str | None = None) -> Topic:
        """A topic by name (in the default account and region) or ARN."""
        if name_or_arn.startswith("arn:"):
            found = self.find_topic(name_or_arn)
        else:
            store = self.store(account_id or self.cloud.account_id, region or self.cloud.region)
            found = next((t for t in store.topics.values() if t.name == name_or_arn), None)
        if found is None:
            raise LookupError(f"no SNS topic {name_or_arn!r}; topics: {', '.join(self.topic_names()) or 'none'}")
        return found

    def topic_names(self) -> list[str]:
        return [t.name for store in self.stores().values() for t in store.topics.values()]

    def subscriptions(self, topic: str | None = None) -> list[Subscription]:
        """Every subscription, or those of one topic (name or ARN), in creation order."""
        if topic is not None:
            found = self.topic(topic)
            store = self.store(found.account_id, found.region)
            return [store.subscriptions[a] for a in found.subscription_arns if a in store.subscriptions]
        return [s for store in self.stores().values() for s in store.subscriptions.values()]

    def pending_subscriptions(self) -> list[Subscription]:
        return [s for s in self.subscriptions() if s.pending]

    def _pending_for(self, endpoint_or_arn: str) -> Subscription:
        for sub in self.subscriptions():
            if sub.pending and endpoint_or_arn in (sub.endpoint, sub.arn):
                return sub
        pending = ", ".join(s.endpoint for s in self.pending_subscriptions()) or "none"
        raise LookupError(f"no subscription pending confirmation for {endpoint_or_arn!r}; pending: {pending}")

    def confirmation_token(self, endpoint_or_arn: str) -> str:
        """The token SNS sent a pending subscription's endpoint."""
        token = self._pending_for(endpoint_or_arn).token
        assert token is not None
        return token

    def confirm(self, endpoint_or_arn: str) -> str:
        """Confirm a pending subscription as its endpoint would (visiting SubscribeURL); return its ARN."""
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
            for sub in self.subscriptions():
                if sub.pending and sub.token == query.get("Token") and sub.topic_arn == query.get("TopicArn"):
                    return self.confirm(sub.arn)
            raise LookupError(f"no pending subscription has the token in {url}")
        if action == "Unsubscribe":
            arn = query.get("SubscriptionArn", "")
            if self.find_subscription(arn) is None:
                raise LookupError(f"no subscription {arn}")
            # The URL is the Unsubscribe action itself, so it does all that Unsubscribe does
            # (an HTTP/S endpoint gets its UnsubscribeConfirmation, timers are cancelled).
            parts = arn.split(":")
            self.cloud.call(
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
        if handler is None and not auto_confirm:

            def decorate(func: HttpHandler) -> HttpHandler:
                self.http.register(url, func)
                return func

            self.http.register(url, None)
            return decorate
        self.http.register(url, handler, auto_confirm=auto_confirm)
        return None

    @property
    def auto_confirm_http(self) -> bool:
        """Confirm every new HTTP/S subscription at once (no SubscriptionConfirmation POST)."""
        return self.http.auto_confirm

    @auto_confirm_http.setter
    def auto_confirm_http(self, value: bool) -> None:
        self.http.auto_confirm = value

    def http_requests(self, url: str) -> list[HttpRequest]:
        return self.http.received(url)

    # -- outbox ------------------------------------------------------------------------------

    def emails(self, to: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.protocol in ("email", "email-json") and to in (None, m.endpoint)]

    def sms_messages(self, to: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.protocol == "sms" and to in (None, m.endpoint)]

    def push_notifications(self, endpoint_arn: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.protocol == "application" and endpoint_arn in (None, m.endpoint)]

    # -- SMS controls -------------------------------------------------------------------------

    def opt_out(self, phone_number: str, *, region: str | None = None, account_id: str | None = None) -> None:
        """The phone's owner replies STOP."""
        store = self.store(account_id or self.cloud.account_id, region or self.cloud.region)
        if phone_number not in store.opted_out:
            store.opted_out.append(phone_number)

    def leave_sms_sandbox(self, *, region: str | None = None, account_id: str | None = None) -> None:
        """What an AWS support case does: SMS may go to any number from now on."""
        self.store(account_id or self.cloud.account_id, region or self.cloud.region).in_sandbox = False

    def add_origination_number(self, phone_number: str, *, iso2: str = "US", region: str | None = None) -> None:
        """Own a number for ListOriginationNumbers (AWS provisions them outside SNS)."""
        store = self.store(self.cloud.account_id, region or self.cloud.region)
        store.origination_numbers.append(
            {
                "CreatedAt": self.cloud.clock.now_dt(),
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
        return signing.certificate_url(region or self.cloud.region)

    def serve_signing_certificate(self, mock: Any, *, region: str | None = None) -> None:
        """Answer GETs of SigningCertURL from a ``responses`` mock (``responses`` or a RequestsMock)."""
        mock.add("GET", self.signing_certificate_url(region), body=self.signing_certificate_pem, status=200)

    def verify(self, message: dict[str, Any] | str) -> bool:
        """Whether an SNS JSON message's Signature is valid (what user code checks)."""
        doc = json.loads(message) if isinstance(message, str) else message
        return signing.verify_message(doc)
