"""One test's cloud as a single ordered timeline, for ``--awsmsg-timeline``.

Calls (with their attempt, invocation and injected fault), the faults
themselves, AZ and region changes, and deliveries (when the cloud keeps a
delivery log), sorted by virtual time; ties keep that order, so a call comes
before the fault it suffered. Beside them, every fault rule the test made,
with what it selected and how often it fired.
"""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cloud import Cloud


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=timezone.utc).isoformat(timespec="milliseconds")


def jsonable(value: Any) -> Any:
    """Plain JSON values for what records hold (bytes, datetimes, dataclasses)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _event(kind: str, moment: float, fields: dict[str, Any]) -> dict[str, Any]:
    fields.pop("time", None)
    fields.pop("kind", None)  # a topology change's own kind is in the event's
    return {"kind": kind, "time": _iso(moment), "t": moment, **jsonable(fields)}


def timeline(cloud: Cloud) -> dict[str, Any]:
    """Everything that happened in a cloud, in order of virtual time."""
    events = [_event("call", r.time, dataclasses.asdict(r)) for r in cloud.calls]
    events += [_event("fault", f.time, f.to_json()) for f in cloud.faults.log]
    events += [_event(c.kind + "-change", c.time, dataclasses.asdict(c)) for c in cloud.topology.changes]
    deliveries = getattr(cloud, "deliveries", None)
    for publication in deliveries if deliveries is not None else ():
        moment = float(getattr(publication, "time", 0.0))
        events.append(_event("delivery", moment, dict(jsonable(publication))))
    events.sort(key=lambda e: e["t"])
    return {
        "seed": jsonable(cloud.seed),
        "region": cloud.region,
        "account_id": cloud.account_id,
        "fault_rules": [rule.to_json() for rule in cloud.faults.made],
        "events": events,
    }
