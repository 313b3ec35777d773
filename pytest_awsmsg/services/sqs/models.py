"""SQS state: queues, messages and message move tasks, per account and region.

Visibility is computed from timestamps (``visible_at``) rather than timers,
because the process's own time moves too (real time, freezegun,
time-machine): a message is in flight while ``now < visible_at`` after a
receive, delayed while ``now < visible_at`` before its first receive, and
visible otherwise. Only things with side effects (message move tasks) are
scheduled on the clock. A queue indexes its messages by state
(:mod:`.index`), so nothing that answers a call scans the whole queue.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.dedup import DedupWindow, FirstSend

if TYPE_CHECKING:
    from .index import MessageIndex
    from .movetasks import MoveTask

# Float time (real or frozen) can land a hair before a due instant; a message
# due within EPSILON is visible. Ten microseconds is far below anything a test
# can observe and covers freezegun's microsecond rounding.
EPSILON = 1e-5

DEDUP_WINDOW = 300.0  # seconds: FIFO deduplication interval and ReceiveRequestAttemptId lifetime
PURGE_INTERVAL = 60.0  # seconds between two PurgeQueue calls on one queue
RECREATE_INTERVAL = 60.0  # seconds before a deleted queue's name can be used again
RECEIPT_PREFIX = "AQEB"


@dataclass(eq=False)
class Message:
    """One stored message. ``key`` orders messages in their queue."""

    key: int
    message_id: str
    body: str
    md5_of_body: str
    message_attributes: dict[str, dict[str, Any]]
    md5_of_message_attributes: str | None
    system_attributes: dict[str, dict[str, Any]]
    md5_of_system_attributes: str | None
    sent_at: float
    sender_id: str
    visible_at: float
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    receive_count: int = 0
    first_received_at: float | None = None
    received_at: float | None = None  # last receive, for the 12-hour visibility limit
    receipt_handle: str | None = None
    dead_letter_source_arn: str | None = None
    placed: str | None = None  # the state its queue's index files it under (see index.py)

    def state(self, now: float) -> str:
        """``visible``, ``in-flight`` or ``delayed`` at ``now``."""
        if now + EPSILON >= self.visible_at:
            return "visible"
        return "delayed" if self.receipt_handle is None else "in-flight"

    def is_visible(self, now: float) -> bool:
        return now + EPSILON >= self.visible_at

    def in_flight(self, now: float) -> bool:
        return self.receipt_handle is not None and now + EPSILON < self.visible_at


def message_size(body: str, attributes: dict[str, dict[str, Any]]) -> int:
    """The size AWS counts against MaximumMessageSize: body plus attribute names, types and values."""
    return len(body.encode("utf-8")) + attributes_size(attributes)


def attributes_size(attributes: dict[str, dict[str, Any]]) -> int:
    total = 0
    for name, value in attributes.items():
        total += len(name.encode("utf-8")) + len(str(value.get("DataType", "")).encode("utf-8"))
        if value.get("StringValue") is not None:
            total += len(str(value["StringValue"]).encode("utf-8"))
        elif value.get("BinaryValue") is not None:
            binary = value["BinaryValue"]
            total += len(binary) if isinstance(binary, bytes) else len(str(binary).encode("utf-8"))
    return total


@dataclass(frozen=True)
class Quirks:
    """How far a standard queue strays from "each message once, oldest first"."""

    duplicate_rate: float = 0.0
    reorder: bool = False


@dataclass
class ReceiveAttempt:
    """What a FIFO ReceiveMessage with a ReceiveRequestAttemptId returned, to replay it."""

    messages: list[Message]
    handles: list[str]
    result: list[dict[str, Any]]


@dataclass(eq=False)
class Queue:
    name: str
    account_id: str
    region: str
    url: str
    arn: str
    fifo: bool
    attributes: dict[str, str]
    created_at: float
    last_modified_at: float
    tags: dict[str, str] = field(default_factory=dict)
    index: MessageIndex = field(init=False, repr=False)
    # FIFO deduplication ids, and ReceiveRequestAttemptIds, for five minutes each.
    dedup: DedupWindow[tuple[str, str], FirstSend] = field(default_factory=lambda: DedupWindow(DEDUP_WINDOW))
    attempts: DedupWindow[str, ReceiveAttempt] = field(default_factory=lambda: DedupWindow(DEDUP_WINDOW))
    last_purge_at: float | None = None
    next_sequence: int = 0
    receipt_counter: int = 0
    next_key: int = 0

    def __post_init__(self) -> None:
        from .index import MessageIndex

        self.index = MessageIndex(self.fifo)

    # -- attributes -----------------------------------------------------------

    def int_attribute(self, name: str) -> int:
        return int(self.attributes[name])

    @property
    def visibility_timeout(self) -> int:
        return self.int_attribute("VisibilityTimeout")

    @property
    def delay_seconds(self) -> int:
        return self.int_attribute("DelaySeconds")

    @property
    def retention(self) -> int:
        return self.int_attribute("MessageRetentionPeriod")

    @property
    def max_message_size(self) -> int:
        return self.int_attribute("MaximumMessageSize")

    @property
    def content_based_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    @property
    def dedup_per_group(self) -> bool:
        return self.attributes.get("DeduplicationScope") == "messageGroup"

    # -- messages -------------------------------------------------------------

    @property
    def messages(self) -> dict[int, Message]:
        """Every stored message by key, oldest first (expired ones until the queue is next settled)."""
        return self.index.messages

    def add(self, message: Message, now: float) -> None:
        """Store a message under a fresh key (keys order a queue's messages)."""
        self.next_key += 1
        message.key = self.next_key
        self.index.add(message, now)

    def settle(self, now: float) -> None:
        """Bring the index to ``now``: drop messages past retention, reveal what became visible."""
        self.index.settle(now, self.retention)

    def counts(self, now: float) -> tuple[int, int, int]:
        """(visible, in flight, delayed): the three approximate counters."""
        self.settle(now)
        counts = self.index.counts
        return counts["visible"], counts["in-flight"], counts["delayed"]

    def reported_attributes(self, visible: int, in_flight: int, delayed: int) -> dict[str, str]:
        """Every attribute as GetQueueAttributes reports it, given the three counters.

        The counters are the caller's: GetQueueAttributes expires messages on the
        way (:meth:`counts`), the view for assertions must not (it changes nothing).
        """
        values = {k: v for k, v in self.attributes.items() if v != ""}
        values.update(
            {
                "QueueArn": self.arn,
                "ApproximateNumberOfMessages": str(visible),
                "ApproximateNumberOfMessagesNotVisible": str(in_flight),
                "ApproximateNumberOfMessagesDelayed": str(delayed),
                "CreatedTimestamp": str(int(self.created_at)),
                "LastModifiedTimestamp": str(int(self.last_modified_at)),
            }
        )
        if "KmsMasterKeyId" in values:
            values.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        return values

    def next_visible_at(self, now: float) -> float | None:
        """When the next invisible message becomes visible, if any does."""
        self.settle(now)
        return self.index.next_change()

    def dedup_key(self, group_id: str | None, deduplication_id: str) -> tuple[str, str]:
        return ((group_id or "") if self.dedup_per_group else "", deduplication_id)

    def new_receipt(self, message: Message, token: str) -> str:
        """A receipt handle that names its queue and message, so a stale one can be told from garbage."""
        self.receipt_counter += 1
        payload = f"{self.arn} {message.message_id} {message.key} {self.receipt_counter} {token}"
        return RECEIPT_PREFIX + base64.b64encode(payload.encode("utf-8")).decode("ascii")


def parse_receipt(handle: str) -> tuple[str, str, int] | None:
    """(queue ARN, message id, message key) from a handle this fake issued, else ``None``."""
    if not handle.startswith(RECEIPT_PREFIX):
        return None
    try:
        arn, message_id, key, _, _ = base64.b64decode(handle[len(RECEIPT_PREFIX) :], validate=True).decode().split(" ")
        return arn, message_id, int(key)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class SqsStore:
    """One account's queues in one region."""

    account_id: str
    region: str
    queues: dict[str, Queue] = field(default_factory=dict)
    deleted: dict[str, float] = field(default_factory=dict)  # name -> when it was deleted
    move_tasks: dict[str, list[MoveTask]] = field(default_factory=dict)  # source ARN -> newest last
