"""``fake_aws``: turn the fakes on for a block, a function or a class.

While active, every botocore client of the process (made before or after)
talks to one :class:`~pytest_awsmsg.core.cloud.Cloud`; fake credentials stand
in for real ones, and botocore's retry backoff sleeps in virtual time. With
``virtual_sleep=True`` the code under test's ``time.sleep`` does too.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import random
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from datetime import datetime
from types import ModuleType, TracebackType
from typing import Any, TypeVar, overload

from .. import _hook
from .cloud import DEFAULT_ACCOUNT_ID, Cloud
from .threads import StragglerThreadWarning

F = TypeVar("F", bound=Callable[..., Any])

# Set while active for code that reads the environment itself; botocore's own
# credential chain does not run at all then (see credentials.py).
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-key",
    "AWS_SESSION_TOKEN": "fake-session-token",
    "AWS_EC2_METADATA_DISABLED": "true",
}


class _VirtualTime(ModuleType):
    """Stands in for ``time`` inside ``botocore.endpoint`` while a cloud is active.

    botocore sleeps there between retries; the sleep becomes virtual time on
    the active cloud's clock, and everything else is the real ``time``.
    """

    def __init__(self, real: ModuleType) -> None:
        super().__init__("time")
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        _virtual_sleep(seconds, self._real.sleep)


class _CloudTime(_VirtualTime):
    """Stands in for ``time`` inside ``botocore.retries.bucket`` while a cloud is active.

    The adaptive retry mode's client-side rate limiter refills its tokens by
    the clock and sleeps until there are enough: both on the cloud's clock, or
    a throttled client would wait in real time (or, sleeping virtually while
    reading real time, never refill).
    """

    def time(self) -> float:
        cloud = _hook.active_cloud()
        return float(self._real.time()) if cloud is None else cloud.clock.now()


class _VirtualCondition(threading.Condition):
    """The token bucket's condition: a timed wait for capacity is virtual while a cloud is active."""

    def wait(self, timeout: float | None = None) -> bool:
        cloud = _hook.active_cloud()
        if cloud is None or timeout is None:
            return super().wait(timeout)
        cloud.clock.sleep(timeout)
        return False


class _VirtualThreading(ModuleType):
    """Stands in for ``threading`` inside ``botocore.retries.bucket`` while a cloud is active."""

    Condition = _VirtualCondition

    def __init__(self, real: ModuleType) -> None:
        super().__init__("threading")
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _SeededUuid(ModuleType):
    """Stands in for ``uuid`` inside ``botocore.handlers`` while a cloud is active.

    botocore fills idempotency tokens (``ClientRequestToken``) with
    ``uuid4()`` on the client side, and Secrets Manager makes them version
    ids: drawn from the cloud's seeded source, the same seed gives the same
    responses.
    """

    def __init__(self, real: ModuleType) -> None:
        super().__init__("uuid")
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def uuid4(self) -> Any:
        cloud = _hook.active_cloud()
        return self._real.uuid4() if cloud is None else self._real.UUID(cloud.ids.uuid4())


def _virtual_sleep(seconds: float, real: Callable[[float], None] = time.sleep) -> None:
    """A botocore sleep: virtual time on the active cloud, else a real sleep."""
    cloud = _hook.active_cloud()
    if cloud is None:
        real(seconds)
    else:
        cloud.clock.sleep(seconds)


# Each cloud's own stream for botocore's backoff jitter, apart from cloud.ids
# so that how often botocore retried never shifts the ids services hand out.
_JITTER: weakref.WeakKeyDictionary[Cloud, random.Random] = weakref.WeakKeyDictionary()


def _jitter() -> float:
    """botocore's backoff jitter: seeded by the active cloud, else the process's ``random``.

    Seeded, the virtual time between attempts (and so every timestamp after a
    retry) is the same in every run with the same seed.
    """
    cloud = _hook.active_cloud()
    if cloud is None:
        return random.random()
    source = _JITTER.get(cloud)
    if source is None:
        source = _JITTER[cloud] = random.Random(f"{cloud.seed}/botocore-jitter")
    return source.random()


