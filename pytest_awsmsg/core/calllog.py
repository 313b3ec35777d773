"""A record of every call the cloud answered, for asserts and failure reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

# Long values (message bodies, policies) are cut in reports, not in the log.
_SHOWN = 80


@dataclass
class CallRecord:
    time: float
    service: str
    operation: str
    region: str
    account_id: str
    request_id: str
    params: dict[str, Any]
    status: int = 200
    error_code: str | None = None
    error_message: str | None = None
    fault: str | None = None  # what the fault injector did to this call, if anything
    thread: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # botocore's attempt number, and which logical call (one client method
    # call, all its retries) it belongs to: numbered in order of first sight.
    attempt: int = 1
    invocation: int | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None

    def summary(self) -> str:
        when = stamp(self.time)
        keys = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        outcome = "ok" if self.ok else f"{self.status or 'no answer'} {self.error_code}: {self.error_message}"
        if self.fault:
            outcome += f" [fault: {self.fault}]"
        attempt = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        return f"{when} {self.region} {self.service}.{self.operation}({keys}){attempt} -> {outcome}"


def stamp(moment: float) -> str:
    """A cloud instant in reports: date and time (UTC, ms), so a scenario over days reads right."""
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


@dataclass
class Invocation:
    """One client method call and every attempt botocore made at it."""

    number: int
    records: list[CallRecord]

    @property
    def service(self) -> str:
        return self.records[0].service

    @property
    def operation(self) -> str:
        return self.records[0].operation

    @property
    def attempts(self) -> int:
        return len(self.records)

    @property
    def retries(self) -> int:
        return len(self.records) - 1

    @property
    def ok(self) -> bool:
        """Whether the last attempt succeeded (what the caller finally saw)."""
        return self.records[-1].ok

    @property
    def faults(self) -> list[str]:
        return [r.fault for r in self.records if r.fault]

    def summary(self) -> str:
        outcomes = ", ".join(
            "ok" if r.ok else f"{r.status or 'no answer'} {r.error_code}" + (" [fault]" if r.fault else "")
            for r in self.records
        )
        return f"#{self.number} {self.service}.{self.operation}: {self.attempts} attempts: {outcomes}"


class CallLog:
    """Every call in the order the cloud answered it."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self._invocations: dict[str, int] = {}

    def invocation_number(self, invocation_id: str) -> int:
        """A stable small number for botocore's (random) invocation id."""
        found = self._invocations.get(invocation_id)
        if found is None:
            found = self._invocations[invocation_id] = len(self._invocations) + 1
        return found

    def append(self, record: CallRecord) -> None:
        self.records.append(record)

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> CallRecord:
        return self.records[index]

    def of(self, service: str | None = None, operation: str | None = None) -> list[CallRecord]:
        """The calls to a service and/or operation, e.g. ``aws.calls.of("sqs", "SendMessage")``."""
        return [
            r
            for r in self.records
            if (service is None or r.service == service) and (operation is None or r.operation == operation)
        ]

    def invocations(self, service: str | None = None, operation: str | None = None) -> list[Invocation]:
        """Client calls with their attempts, in order: ``[i.retries for i in aws.calls.invocations()]``.

        Only calls made through a botocore client carry an invocation; calls
        the cloud makes to itself do not.
        """
        grouped: dict[int, list[CallRecord]] = {}
        for record in self.of(service, operation):
            if record.invocation is not None:
                grouped.setdefault(record.invocation, []).append(record)
        return [Invocation(number, records) for number, records in grouped.items()]

    def retried(self) -> list[Invocation]:
        """The client calls that needed more than one attempt."""
        return [i for i in self.invocations() if i.attempts > 1]

    def format(self) -> str:
        return "\n".join(r.summary() for r in self.records) or "(no AWS calls)"

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.records]
