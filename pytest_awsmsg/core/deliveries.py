"""The cloud's delivery log: what was published where, and what became of it.

Every message a service fans out (an SNS publish today) is one
:class:`Publication`; each subscriber it could have reached is one
:class:`Delivery` with a status (delivered, filtered, failed, pending...) and
the reason when it did not arrive. Tests read it through ``aws.deliveries``;
its assert helpers explain a miss instead of printing ``False``::

    aws.deliveries.assert_delivered(to="billing-queue", containing="order-7")
    # AssertionError: published 3 messages to orders; none reached billing-queue:
    #   message 1 ...: filter policy rejected it: kind: "refund" does not match ["order"]

A failed test's report gets an "aws deliveries" section with :meth:`DeliveryLog.format`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .._docs import doc
from .calllog import stamp

DOCS = doc("sns.md", "Asserting deliveries")

#: Statuses a delivery can end in (or be in, while retries are scheduled).
DELIVERED = "delivered"
FILTERED = "filtered"
FAILED = "failed"  # given up (no dead-letter queue)
RETRYING = "retrying"
DEAD_LETTERED = "dead-lettered"
PENDING = "pending-confirmation"  # the subscription was not confirmed yet
# A FIFO duplicate reaches no subscriber at all: its Publication has no
# deliveries and a ``note`` naming the message it duplicates.

_SHOWN = 70


def _short(text: Any, limit: int = _SHOWN) -> str:
    value = text if isinstance(text, str) else json.dumps(text, default=str, sort_keys=True)
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _when(moment: float) -> str:
    return stamp(moment)


@dataclass
class Delivery:
    """One subscriber of one publication: what it received, or why it did not."""

    subscription: str
    protocol: str
    endpoint: str
    target: str  # the short name people use: queue or function name, URL, address
    status: str
    reason: str = ""
    payload: Any = None  # what the subscriber received: body, event, HTTP body
    attempts: int = 0
    time: float = 0.0
    aliases: tuple[str, ...] = ()
    history: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == DELIVERED

    def names(self) -> set[str]:
        return {self.target, self.endpoint, self.subscription, *self.aliases}

    def summary(self) -> str:
        text = f"{self.protocol} {self.target}: {self.status}"
        if self.attempts > 1:
            text += f" after {self.attempts} attempts"
        if self.reason:
            text += f" ({self.reason})"
        return text


@dataclass
class Publication:
    """One message published, and each subscriber it fanned out to."""

    time: float
    service: str
    source: str  # topic ARN, endpoint ARN or phone number
    source_name: str
    message_id: str
    message: str
    subject: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    note: str = ""

    def attribute_values(self) -> dict[str, Any]:
        """Message attributes as plain values (``{"kind": "order"}``)."""
        out: dict[str, Any] = {}
        for name, attr in self.attributes.items():
            out[name] = attr.get("StringValue", attr.get("BinaryValue")) if isinstance(attr, dict) else attr
        return out

    def describe(self) -> str:
        text = f"{_short(self.message, 50)!r}"
        if self.attributes:
            text += f" attributes {_short(self.attribute_values(), 60)}"
        return text

    def summary(self) -> str:
        head = f"{_when(self.time)} {self.service} publish to {self.source_name}"
        head += f" (message {self.message_id}: {self.describe()})"
        if self.note:
            head += f" [{self.note}]"
        lines = [head]
        lines.extend(f"    -> {d.summary()}" for d in self.deliveries)
        if not self.deliveries and not self.note:
            lines.append("    -> no subscribers")
        return "\n".join(lines)


Matcher = Callable[[Publication], bool]


class DeliveryLog:
    """Every publication in the cloud, in order. Reach it as ``aws.deliveries``."""

    def __init__(self) -> None:
        self.publications: list[Publication] = []

    def record(self, publication: Publication) -> Publication:
        self.publications.append(publication)
        return publication

    def __iter__(self) -> Iterator[Publication]:
        return iter(self.publications)

    def __len__(self) -> int:
        return len(self.publications)

    # -- reading -----------------------------------------------------------------

    def to(self, target: str) -> list[Delivery]:
        """Deliveries that reached ``target`` (a queue or function name, ARN, URL, address)."""
        return [d for p in self.publications for d in p.deliveries if d.ok and target in d.names()]

    def received_by(self, target: str) -> list[Any]:
        """What ``target`` received, in order: SQS bodies, Lambda events, HTTP bodies."""
        return [d.payload for d in self.to(target)]

    def published_to(self, source: str) -> list[Publication]:
        return [p for p in self.publications if source in (p.source, p.source_name)]

    def format(self) -> str:
        return "\n".join(p.summary() for p in self.publications) or "(nothing published)"

    # -- asserting ---------------------------------------------------------------

    def assert_delivered(
        self,
        to: str,
        *,
        count: int | None = None,
        message: str | None = None,
        containing: str | None = None,
        attributes: dict[str, Any] | None = None,
        source: str | None = None,
    ) -> list[Delivery]:
        """Assert ``to`` received matching messages (``count`` of them, if given); return them.

        ``message`` is the exact published message, ``containing`` a substring
        of it, ``attributes`` a subset of its message attributes (plain
        values), ``source`` the topic's name or ARN.
        """
        __tracebackhide__ = True
        matches = self._matcher(message, containing, attributes, source)
        hits = [d for p in self.publications if matches(p) for d in p.deliveries if d.ok and to in d.names()]
        if (count is None and hits) or (count is not None and len(hits) == count):
            return hits
        wanted = _wanted(message, containing, attributes, source)
        if hits:
            raise AssertionError(
                f"{to} received {len(hits)} matching message(s){wanted}, expected {count}:\n"
                + "\n".join(f"  - {_short(d.payload, 100)}" for d in hits)
                + f"\n\n{self._everything()}\nSee {DOCS}"
            )
        raise AssertionError(self._explain_miss(to, matches, wanted))

    def assert_not_delivered(
        self,
        to: str,
        *,
        message: str | None = None,
        containing: str | None = None,
        attributes: dict[str, Any] | None = None,
        source: str | None = None,
    ) -> None:
        """Assert nothing matching reached ``to`` (filtered, failed or never published)."""
        __tracebackhide__ = True
        matches = self._matcher(message, containing, attributes, source)
        hits = [(p, d) for p in self.publications if matches(p) for d in p.deliveries if d.ok and to in d.names()]
        if hits:
            lines = [f"  - message {p.message_id} from {p.source_name}: {p.describe()}" for p, _ in hits]
            raise AssertionError(
                f"{to} received {len(hits)} message(s){_wanted(message, containing, attributes, source)}"
                " it should not have:\n" + "\n".join(lines) + f"\nSee {DOCS}"
            )

    def _matcher(
        self,
        message: str | None,
        containing: str | None,
        attributes: dict[str, Any] | None,
        source: str | None,
    ) -> Matcher:
        def matches(p: Publication) -> bool:
            if source is not None and source not in (p.source, p.source_name):
                return False
            if message is not None and p.message != message:
                return False
            if containing is not None and containing not in p.message:
                return False
            if attributes:
                values = p.attribute_values()
                if any(str(values.get(k)) != str(v) for k, v in attributes.items()):
                    return False
            return True

        return matches

    def _explain_miss(self, to: str, matches: Matcher, wanted: str) -> str:
        candidates = [p for p in self.publications if matches(p)]
        if not self.publications:
            return f"nothing was published at all, so nothing reached {to}.\nSee {DOCS}"
        if not candidates:
            return f"no published message matched{wanted}; nothing reached {to}.\n\n{self._everything()}\nSee {DOCS}"
        sources = sorted({p.source_name for p in candidates})
        head = f"published {len(candidates)} message(s){wanted} to {', '.join(sources)}; none reached {to}:"
        lines = []
        known = any(to in d.names() for p in self.publications for d in p.deliveries)
        for index, p in enumerate(candidates, 1):
            mine = [d for d in p.deliveries if to in d.names()]
            if p.note and not p.deliveries:
                why = p.note
            elif not mine:
                why = f"{to} is not subscribed to {p.source_name}"
            else:
                why = "; ".join(_why(d) for d in mine)
            lines.append(f"  message {index} ({p.message_id}, {p.describe()}): {why}")
        if not known:
            seen = sorted({d.target for p in self.publications for d in p.deliveries})
            lines.append(f"  {to} never appears as a subscriber; subscribers seen: {', '.join(seen) or 'none'}")
        return head + "\n" + "\n".join(lines) + f"\n\n{self._everything()}\nSee {DOCS}"

    def _everything(self) -> str:
        shown = self.publications[-20:]
        more = len(self.publications) - len(shown)
        prefix = f"(first {more} publications not shown)\n" if more else ""
        return "Deliveries:\n" + prefix + "\n".join(p.summary() for p in shown)


def _why(delivery: Delivery) -> str:
    if delivery.status == FILTERED:
        return f"filter policy rejected it: {delivery.reason}"
    if delivery.status == PENDING:
        return "the subscription is pending confirmation" + (f": {delivery.reason}" if delivery.reason else "")
    return f"{delivery.status}" + (f": {delivery.reason}" if delivery.reason else "")


def _wanted(message: str | None, containing: str | None, attributes: dict[str, Any] | None, source: str | None) -> str:
    parts = []
    if message is not None:
        parts.append(f"equal to {_short(message, 40)!r}")
    if containing is not None:
        parts.append(f"containing {containing!r}")
    if attributes:
        parts.append(f"with attributes {attributes}")
    if source is not None:
        parts.append(f"from {source}")
    return (" " + " and ".join(parts)) if parts else ""