class _SeededRandom(ModuleType):
    """Stands in for ``random`` inside ``botocore.retryhandler`` (legacy mode's jitter)."""

    def __init__(self, real: ModuleType) -> None:
        super().__init__("random")
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def random(self) -> float:
        return _jitter()


def _swap_default(module_name: str, qualname: str, parameter: str, value: Any) -> Any:
    """Set the default of one parameter of a botocore function; returns the one it had.

    For what botocore binds as a default argument when it defines the
    function, where swapping the module's attribute comes too late. ``None``
    (and no change) when this botocore's function has no such parameter.
    """
    owner: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        owner = getattr(owner, part)
    code, defaults = owner.__code__, owner.__defaults__ or ()
    with_defaults = code.co_varnames[: code.co_argcount][code.co_argcount - len(defaults) :]
    if value is None or parameter not in with_defaults:
        return None
    index = with_defaults.index(parameter)
    owner.__defaults__ = (*defaults[:index], value, *defaults[index + 1 :])
    return defaults[index]


# (module, function, parameter, stand-in): defaults botocore binds when a
# client is made, swapped while a cloud is active, so clients made meanwhile
# wait and jitter on the cloud (clients made before keep the real ones).
_DEFAULT_SWAPS: tuple[tuple[str, str, str, Callable[..., Any]], ...] = (
    # Standard/adaptive mode sleeps with it when a long poll (SQS
    # ReceiveMessage) finds the retry quota spent, outside botocore.endpoint.
    ("botocore.retries.standard", "RetryHandler.__init__", "sleep", _virtual_sleep),
    # Standard/adaptive mode's backoff jitter.
    ("botocore.retries.standard", "ExponentialBackoff.__init__", "random", _jitter),
)


# (module, attribute, stand-in): module-level names botocore reads at call
# time, swapped while a cloud is active so that its waiting and its client-side
# randomness run on the cloud. Each stand-in wraps the real object as ``_real``.
_SWAPS: tuple[tuple[str, str, type[Any]], ...] = (
    ("botocore.endpoint", "time", _VirtualTime),  # sleeps between retries
    ("botocore.retries.bucket", "time", _CloudTime),  # adaptive mode's rate limiter
    ("botocore.retries.bucket", "threading", _VirtualThreading),
    ("botocore.handlers", "uuid", _SeededUuid),  # idempotency tokens
    ("botocore.retryhandler", "random", _SeededRandom),  # legacy mode's backoff jitter
)


def _late_patches() -> tuple[tuple[str, str, Callable[[Any], Any]], ...]:
    """(module, dotted attribute, wrapper of the real one): patches in modules that may load late.

    Made whenever a cloud is active and the module is loaded, at activation
    or at the first call after it loaded (moto started inside the test,
    aiobotocore imported by the code under test); nothing here imports them.
    """
    from . import aio, credentials, neighbours

    return (
        ("botocore.session", "Session.get_credentials", credentials.session_credentials),
        ("aiobotocore.session", "AioSession.get_credentials", credentials.async_session_credentials),
        ("botocore.endpoint", "Endpoint._send", neighbours.guard_send),
        ("aiobotocore.endpoint", "AioEndpoint._send", neighbours.guard_async_send),
        ("aiobotocore.endpoint", "asyncio", aio.VirtualAsyncio),
        ("moto.core.models", "botocore_stubber.process_request", neighbours.moto_kit_first),
    )


