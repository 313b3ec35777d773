"""Rotation: RotateSecret, CancelRotateSecret and the schedule that fires on its own.

A rotation follows AWS's "How rotation works":

1. Secrets Manager puts AWSPENDING on an (empty) version whose id is the
   ClientRequestToken; DescribeSecret shows it, GetSecretValue does not.
2. It invokes the rotation function with ``{"Step", "SecretId",
   "ClientRequestToken", "RotationToken"}`` for ``createSecret``,
   ``setSecret``, ``testSecret`` and ``finishSecret``, in that order. The
   function does the work through the API (PutSecretValue with AWSPENDING,
   UpdateSecretVersionStage to move AWSCURRENT).
3. A step that raises ends the rotation: AWSPENDING stays where it is, so the
   next RotateSecret is refused ("A previous rotation isn't complete") and the
   next scheduled window retries with the same token, as AWS reattempts it.

AWS runs rotation asynchronously. The fake runs the four steps before
RotateSecret returns (and at the start of each scheduled window), so a test
sees the outcome at once; like AWS, RotateSecret itself still succeeds when a
step fails. Each attempt is recorded in ``aws.secretsmanager.secret(...).rotations``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ...core.lambdas import LambdaFunctionError, LambdaNotFound
from ...core.scrubbing import REDACTED
from ...core.service import operation
from ..base import RequestContext
from .common import SecretsBase
from .errors import InvalidRequestException
from .models import CURRENT, DAY, PENDING, RotationRun, Secret, Version
from .schedule import parse_rules

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


class RotationOps(SecretsBase):
    """RotateSecret and CancelRotateSecret, and the rotation engine behind them."""

    @operation
    def rotate_secret(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        client_request_token: str | None = None,
        rotation_lambda_arn: str | None = None,
        rotation_rules: dict[str, Any] | None = None,
        external_secret_rotation_metadata: list[dict[str, str]] | None = None,
        external_secret_rotation_role_arn: str | None = None,
        rotate_immediately: bool | None = None,
    ) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        rotation = secret.rotation
        if rotation_rules is not None:
            parse_rules(rotation_rules)  # refuse a bad schedule before changing anything
        function = rotation_lambda_arn or rotation.lambda_arn
        external = external_secret_rotation_role_arn or rotation.external_role_arn
        if not function and not external:
            raise InvalidRequestException("No Lambda rotation function ARN is associated with this secret.")
        if function and function not in self.cloud.lambdas:
            # Fail at configuration, not in the middle of a later rotation.
            raise InvalidRequestException(
                f"Secrets Manager can't invoke the rotation function {function}: no Lambda stand-in is registered "
                "under that name or ARN. Register one with aws.lambdas.register(name, handler) first."
            )
        values = secret.values
        pending, current = values.labels.get(PENDING), values.labels.get(CURRENT)
        if pending is not None and pending != current:
            raise InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.")
        if function:
            rotation.lambda_arn = self.cloud.lambdas.arn(function) if not function.startswith("arn:") else function
        if rotation_rules is not None:
            rotation.rules = dict(rotation_rules)
        if external_secret_rotation_metadata is not None:
            rotation.external_metadata = list(external_secret_rotation_metadata)
        if external_secret_rotation_role_arn is not None:
            rotation.external_role_arn = external_secret_rotation_role_arn
        rotation.enabled = True
        token = client_request_token or self.cloud.ids.uuid4()
        if rotation.lambda_arn is None:
            # Managed external rotation: the partner rotates; the fake only records the configuration.
            self.schedule_next(secret, ctx.now)
            return {"ARN": secret.arn, "Name": secret.name}
        # RotateImmediately defaults to true; false only tests the configuration (testSecret).
        self.run_rotation(secret, token, scheduled=False, test_only=rotate_immediately is False)
        self.schedule_next(secret, ctx.now)
        return {"ARN": secret.arn, "Name": secret.name, "VersionId": token}

    @operation
    def cancel_rotate_secret(self, ctx: RequestContext, *, secret_id: str) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        rotation = secret.rotation
        rotation.enabled = False
        if rotation.timer is not None:
            rotation.timer.cancel()
            rotation.timer = None
        rotation.next_rotation = rotation.next_start = None
        values = secret.values
        pending = values.labels.get(PENDING)
        # Like AWS, cancelling leaves the labels alone: the caller cleans up AWSPENDING.
        in_progress = pending if pending is not None and pending != values.labels.get(CURRENT) else None
        return {"ARN": secret.arn, "Name": secret.name, "VersionId": in_progress}

    # -- the engine -----------------------------------------------------------

    def run_rotation(self, secret: Secret, token: str, *, scheduled: bool, test_only: bool = False) -> RotationRun:
        """Invoke the rotation function for each step; stop at the first that fails."""
        clock = self.cloud.clock
        rotation = secret.rotation
        values = secret.values
        run = RotationRun(token, clock.now(), scheduled, test_only=test_only)
        rotation.runs.append(run)
        if values.get(token) is None:
            # Empty until createSecret stores a value. Assumption: the test-only run of
            # RotateImmediately=false uses an empty version too (AWS does not say what
            # "creates an AWSPENDING version" puts in it).
            values.add(Version(token, clock.now()))
        values.attach(PENDING, token)
        event = {"SecretId": secret.arn, "ClientRequestToken": token, "RotationToken": self.cloud.ids.uuid4()}
        for step in ("testSecret",) if test_only else STEPS:
            run.steps.append(step)
            try:
                # aws.lambdas.invocations keeps the event without the RotationToken, which lets
                # its holder write the secret. Assumption: the ClientRequestToken is the new
                # VersionId, which DescribeSecret shows anyway, so it stays.
                self.cloud.lambdas.invoke(
                    str(rotation.lambda_arn),
                    {"Step": step, **event},
                    source="secretsmanager",
                    recorded={"Step": step, **event, "RotationToken": REDACTED},
                )
            except (LambdaFunctionError, LambdaNotFound) as exc:
                run.error = self.scrub(f"{step} failed: {exc}")
                run.finished = clock.now()
                if test_only:
                    self._drop_pending(secret, token)
                return run
        run.finished = clock.now()
        if test_only:
            # AWS: "This test creates an AWSPENDING version of the secret and then removes it."
            self._drop_pending(secret, token)
            return run
        if values.labels.get(CURRENT) != token:
            # Assumption: a function that returns from finishSecret without moving
            # AWSCURRENT has not rotated; AWS would leave AWSPENDING in place too.
            run.error = "finishSecret returned, but AWSCURRENT is not on the new version: the rotation did not finish."
            return run
        # After a successful rotation AWSPENDING no longer shows. The API reference
        # allows it to stay on the AWSCURRENT version, but an AWS maintainer of the
        # rotation templates says the service removes it once rotation completes
        # (aws-samples/aws-secrets-manager-rotation-lambdas#145); the fake does that.
        values.detach(PENDING)
        rotation.last_rotated = clock.now()
        if rotation.rules and "ScheduleExpression" in rotation.rules:
            start, _ = parse_rules(rotation.rules).next_window(rotation.last_rotated)
            # Assumption: the days between this rotation and the next window, rounded; none below a day.
            days = round((start - rotation.last_rotated) / DAY)
            rotation.reported_days = days if days >= 1 else None
        return run

    def _drop_pending(self, secret: Secret, token: str) -> None:
        if secret.values.labels.get(PENDING) == token:
            secret.values.detach(PENDING)
        secret.values.drop_empty(token)

    def schedule_next(self, secret: Secret, base: float) -> None:
        """Set NextRotationDate from the rules and arm a timer at the start of that window."""
        rotation = secret.rotation
        if rotation.timer is not None:
            rotation.timer.cancel()
            rotation.timer = None
        if not rotation.enabled or not rotation.rules:
            rotation.next_rotation = rotation.next_start = None
            return
        start, end = parse_rules(rotation.rules).next_window(base)
        rotation.next_start, rotation.next_rotation = start, end
        if rotation.lambda_arn is None:
            return
        rotation.timer = self.cloud.clock.call_at(
            start, lambda: self._scheduled(secret), f"secretsmanager: rotate {secret.name} ({secret.region})"
        )

    def _scheduled(self, secret: Secret) -> None:
        """A window opened: rotate, then arm the next window.

        After a failed rotation NextRotationDate keeps the end of the failed
        window, as AWS documents ("If rotation is unsuccessful, this date may
        be in the past"), so overdue-rotation checks see it; the rotation is
        reattempted at the next window.
        """
        rotation = secret.rotation
        rotation.timer = None
        store = self.store(secret.account_id, secret.region)
        if store.secrets.get(secret.name) is not secret or not rotation.enabled:
            return
        now = self.cloud.clock.now()
        overdue: float | None = None
        if not secret.scheduled_for_deletion:
            values = secret.values
            pending = values.labels.get(PENDING)
            # A rotation left unfinished is reattempted with its own token.
            retry = pending is not None and pending != values.labels.get(CURRENT)
            token = pending if retry and pending is not None else self.cloud.ids.uuid4()
            if not self.run_rotation(secret, token, scheduled=True).succeeded:
                overdue = rotation.next_rotation
        self.schedule_next(secret, now)
        if overdue is not None:
            rotation.next_rotation = overdue

    def value_changed(self, secret: Secret, now: float) -> None:
        """AWS counts a manual PutSecretValue/UpdateSecret as a rotation for AutomaticallyAfterDays."""
        rules = secret.rotation.rules or {}
        if secret.rotation.enabled and "AutomaticallyAfterDays" in rules:
            self.schedule_next(secret, now)

    def secret_values(self) -> list[str]:
        """Every stored value, the string fields of JSON values, and binaries as text and base64.

        The cloud scrubs every spelling of these (JSON-escaped, repr...) from reports
        and error texts; a password inside ``{"password": ...}`` is a value of its own.
        """
        values: set[str] = set()
        for store in self.stores().values():
            for secret in store.secrets.values():
                for version in secret.values.versions.values():
                    if version.secret_string:
                        values.add(version.secret_string)
                        values.update(_json_leaves(version.secret_string))
                    if version.secret_binary:
                        values.add(version.secret_binary.decode("utf-8", "replace"))
                        values.add(base64.b64encode(version.secret_binary).decode("ascii"))
        return sorted(values)

    def scrub(self, text: str) -> str:
        """``text`` with every secret value of the cloud replaced, for messages and reports."""
        return self.cloud.scrub(text)


def _json_leaves(text: str) -> list[str]:
    """The string fields of a JSON secret (a password inside ``{"password": ...}``)."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    leaves: list[str] = []
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and len(item) >= 4:
            leaves.append(item)
    return leaves
