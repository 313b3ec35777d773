"""Regions, their Availability Zones, and outages of either.

Outages are fault rules plus state changes: the rules make calls fail as they
would on a bad day, and the state changes reach services with zonal resources
(an MQ broker fails over or goes down) through :meth:`Topology.on_az_change`
and :meth:`Topology.on_region_change`.

An AZ outage, as AWS describes one: regional services stay up, but for a
while (until load balancers and DNS shift traffic away) a share of the calls
that land in the failed AZ fail with 5xx; clients that retry succeed, clients
that do not fail. Code running *in* the failed AZ (see :meth:`Topology.in_az`)
loses connectivity altogether. A region outage makes every endpoint of the
region unreachable: connection errors, for testing multi-region failover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from .calllog import stamp
from .clock import Timer, seconds
from .ids import IdSource
from .undo import UndoneOnExit

if TYPE_CHECKING:
    from .cloud import Cloud
    from .faults import FaultRule

# Region -> (AZ name, AZ ID) of each zone: the zones a new account can use
# (us-west-1 has no usw1-az2, ca-central-1 no cac1-az3, ap-northeast-1 no
# apne1-az3: those AZ IDs are closed to new accounts). AWS maps AZ names to AZ
# IDs per account, at random in the older regions, so no mapping is "the"
# mapping; assumed: one fixed mapping per region, the IDs in AZ-name order
# where a region's names and IDs line up, so the same names mean the same
# zones in every test. Code that must be account-independent names zones by
# AZ ID (``zone("use1-az4")``), as AWS recommends.
ZONES: dict[str, tuple[tuple[str, str], ...]] = {
    "us-east-1": tuple((f"us-east-1{c}", f"use1-az{i}") for i, c in enumerate("abcdef", 1)),
    "us-east-2": tuple((f"us-east-2{c}", f"use2-az{i}") for i, c in enumerate("abc", 1)),
    "us-west-1": (("us-west-1b", "usw1-az1"), ("us-west-1c", "usw1-az3")),
    "us-west-2": tuple((f"us-west-2{c}", f"usw2-az{i}") for i, c in enumerate("abcd", 1)),
    "ca-central-1": (("ca-central-1a", "cac1-az1"), ("ca-central-1b", "cac1-az2"), ("ca-central-1d", "cac1-az4")),
    "sa-east-1": tuple((f"sa-east-1{c}", f"sae1-az{i}") for i, c in enumerate("abc", 1)),
    "eu-west-1": tuple((f"eu-west-1{c}", f"euw1-az{i}") for i, c in enumerate("abc", 1)),
    "eu-west-2": tuple((f"eu-west-2{c}", f"euw2-az{i}") for i, c in enumerate("abc", 1)),
    "eu-west-3": tuple((f"eu-west-3{c}", f"euw3-az{i}") for i, c in enumerate("abc", 1)),
    "eu-central-1": tuple((f"eu-central-1{c}", f"euc1-az{i}") for i, c in enumerate("abc", 1)),
    "eu-north-1": tuple((f"eu-north-1{c}", f"eun1-az{i}") for i, c in enumerate("abc", 1)),
    "ap-south-1": tuple((f"ap-south-1{c}", f"aps1-az{i}") for i, c in enumerate("abc", 1)),
    "ap-northeast-1": (
        ("ap-northeast-1a", "apne1-az4"),
        ("ap-northeast-1c", "apne1-az1"),
        ("ap-northeast-1d", "apne1-az2"),
    ),
    "ap-northeast-2": tuple((f"ap-northeast-2{c}", f"apne2-az{i}") for i, c in enumerate("abcd", 1)),
    "ap-southeast-1": tuple((f"ap-southeast-1{c}", f"apse1-az{i}") for i, c in enumerate("abc", 1)),
    "ap-southeast-2": tuple((f"ap-southeast-2{c}", f"apse2-az{i}") for i, c in enumerate("abc", 1)),
}

# How long, after an AZ fails, calls landing in it still fail before traffic
# shifts away. Assumed: a few health-check intervals (AWS does not publish one
# number; load balancer and DNS failover take tens of seconds to minutes).
DEFAULT_SHIFT_AFTER = 60.0

# The AZ the current code runs in. A context variable: asyncio tasks inherit
# it; a thread started inside ``in_az`` starts outside any AZ, like any
# context variable, and says where it runs with its own ``in_az``.
_caller_az: ContextVar[str | None] = ContextVar("pytest_awsmsg_caller_az", default=None)


@dataclass(frozen=True)
class Zone:
    name: str  # us-east-1a
    id: str  # use1-az1
    region: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class TopologyChange:
    """What subscribers of :meth:`Topology.on_az_change` / ``on_region_change`` get."""

    time: float
    kind: str  # "az" or "region"
    name: str  # the zone's name or the region
    up: bool
    zone: Zone | None = None


class Outage(UndoneOnExit):
    """An AZ or region being down; a context manager that brings it back on exit."""

    def __init__(self, topology: Topology, kind: str, name: str, zone: Zone | None) -> None:
        self.topology = topology
        self.kind = kind
        self.name = name
        self.zone = zone
        self.started = topology.cloud.clock.now()
        self.ends: float | None = None
        self.rules: list[FaultRule] = []
        self.timer: Timer | None = None
        self.over = False

    def end(self) -> None:
        """Bring the AZ or region back now (a no-op when it is already back)."""
        if self.over:
            return
        self.over = True
        if self.timer is not None:
            self.timer.cancel()
        for rule in self.rules:
            rule.remove()
        self.topology._ended(self)

    def undo(self) -> None:
        """Leaving ``with outage:`` brings the AZ or region back."""
        self.end()

    def __repr__(self) -> str:
        return f"<Outage {self.kind} {self.name} {'over' if self.over else 'ongoing'}>"


class Topology:
    """The cloud's regions and AZs, what is down, and who wants to know (``aws.topology``)."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.outages: list[Outage] = []
        self.changes: list[TopologyChange] = []
        self._az_subscribers: list[Callable[[TopologyChange], None]] = []
        self._region_subscribers: list[Callable[[TopologyChange], None]] = []

    # -- the map ----------------------------------------------------------------

    @property
    def regions(self) -> list[str]:
        return list(ZONES)

    def zones(self, region: str | None = None) -> list[Zone]:
        """The AZs of a region (the cloud's default region if none is given)."""
        region = region or self.cloud.region
        if region not in ZONES:
            raise ValueError(f"pytest-awsmsg has no AZ table for {region!r}; it knows {', '.join(ZONES)}.")
        return [Zone(name, zone_id, region) for name, zone_id in ZONES[region]]

    def zone(self, name_or_id: str) -> Zone:
        """A zone by AZ name (``us-east-1a``) or AZ ID (``use1-az1``)."""
        for region, zones in ZONES.items():
            for name, zone_id in zones:
                if name_or_id in (name, zone_id):
                    return Zone(name, zone_id, region)
        raise ValueError(
            f"Unknown Availability Zone {name_or_id!r}. Zones look like 'us-east-1a' or 'use1-az1'; "
            f"known regions: {', '.join(ZONES)}."
        )

    def placement(self, region: str, key: str) -> Zone:
        """A stable, seeded AZ for a zonal resource (a broker), by its key."""
        zones = self.zones(region)
        return IdSource(f"{self.cloud.seed}/placement/{region}/{key}").choice(zones)

    # -- state ------------------------------------------------------------------

    def is_up(self, zone: str) -> bool:
        """Whether an AZ (name or ID) and its region are up."""
        found = self.zone(zone)
        return self.region_is_up(found.region) and not any(
            o.kind == "az" and o.zone == found and not o.over for o in self.outages
        )

    def region_is_up(self, region: str) -> bool:
        return not any(o.kind == "region" and o.name == region and not o.over for o in self.outages)

    # -- client affinity ----------------------------------------------------------

    @contextmanager
    def in_az(self, zone: str) -> Iterator[Zone]:
        """Calls made inside run in this AZ: they lose connectivity while it is down."""
        found = self.zone(zone)
        token = _caller_az.set(found.name)
        try:
            yield found
        finally:
            _caller_az.reset(token)

    @staticmethod
    def caller_az() -> str | None:
        """The AZ name the current code runs in, if it said (:meth:`in_az`)."""
        return _caller_az.get()

    # -- outages ----------------------------------------------------------------

    def az_outage(
        self,
        zone: str,
        duration: float | timedelta | None = None,
        *,
        error_share: float | None = None,
        shift_after: float | timedelta = DEFAULT_SHIFT_AFTER,
    ) -> Outage:
        """Take an AZ down now, for ``duration`` virtual seconds or until ended.

        Callers inside the AZ get connection errors on every call. Other
        callers of the region's endpoints see ``error_share`` of their calls
        (default: the AZ's share of the region, 1/number of AZs; seeded) fail
        with 503 for ``shift_after`` seconds, until traffic shifts away.
        Subscribers of :meth:`on_az_change` hear of it at once.
        """
        found = self.zone(zone)
        share = 1 / len(ZONES[found.region]) if error_share is None else error_share
        if not 0 <= share <= 1:
            raise ValueError(f"error_share={share!r}: give a fraction from 0 to 1.")
        outage = Outage(self, "az", found.name, found)
        faults = self.cloud.faults
        outage.rules.append(
            faults.inject(
                caller_az=found.name,
                connection="refused",
                duration=duration,
                label=f"az-outage {found.name}: caller in the failed AZ",
            )
        )
        shift = seconds(shift_after)
        window = shift if duration is None else min(shift, seconds(duration))
        if share > 0 and window > 0:
            outage.rules.append(
                faults.inject(
                    region=found.region,
                    error="unavailable",
                    percentage=100 * share,
                    duration=window,
                    label=f"az-outage {found.name}: calls landing in the failed AZ",
                )
            )
        return self._started(outage, duration)

    def region_outage(self, region: str, duration: float | timedelta | None = None) -> Outage:
        """Make every endpoint of a region unreachable, for everyone, the cloud included."""
        self.zones(region)  # refuse an unknown region
        outage = Outage(self, "region", region, None)
        outage.rules.append(
            self.cloud.faults.inject(
                region=region,
                connection="refused",
                duration=duration,
                include_internal=True,
                label=f"region-outage {region}",
            )
        )
        return self._started(outage, duration)

    # -- subscribers --------------------------------------------------------------

    def on_az_change(self, callback: Callable[[TopologyChange], None]) -> Callable[[], None]:
        """Call ``callback`` when an AZ goes down or comes back; returns an unsubscribe."""
        self._az_subscribers.append(callback)
        return lambda: self._az_subscribers.remove(callback)

    def on_region_change(self, callback: Callable[[TopologyChange], None]) -> Callable[[], None]:
        """Call ``callback`` when a region goes down or comes back; returns an unsubscribe."""
        self._region_subscribers.append(callback)
        return lambda: self._region_subscribers.remove(callback)

    def format(self) -> str:
        """AZs and regions going down and coming back, for reports."""
        lines = []
        for change in self.changes:
            when = stamp(change.time)
            what = f"AZ {change.name} ({change.zone.id})" if change.zone else f"region {change.name}"
            lines.append(f"{when} {what} {'back up' if change.up else 'down'}")
        return "\n".join(lines) or "(no outages)"

    # -- internals ----------------------------------------------------------------

    def _started(self, outage: Outage, duration: float | timedelta | None) -> Outage:
        with self.cloud.lock:
            for rule in outage.rules:
                rule.owner = outage
            self.outages.append(outage)
            if duration is not None:
                outage.ends = outage.started + seconds(duration)
                outage.timer = self.cloud.clock.call_at(outage.ends, outage.end, f"end of {outage!r}")
            self._notify(outage, up=False)
        return outage

    def _ended(self, outage: Outage) -> None:
        with self.cloud.lock:
            self._notify(outage, up=True)

    def _notify(self, outage: Outage, *, up: bool) -> None:
        change = TopologyChange(self.cloud.clock.now(), outage.kind, outage.name, up, outage.zone)
        self.changes.append(change)
        subscribers = self._az_subscribers if outage.kind == "az" else self._region_subscribers
        for callback in list(subscribers):
            callback(change)
