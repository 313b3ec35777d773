"""AWS FIS experiment templates: their API fault actions as fault rules.

A team that runs chaos experiments with AWS Fault Injection Service can run
the same template in a unit test: ``aws:fis:inject-api-internal-error``,
``inject-api-throttle-error`` and ``inject-api-unavailable-error`` (parameters
``service``, ``operations``, ``percentage``, ``duration``) and
``aws:fis:wait``, chained by ``startAfter`` in virtual time. What FIS itself
refuses in these actions (a missing parameter, a percentage outside 1-100, a
duration outside one minute to 12 hours, a target that is not an IAM role),
or what the fake cannot run, is refused when the experiment starts.

One deliberate extension: AWS FIS accepts only the ``ec2`` and ``kinesis``
API namespaces for ``service`` today (FIS actions reference). The kit accepts
the namespaces of the services it fakes instead (``sqs``, ``sns``,
``states``...), so a team writes its messaging experiment in the template
shape it already knows; a real FIS would refuse such a template.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .undo import UndoneOnExit

if TYPE_CHECKING:
    from .faults import FaultInjector, FaultRule


class _Action(NamedTuple):
    """One action of a template, checked: what it breaks, how long, after what."""

    error: str | None  # "throttle", "internal", "unavailable"; None for aws:fis:wait
    service: str | None
    operations: str | None
    percentage: float
    duration: float
    after: tuple[str, ...]  # startAfter


FIS_API_ACTIONS = {
    "aws:fis:inject-api-internal-error": "internal",
    "aws:fis:inject-api-throttle-error": "throttle",
    "aws:fis:inject-api-unavailable-error": "unavailable",
}
FIS_WAIT = "aws:fis:wait"
# FIS: "The duration, from one minute to 12 hours" (API actions and aws:fis:wait).
MIN_DURATION, MAX_DURATION = 60.0, 12 * 3600.0
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_iso_duration(text: str) -> float:
    """Seconds in an ISO 8601 duration as FIS writes them (``PT1M``, ``PT1H30M``)."""
    found = _ISO_DURATION.match(text.strip())
    if not found or text.strip() in ("P", "PT"):
        raise ValueError(f"FIS duration {text!r} is not an ISO 8601 duration such as PT1M or PT90S.")
    days, hours, minutes, secs = (float(g) if g else 0.0 for g in found.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + secs


def load_template(template: Mapping[str, Any] | str | os.PathLike[str]) -> Mapping[str, Any]:
    if isinstance(template, (str, os.PathLike)):
        text = str(template)
        loaded = json.loads(text) if text.lstrip().startswith("{") else json.loads(Path(text).read_text("utf-8"))
        template = loaded
    if not isinstance(template, Mapping):
        raise ValueError("An FIS experiment template is a JSON object.")
    inner = template.get("experimentTemplate")
    return inner if isinstance(inner, Mapping) else template


def _fis_service(namespace: str) -> str:
    """The faked service behind an FIS ``service`` parameter (API namespace)."""
    from .registry import faked_services, service_model

    for name in faked_services():
        model = service_model(name)
        if namespace in (name, model.endpoint_prefix, model.signing_name):
            return name
    raise ValueError(
        f"FIS service {namespace!r} is not faked by pytest-awsmsg (it fakes {', '.join(faked_services())}); "
        "nothing calls it here, so the action would test nothing."
    )


class FisExperiment(UndoneOnExit):
    """A running FIS experiment: its API fault actions as fault rules.

    Actions start at once or, with ``startAfter``, when the actions they
    follow end, and last their ``duration`` in virtual time. ``targets``,
    when given, must name an ``aws:iam:role`` target of the template; the fake
    has no IAM identities, so every caller counts as that role. Other action
    types are refused, as is anything FIS itself would refuse (see the module
    docstring). ``stopConditions`` are accepted and never fire: the kit has no
    CloudWatch alarms, so the experiment runs its course unless :meth:`stop`
    ends it.
    """

    def __init__(self, injector: FaultInjector, template: Mapping[str, Any]) -> None:
        self.injector = injector
        self.description = str(template.get("description", ""))
        actions = template.get("actions")
        if not isinstance(actions, Mapping) or not actions:
            raise ValueError("The FIS template has no actions.")
        targets = template.get("targets") or {}
        plan = {name: self._plan(name, action, targets) for name, action in actions.items()}
        self.started = injector.cloud.clock.now()
        self.windows = _schedule(plan, self.started)
        self.rules: list[FaultRule] = []
        for name, planned in plan.items():
            if planned.error is None:
                continue  # aws:fis:wait
            start, end = self.windows[name]
            self.rules.append(
                injector.inject(
                    planned.service,
                    planned.operations,
                    error=planned.error,
                    percentage=planned.percentage,
                    after=start - self.started,
                    duration=end - start,
                    label=f"fis {name}",
                )
            )

    @staticmethod
    def _plan(name: str, action: Any, targets: Mapping[str, Any]) -> _Action:
        if not isinstance(action, Mapping):
            raise ValueError(f"FIS action {name!r} is not an object.")
        action_id = action.get("actionId")
        params = action.get("parameters") or {}
        if "duration" not in params:
            raise ValueError(f"FIS action {name!r} needs parameters.duration (ISO 8601, e.g. PT5M).")
        duration = parse_iso_duration(str(params["duration"]))
        if not MIN_DURATION <= duration <= MAX_DURATION:
            raise ValueError(
                f"FIS action {name!r}: duration {params['duration']!r} is outside what FIS accepts, "
                "one minute to 12 hours (PT1M to PT12H)."
            )
        after = tuple(action.get("startAfter") or ())
        if action_id == FIS_WAIT:
            return _Action(None, None, None, 0.0, duration, after)
        if action_id not in FIS_API_ACTIONS:
            raise ValueError(
                f"FIS action {name!r}: {action_id!r} is not an API fault action pytest-awsmsg runs "
                f"(it runs {', '.join(sorted(FIS_API_ACTIONS))} and {FIS_WAIT})."
            )
        missing = [p for p in ("service", "operations", "percentage") if p not in params]
        if missing:
            raise ValueError(f"FIS action {name!r} needs parameters {', '.join(missing)}.")
        percentage = float(params["percentage"])
        if not 1 <= percentage <= 100:
            raise ValueError(f"FIS action {name!r}: percentage must be 1-100, got {params['percentage']!r}.")
        for key, target in (action.get("targets") or {}).items():
            found = targets.get(target)
            if key != "Roles" or not isinstance(found, Mapping) or found.get("resourceType") != "aws:iam:role":
                raise ValueError(
                    f"FIS action {name!r}: targets must be {{'Roles': <name of an aws:iam:role target>}}, "
                    f"got {key!r}: {target!r}."
                )
        service = _fis_service(str(params["service"]))
        return _Action(FIS_API_ACTIONS[action_id], service, str(params["operations"]), percentage, duration, after)

    @property
    def ends(self) -> float:
        return max(end for _start, end in self.windows.values())

    @property
    def state(self) -> str:
        """``running``, ``completed`` (every action's time is up) or ``stopped``."""
        if any(r.removed for r in self.rules):
            return "stopped"
        return "running" if self.injector.cloud.clock.now() < self.ends else "completed"

    def stop(self) -> None:
        for rule in self.rules:
            rule.remove()

    def undo(self) -> None:
        """Leaving ``with experiment:`` stops it if it still runs (a completed one stays completed)."""
        if self.state == "running":
            self.stop()


def _schedule(plan: Mapping[str, _Action], t0: float) -> dict[str, tuple[float, float]]:
    """(start, end) of every action: at ``t0``, or when all it starts after have ended."""
    windows: dict[str, tuple[float, float]] = {}

    def window(name: str, seen: tuple[str, ...]) -> tuple[float, float]:
        if name in windows:
            return windows[name]
        if name not in plan:
            raise ValueError(f"FIS startAfter names {name!r}, which is not an action of the template.")
        if name in seen:
            raise ValueError(f"FIS actions start after each other in a cycle: {' -> '.join((*seen, name))}.")
        start = max((window(a, (*seen, name))[1] for a in plan[name].after), default=t0)
        windows[name] = (start, start + plan[name].duration)
        return windows[name]

    for name in plan:
        window(name, ())
    return windows