class _Patches:
    """Process-wide patches shared by nested and concurrent activations (refcounted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved_env: dict[str, str | None] = {}
        self._saved_defaults: list[Any] = []
        self._saved_default_session: tuple[Any, Any] = (None, None)
        # (owner, attribute, what the owner itself held, or _ABSENT): undone newest first.
        self._late: list[tuple[Any, str, Any]] = []

    def apply_late(self) -> None:
        """Make the late patches whose modules are loaded now, once per activation."""
        with self._lock:
            if not self._depth:
                return
            for module_name, path, wrap in _late_patches():
                module = sys.modules.get(module_name)
                if module is None:
                    continue
                *parents, name = path.split(".")
                owner: Any = module
                for part in parents:
                    owner = getattr(owner, part)
                current = getattr(owner, name)
                if getattr(current, "_awsmsg_real", None) is not None:
                    continue  # already ours
                self._late.append((owner, name, vars(owner).get(name, _ABSENT)))
                setattr(owner, name, wrap(current))

    def enter(self) -> None:
        with self._lock:
            self._depth += 1
            if self._depth > 1:
                return
            # AWS_DEFAULT_REGION is saved here too: each activation sets it
            # to its cloud's region, and only the last one out restores it.
            self._saved_env = {k: os.environ.get(k) for k in (*_FAKE_ENV, "AWS_DEFAULT_REGION")}
            # boto3's default session made inside the cloud goes with it.
            boto3 = sys.modules.get("boto3")
            self._saved_default_session = (boto3, getattr(boto3, "DEFAULT_SESSION", None))
            os.environ.update(_FAKE_ENV)
            for module_name, name, stand_in in _SWAPS:
                module = importlib.import_module(module_name)
                current = getattr(module, name)
                if not isinstance(current, stand_in):
                    setattr(module, name, stand_in(current))
            self._saved_defaults = [_swap_default(*swap) for swap in _DEFAULT_SWAPS]
        self.apply_late()

    def exit(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth:
                return
            boto3: Any = self._saved_default_session[0] or sys.modules.get("boto3")
            if boto3 is not None:
                boto3.DEFAULT_SESSION = self._saved_default_session[1]
            for key, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            for module_name, name, stand_in in _SWAPS:
                module = importlib.import_module(module_name)
                current = getattr(module, name)
                if isinstance(current, stand_in):
                    setattr(module, name, current._real)
            # The saved defaults, not whatever ``time.sleep`` is now: a test's
            # own mock of time.sleep must not become botocore's for good.
            for (module_name, qualname, parameter, _ours), saved in zip(
                _DEFAULT_SWAPS, self._saved_defaults, strict=True
            ):
                _swap_default(module_name, qualname, parameter, saved)
            self._saved_defaults = []
            # Exactly as before: an attribute the owner did not hold itself
            # (a method of its class) is deleted again, not set.
            for owner, name, own in reversed(self._late):
                if own is _ABSENT:
                    delattr(owner, name)
                else:
                    setattr(owner, name, own)
            self._late = []


_ABSENT = object()
_patches = _Patches()


def apply_late_swaps() -> None:
    """Called by an optional client's edge on each call: its module swaps, if not made yet."""
    _patches.apply_late()


