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

    @property
    def ok(self) -> bool:
        return self.error_code is None

    def summary(self) -> str:
        when = datetime.fromtimestamp(self.time, tz=timezone.utc).strftime("%H:%M:%S.%f")[:-3]
        keys = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        outcome = "ok" if self.ok else f"{self.status} {self.error_code}: {self.error_message}"
        if self.fault:
            outcome += f" [fault: {self.fault}]"
        return f"{when} {self.region} {self.service}.{self.operation}({keys}) -> {outcome}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


class CallLog:
    """Every call in the order the cloud answered it."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

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

    def format(self) -> str:
        return "\n".join(r.summary() for r in self.records) or "(no AWS calls)"

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.records]
