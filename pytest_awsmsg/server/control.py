"""The control endpoint of a standalone server: what a test's ``aws`` object
does in-process, over plain JSON HTTP under ``/_awsmsg/`` (see docs/server.md).

======  ==========================  ==============================================
GET     /_awsmsg/clock              ``{"now": ISO 8601, "epoch": seconds}``
POST    /_awsmsg/clock/advance      body ``{"seconds"|"minutes"|"hours"|"days": n}``
POST    /_awsmsg/clock/travel       body ``{"to": ISO 8601 or epoch seconds}``
GET     /_awsmsg/deliveries         ``{"publications": [...]}`` (``aws.deliveries``)
GET     /_awsmsg/calls              ``{"calls": [...]}`` (``aws.calls``)
POST    /_awsmsg/reset              a fresh cloud, same seed and region
======  ==========================  ==============================================

Every answer is JSON; a bad request is a 4xx with ``{"message": ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.protocols import WireRequest, WireResponse
from ..core.timeline import jsonable

if TYPE_CHECKING:
    from ..core.cloud import Cloud

PREFIX = "/_awsmsg/"
_UNITS = ("seconds", "minutes", "hours", "days")


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Control:
    """Answers ``/_awsmsg/...`` for the cloud ``current()`` returns; ``reset()`` replaces it."""

    def __init__(self, current: Callable[[], Cloud], reset: Callable[[], object]) -> None:
        self._current = current
        self._reset = reset

    def claims(self, wire: WireRequest) -> bool:
        return wire.path.startswith(PREFIX) or wire.path == PREFIX.rstrip("/")

    def answer(self, wire: WireRequest) -> WireResponse:
        try:
            status, body = self._route(wire)
        except ControlError as error:
            status, body = error.status, {"message": error.message}
        data = json.dumps(body, indent=1, sort_keys=True).encode() + b"\n"
        return WireResponse(status, {"Content-Type": "application/json"}, data)

    def _route(self, wire: WireRequest) -> tuple[int, Any]:
        route = (wire.method, wire.path.rstrip("/"))
        cloud = self._current()
        if route == ("GET", "/_awsmsg/clock"):
            return 200, _clock(cloud)
        if route == ("POST", "/_awsmsg/clock/advance"):
            given = _json(wire)
            unknown = sorted(set(given) - set(_UNITS))
            if unknown or not given:
                raise ControlError(400, f"advance takes {', '.join(_UNITS)} (numbers), not {sorted(given)}")
            try:
                cloud.clock.advance(**{k: float(v) for k, v in given.items()})
            except (TypeError, ValueError) as error:
                raise ControlError(400, f"cannot advance the clock: {error}") from None
            return 200, _clock(cloud)
        if route == ("POST", "/_awsmsg/clock/travel"):
            given = _json(wire)
            if set(given) != {"to"}:
                raise ControlError(400, 'travel takes {"to": an ISO 8601 instant or epoch seconds}')
            try:
                cloud.clock.travel_to(given["to"])
            except (TypeError, ValueError) as error:
                raise ControlError(400, f"cannot travel to {given['to']!r}: {error}") from None
            return 200, _clock(cloud)
        if route == ("GET", "/_awsmsg/deliveries"):
            with cloud.lock:
                return 200, {"publications": [jsonable(p) for p in cloud.deliveries]}
        if route == ("GET", "/_awsmsg/calls"):
            with cloud.lock:
                return 200, {"calls": jsonable(cloud.calls.to_json())}
        if route == ("POST", "/_awsmsg/reset"):
            self._reset()
            return 200, {"reset": True, **_clock(self._current())}
        raise ControlError(404, f"no control endpoint {wire.method} {wire.path}; see docs/server.md")


def _clock(cloud: Cloud) -> dict[str, Any]:
    return {"now": cloud.clock.now_dt().isoformat(timespec="milliseconds"), "epoch": cloud.clock.now()}


def _json(wire: WireRequest) -> dict[str, Any]:
    try:
        value = json.loads(wire.body or b"{}")
    except ValueError:
        raise ControlError(400, "the body is not JSON") from None
    if not isinstance(value, dict):
        raise ControlError(400, "the body must be a JSON object")
    return value