class fake_aws:  # noqa: N801 - used like a function: `with fake_aws():`, `@fake_aws`
    """Route every boto3/botocore call to in-memory fakes.

    Use it as a context manager (``with fake_aws() as aws:``, or ``async with``), or as a
    decorator with or without arguments, on functions (sync or async) and
    classes (each ``test*`` method). Inside a decorated function,
    :func:`current_cloud` returns the cloud.
    """

    @overload
    def __new__(cls, func: F) -> F: ...  # type: ignore[misc]

    @overload
    def __new__(
        cls,
        func: None = None,
        *,
        seed: int | str = 0,
        region: str | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        passthrough: Iterable[str] = (),
        freeze: datetime | float | str | bool | None = None,
        virtual_sleep: bool = False,
    ) -> fake_aws: ...

    def __new__(cls, func: Any = None, **options: Any) -> Any:
        instance = super().__new__(cls)
        if func is not None:  # bare @fake_aws
            instance.__init__(**options)  # type: ignore[misc]
            return instance(func)
        return instance

    def __init__(
        self,
        func: Any = None,  # the bare decorator's target, handled in __new__
        *,
        seed: int | str = 0,
        region: str | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        passthrough: Iterable[str] = (),
        freeze: datetime | float | str | bool | None = None,
        virtual_sleep: bool = False,
    ) -> None:
        self.options: dict[str, Any] = {
            "seed": seed,
            "region": region,
            "account_id": account_id,
            "passthrough": tuple(passthrough),
        }
        self.freeze = freeze
        self.virtual_sleep = virtual_sleep
        self.cloud: Cloud | None = None
        self._sleep_patch: AbstractContextManager[Any] | None = None

    def start(self) -> Cloud:
        _hook.install()
        cloud = Cloud(**self.options)
        _patches.enter()
        # Clients made without a region use the cloud's (which defaults to
        # AWS_DEFAULT_REGION): the innermost active cloud decides.
        os.environ["AWS_DEFAULT_REGION"] = cloud.region
        cloud.threads.adopt_owner()
        _hook.push(cloud)
        self.cloud = cloud
        try:
            if self.freeze is not None and self.freeze is not False:
                cloud.clock.freeze(None if self.freeze is True else self.freeze)
            if self.virtual_sleep:
                self._sleep_patch = cloud.clock.patch_sleep()
                self._sleep_patch.__enter__()
        except BaseException:
            # A half-started fake (a bad freeze instant) must not stay active:
            # every later boto3 call of the process would reach its cloud.
            self.stop()
            raise
        return cloud

    def stop(self) -> None:
        """Undo what :meth:`start` did, newest first; every step runs even if one fails."""
        cloud, self.cloud = self.cloud, None
        if cloud is None:
            return
        with ExitStack() as undo:
            undo.callback(_patches.exit)
            undo.callback(self._restore_region)
            undo.callback(cloud.close)
            undo.callback(_report_stragglers, cloud)
            undo.callback(_hook.pop, cloud)
            if self._sleep_patch is not None:
                undo.callback(self._sleep_patch.__exit__, None, None, None)
                self._sleep_patch = None

    @staticmethod
    def _restore_region() -> None:
        # The cloud now innermost decides, whichever activation ended (they
        # need not end in the reverse order they started: threads, fixtures);
        # once none is left, _patches.exit() puts the user's value back.
        inner = _hook.active_cloud()
        if inner is not None:
            os.environ["AWS_DEFAULT_REGION"] = inner.region

    def __enter__(self) -> Cloud:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        cloud = self.cloud
        self.stop()
        if exc_type is None and cloud is not None:
            cloud.check_kit()  # a crash of the kit surfaces here, outside pytest too

    async def __aenter__(self) -> Cloud:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def __call__(self, target: F) -> F:
        if isinstance(target, type):
            for name, attr in list(vars(target).items()):
                if name.startswith("test") and callable(attr):
                    setattr(target, name, self._wrap(attr))
            return target
        return self._wrap(target)

    def _wrap(self, func: F) -> F:
        options, freeze, virtual_sleep = self.options, self.freeze, self.virtual_sleep
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with fake_aws(**options, freeze=freeze, virtual_sleep=virtual_sleep):
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with fake_aws(**options, freeze=freeze, virtual_sleep=virtual_sleep):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _report_stragglers(cloud: Cloud) -> None:
    """Warn about threads that used the cloud and outlive it; their later calls fail."""
    stragglers = cloud.threads.stragglers()
    if not stragglers:
        return
    _hook.mark_stragglers(stragglers, cloud.label)
    names = ", ".join(repr(thread.name) for thread in stragglers)
    warnings.warn(
        StragglerThreadWarning(
            f"{cloud.label} ended with thread(s) {names} still running after calling AWS; "
            "their further AWS calls will fail. Stop and join them before the test ends."
        ),
        stacklevel=4,
    )


def current_cloud() -> Cloud:
    """The active cloud; raises if no fake is active."""
    cloud = _hook.active_cloud()
    if cloud is None:
        raise RuntimeError("No fake AWS is active: use the `aws` fixture, `with fake_aws():` or `@fake_aws`.")
    return cloud
