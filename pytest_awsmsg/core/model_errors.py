"""A service's error classes, made from the error shapes of its botocore model.

One :class:`AwsError` subclass per error shape, named after it, made on first
use and kept, so ``except QueueDoesNotExist`` catches what the service
raised. What a class says comes from the shape (``httpStatusCode``,
``senderFault``, and for a service that moved from ``query`` to JSON the
``query`` code it still reports); what the model does not say (a default
message, a status or query code a newer model dropped) is an override::

    ERRORS = ModelErrors("sqs", overrides={"QueueDoesNotExist": {"default_message": "..."}})

    def __getattr__(name: str) -> type[AwsError]:  # the module's classes: errors.QueueDoesNotExist
        return ERRORS.attribute(name)

A class that must be a real one (something subclasses it) is written out and
registered with ``@ERRORS.declare``; the model fills in what it does not set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from .errors import AwsError

ErrorT = TypeVar("ErrorT", bound=type[AwsError])

# What an override may set: the class attributes of AwsError.
_OVERRIDABLE = frozenset({"status", "sender_fault", "query_code", "default_message"})


class ModelErrors:
    """The error classes of one service, made from its model on first use."""

    def __init__(
        self,
        service: str,
        *,
        base: type[AwsError] = AwsError,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.service = service
        self.base = base
        self.overrides = {code: dict(values) for code, values in (overrides or {}).items()}
        for code, values in self.overrides.items():
            unknown = set(values) - _OVERRIDABLE
            if unknown:
                raise TypeError(f"{service} {code}: cannot override {', '.join(sorted(unknown))}")
        self._classes: dict[str, type[AwsError]] = {}

    def codes(self) -> list[str]:
        """Every error shape of the installed model, and every overridden code."""
        return sorted({shape.name for shape in self._model().error_shapes} | set(self.overrides))

    def get(self, code: str) -> type[AwsError] | None:
        """The class for an error shape (``QueueDoesNotExist``), or ``None`` when the model has none.

        An overridden code is made even when the installed model lacks the
        shape (an older botocore): the service raises it all the same.
        """
        found = self._classes.get(code)
        if found is not None:
            return found
        metadata = self._metadata(code)
        if metadata is None and code not in self.overrides:
            return None
        attributes = {"code": code, "__module__": self.base.__module__, **self._attributes(code, metadata)}
        made: type[AwsError] = type(code, (self.base,), attributes)
        made.__doc__ = f"{self.service}'s {code} error (made from the model's error shape)."
        self._classes[code] = made
        return made

    def declare(self, cls: ErrorT) -> ErrorT:
        """Register a written-out class for its code; the model and overrides fill what it leaves unset."""
        if cls.code in self._classes:
            raise TypeError(f"{self.service} {cls.code} already has a class")
        for name, value in self._attributes(cls.code, self._metadata(cls.code)).items():
            if name not in cls.__dict__:
                setattr(cls, name, value)
        self._classes[cls.code] = cls
        return cls

    def _attributes(self, code: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
        """What the shape's ``error`` metadata and the overrides say of a code."""
        attributes: dict[str, Any] = {}
        if metadata:
            if metadata.get("httpStatusCode"):
                attributes["status"] = int(metadata["httpStatusCode"])
            # A shape with error metadata but no senderFault is the server's fault.
            attributes["sender_fault"] = bool(metadata.get("senderFault", False))
            wire_code = metadata.get("code")
            if wire_code and wire_code != code and self._model().metadata.get("awsQueryCompatible") is not None:
                attributes["query_code"] = str(wire_code)
        attributes.update(self.overrides.get(code, {}))
        return attributes

    def __getitem__(self, code: str) -> type[AwsError]:
        found = self.get(code)
        if found is None:
            raise KeyError(f"{self.service} has no error shape {code!r}")
        return found

    def attribute(self, name: str) -> type[AwsError]:
        """For a module's ``__getattr__``: the class for a shape name.

        A shape the installed (older) botocore's model lacks is made all the
        same, from the overrides alone: the service raises it whatever the
        client knows, and an old client sees its code in a generic
        ``ClientError``. ``tests/core/test_service_seams.py`` checks every
        name the services import is a shape of the current model.
        """
        if not name[:1].isupper():
            raise AttributeError(f"{self.service} has no error class {name!r}")
        found = self.get(name)
        if found is None:
            found = self._classes[name] = type(
                name,
                (self.base,),
                {"code": name, "__module__": self.base.__module__, **self.overrides.get(name, {})},
            )
        return found

    def _model(self) -> Any:
        from .registry import service_model

        return service_model(self.service)

    def _metadata(self, code: str) -> dict[str, Any] | None:
        """The shape's ``error`` metadata ({} when it has none); ``None`` when no error shape has the name."""
        from botocore.model import NoShapeFoundError

        try:
            shape = self._model().shape_for(code)
        except NoShapeFoundError:
            return None
        if not shape.metadata.get("exception"):
            return None
        return dict(shape.metadata.get("error") or {})
