"""The kit's only process-wide state: the stack of active clouds and the two
botocore handlers that consult it.

This module imports nothing heavy: pytest loads the plugin in every run, and
the handlers are installed before botocore is even imported.

Why ``BUILTIN_HANDLERS``: every botocore session copies that list into its
event emitter when it is created, and every client copies its session's
emitter (``copy.copy`` in ``botocore/args.py``). Appending there once therefore
reaches every session and client made afterwards, with no per-client
registration and no walk over private state. Until a cloud is active the
handlers return ``None`` and botocore carries on as if they were not there.

The active clouds are a plain list, not a ``ContextVar``: new threads start
with an empty context, and producers and consumers on worker threads must
reach the same cloud as the test that started them.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
import weakref
from collections.abc import Iterable, Sequence
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.cloud import Cloud

_active: list[Cloud] = []
# Requests the kit answered (other mocks' handlers skip them), and those it
# left to others, with their event names (for the message if none answers).
answered: weakref.WeakSet[Any] = weakref.WeakSet()
unanswered: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect
_lock = threading.Lock()
_installed = False
# Threads that used a cloud and outlived it (thread -> which test or cloud):
# their later calls fail instead of landing in whatever cloud is active then.
_stragglers: weakref.WeakKeyDictionary[threading.Thread, str] = weakref.WeakKeyDictionary()


class StragglerError(RuntimeError):
    """A thread kept calling AWS after the cloud it used had ended."""


# Set from the ``awsmsg_guard`` ini option or ``--awsmsg-guard``: a botocore
# call made while no cloud is active fails at once.
guard = False


class NoFakeAwsError(RuntimeError):
    """A botocore call while the guard is on and no fake AWS is active."""


# Set from the ``awsmsg_validate_output`` ini option: every result a fake
# returns is checked against its output shape (a debugging aid for fakes).
validate_output = False


def active_cloud() -> Cloud | None:
    """The innermost active cloud, if any."""
    return _active[-1] if _active else None


def push(cloud: Cloud) -> None:
    with _lock:
        _active.append(cloud)


def pop(cloud: Cloud) -> None:
    with _lock:
        if cloud in _active:
            _active.remove(cloud)


def mark_stragglers(threads: Iterable[threading.Thread], owner: str) -> None:
    """From now on, calls from these threads fail: their cloud (``owner``) has ended."""
    with _lock:
        for thread in threads:
            _stragglers[thread] = owner


def _from_async_emitter(frame: FrameType | None) -> bool:
    """Whether a handler was called by an async botocore's emitter (aiobotocore's ``_emit``).

    aiobotocore reuses botocore's handlers, ours included, and awaits what
    they return: its emitter's frame is a coroutine's.
    """
    return frame is not None and bool(frame.f_code.co_flags & _CO_COROUTINE)


def before_send(request: Any, event_name: str = "", **kwargs: Any) -> Any:
    """Answer a request from the active cloud instead of the network.

    A service the kit does not fake is left to the handlers after this one
    (moto, ...); :mod:`.core.neighbours` refuses it if none answers.
    """
    if _stragglers:
        _refuse_straggler(event_name)
    if not _active:
        return None
    cloud = _active[-1]
    from .core.activation import apply_late_swaps

    apply_late_swaps()  # moto or aiobotocore may have been imported since the cloud started
    if not cloud.answers(event_name):
        unanswered[request] = event_name
        return None
    answered.add(request)
    if _from_async_emitter(sys._getframe(1)):
        from .core import aio

        return aio.answer(cloud, request, event_name)
    return cloud.answer_botocore(request, event_name)


def _refuse_unguarded(event_name: str) -> None:
    """The guard: before signing (so before NoCredentialsError or any connection attempt)."""
    operation = ".".join(event_name.split(".")[1:]) or "a botocore call"
    raise NoFakeAwsError(
        f"pytest-awsmsg guard: {operation} was called while no fake AWS is active (awsmsg_guard is on). "
        "Use the `aws` fixture or the `@pytest.mark.aws` marker in this test (or `with fake_aws():` "
        "around the code), so the call is answered in memory instead of going to AWS."
    )


def _refuse_straggler(event_name: str) -> None:
    thread = threading.current_thread()
    owner = _stragglers.get(thread)
    if owner is not None:
        operation = ".".join(event_name.split(".")[1:])
        raise StragglerError(
            f"pytest-awsmsg: thread {thread.name!r} called AWS ({operation}) after {owner} ended. "
            "It was started while that cloud was active and is still running: stop and join it "
            "before the test (or the fake_aws block) ends."
        )


def before_sign(request_signer: Any = None, **kwargs: Any) -> None:
    """Give a client made before the fake, with no credentials at all, fake ones.

    botocore refuses to sign without credentials (``NoCredentialsError``)
    before ``before-send`` runs; a client created at import time of the code
    under test, on a machine with no AWS configuration, would never reach us.
    """
    if not _active:
        if guard:
            _refuse_unguarded(kwargs.get("event_name", ""))
        return
    if request_signer is None or getattr(request_signer, "_credentials", True) is not None:
        return
    if _from_async_emitter(sys._getframe(1)):
        from .core import aio

        request_signer._credentials = aio.credentials()
        return
    from botocore.credentials import Credentials

    from .core.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

    request_signer._credentials = Credentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, method="pytest-awsmsg")


def _append_handlers(handlers_module: ModuleType) -> None:
    specs = handlers_module.BUILTIN_HANDLERS
    for spec in (("before-send", before_send), ("before-sign", before_sign)):
        if spec in specs:
            continue
        # First among the handlers of its event: another mock's (moto's,
        # imported before the kit) must not see what the kit answers.
        first = next((i for i, entry in enumerate(specs) if entry[0] == spec[0]), len(specs))
        specs.insert(first, spec)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``_append_handlers`` right after ``botocore.handlers`` is imported."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != "botocore.handlers":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            _append_handlers(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Make every botocore session created from now on consult the active cloud.

    Idempotent. If botocore is already imported the handlers go in now;
    otherwise they go in the moment it is, at no cost to runs that never
    import it.
    """
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        handlers = sys.modules.get("botocore.handlers")
        if handlers is not None:
            _append_handlers(handlers)
        else:
            sys.meta_path.insert(0, _AfterImport())
