"""Lambda stand-ins: Python callables registered as Lambda functions.

SNS, Step Functions and Secrets Manager rotation invoke them with the event
shapes AWS sends. A function is known by name, by its unqualified ARN, or by a
qualified ARN (``...:function:NAME:ALIAS``), as Lambda itself resolves them.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cloud import Cloud

Handler = Callable[[Any, "LambdaContext"], Any]


class LambdaNotFound(LookupError):
    """No stand-in is registered under that name or ARN."""


class LambdaFunctionError(Exception):
    """A stand-in raised: carries what Lambda reports for an unhandled error."""

    def __init__(self, error_type: str, error_message: str, stack_trace: list[str]) -> None:
        super().__init__(f"{error_type}: {error_message}")
        self.error_type = error_type
        self.error_message = error_message
        self.stack_trace = stack_trace

    @property
    def payload(self) -> dict[str, Any]:
        """The function error document Lambda returns (errorMessage, errorType, stackTrace)."""
        return {"errorMessage": self.error_message, "errorType": self.error_type, "stackTrace": self.stack_trace}


@dataclass
class LambdaContext:
    """The ``context`` argument a handler receives, with the fields code reads most."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    memory_limit_in_mb: int = 128
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    deadline_ms: int = 0
    _now_ms: Callable[[], int] = field(default=lambda: 0, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - self._now_ms())


@dataclass
class Invocation:
    function: str
    event: Any
    result: Any = None
    error: LambdaFunctionError | None = None
    source: str = ""  # who invoked it: "sns", "stepfunctions", "secretsmanager"


@dataclass
class _Function:
    name: str
    handler: Handler
    timeout: float
    region: str
    account_id: str

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"


def function_name(name_or_arn: str) -> str:
    """The bare function name of a name, partial ARN or (qualified) ARN."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        return parts[6] if len(parts) > 6 else name_or_arn
    return name_or_arn.split(":")[0]


class LambdaRegistry:
    """The cloud's Lambda functions: ``aws.lambdas.register("fn", handler)``."""

    def __init__(self, cloud: Cloud) -> None:
        self._cloud = cloud
        self._functions: dict[tuple[str, str, str], _Function] = {}  # (account, region, name)
        self.invocations: list[Invocation] = []

    def register(
        self,
        name: str,
        handler: Handler | None = None,
        *,
        timeout: float = 3.0,
        region: str | None = None,
        account_id: str | None = None,
    ) -> Any:
        """Register ``handler(event, context)`` as Lambda function ``name``.

        Returns the function's ARN; without ``handler`` it is a decorator.
        """
        if handler is None:

            def decorate(func: Handler) -> Handler:
                self.register(name, func, timeout=timeout, region=region, account_id=account_id)
                return func

            return decorate
        bare = function_name(name)
        parts = name.split(":") if name.startswith("arn:") else []
        function = _Function(
            bare,
            handler,
            timeout,
            region or (parts[3] if parts else self._cloud.region),
            account_id or (parts[4] if parts else self._cloud.account_id),
        )
        self._functions[(function.account_id, function.region, bare)] = function
        return function.arn

    def arn(self, name: str) -> str:
        return self._get(name).arn

    def __contains__(self, name_or_arn: object) -> bool:
        return isinstance(name_or_arn, str) and self._find(name_or_arn) is not None

    def _find(self, name_or_arn: str) -> _Function | None:
        """The function an ARN (its account and region) or a name (the default ones) means.

        A name or ARN that matches no exact place but exactly one registered
        function by name finds that one, so a test registering ``"charge"``
        once need not care which region a caller's ARN says.
        """
        bare = function_name(name_or_arn)
        if name_or_arn.startswith("arn:"):
            parts = name_or_arn.split(":")
            key = (parts[4], parts[3], bare) if len(parts) > 6 else ("", "", bare)
        else:
            key = (self._cloud.account_id, self._cloud.region, bare)
        found = self._functions.get(key)
        if found is None:
            named = [f for f in self._functions.values() if f.name == bare]
            found = named[0] if len(named) == 1 else None
        return found

    def _get(self, name_or_arn: str) -> _Function:
        found = self._find(name_or_arn)
        if found is None:
            known = ", ".join(sorted(f.arn for f in self._functions.values())) or "none"
            raise LambdaNotFound(
                f"Function not found: {name_or_arn} (registered stand-ins: {known}). "
                "Register one with aws.lambdas.register(name, handler)."
            )
        return found

    def invoke(
        self,
        name_or_arn: str,
        event: Any,
        *,
        source: str = "",
        scrub: Callable[[str], str] | None = None,
        recorded: Any = None,
    ) -> Any:
        """Call the stand-in as Lambda would; its exception becomes :class:`LambdaFunctionError`.

        ``scrub`` cleans the error text kept in :attr:`invocations` (and
        raised): a rotation function's exception may quote the secret; by
        default the cloud scrubs every secret it holds. ``recorded`` is the
        event as :attr:`invocations` keeps it, when it differs from what the
        handler gets (a rotation's RotationToken is not kept).
        """
        function = self._get(name_or_arn)
        now_ms = self._cloud.clock.now_ms
        context = LambdaContext(
            function_name=function.name,
            invoked_function_arn=name_or_arn if name_or_arn.startswith("arn:") else function.arn,
            aws_request_id=self._cloud.ids.uuid4(),
            log_group_name=f"/aws/lambda/{function.name}",
            log_stream_name=self._cloud.clock.now_dt().strftime("%Y/%m/%d/[$LATEST]") + self._cloud.ids.hex(32),
            deadline_ms=now_ms() + int(function.timeout * 1000),
            _now_ms=now_ms,
        )
        invocation = Invocation(function.name, event if recorded is None else recorded, source=source)
        self.invocations.append(invocation)
        try:
            invocation.result = self._cloud.run_user_code(function.handler, event, context)
        except Exception as exc:
            clean = scrub or self._cloud.scrub
            invocation.error = LambdaFunctionError(
                type(exc).__name__,
                clean(str(exc)),
                [clean(line) for line in lambda_stack_trace(exc)],
            )
            raise invocation.error from exc
        return invocation.result


def lambda_stack_trace(exc: BaseException) -> list[str]:
    """The ``stackTrace`` Lambda's Python runtime reports: the handler's frames only.

    Files are shown as Lambda shows them, under ``/var/task``, so an error's
    cause (which Step Functions records in history) is the same on every
    machine rather than carrying this checkout's absolute paths.
    """
    kit = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the kit's frames are not the handler's
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not os.path.abspath(f.filename).startswith(kit)]
    return [
        f'  File "/var/task/{os.path.basename(frame.filename)}", line {frame.lineno}, in {frame.name}\n'
        + (f"    {frame.line}\n" if frame.line else "")
        for frame in frames
    ]
