"""Which services the kit fakes, and the botocore models they answer from."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.model import ServiceModel

if TYPE_CHECKING:
    from .service import Service

# botocore service name -> "module:Class". Extensions add to it through
# :func:`register_service` (or the ``pytest_awsmsg_services`` hook).
_SERVICES: dict[str, str | type[Service[Any]]] = {
    "sqs": "pytest_awsmsg.services.sqs.api:SqsService",
    "sns": "pytest_awsmsg.services.sns.api:SnsService",
    "stepfunctions": "pytest_awsmsg.services.stepfunctions.api:StepFunctionsService",
    "secretsmanager": "pytest_awsmsg.services.secretsmanager.api:SecretsManagerService",
    "swf": "pytest_awsmsg.services.swf.api:SwfService",
    "mq": "pytest_awsmsg.services.mq.api:MqService",
}

# The hyphenated serviceId botocore puts in event names -> service name.
_IDS: dict[str, str] = {
    "sqs": "sqs",
    "sns": "sns",
    "sfn": "stepfunctions",
    "mq": "mq",
    "swf": "swf",
    "secrets-manager": "secretsmanager",
}


def register_service(service: type[Service[Any]], *, service_id: str | None = None) -> None:
    """Fake one more service (or replace a built-in fake) from now on."""
    _SERVICES[service.name] = service
    hyphenated = service_id or service_model(service.name).service_id.hyphenize()
    _IDS[hyphenated] = service.name


def service_name_for(service_id: str) -> str | None:
    """The botocore service name behind an event's service id, if we fake it."""
    name = _IDS.get(service_id)
    return name if name in _SERVICES else None


def faked_services() -> list[str]:
    return sorted(_SERVICES)


def service_class(name: str) -> type[Service[Any]]:
    target = _SERVICES[name]
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        target = _SERVICES[name] = getattr(importlib.import_module(module), attr)
    return target


@cache
def service_model(name: str) -> ServiceModel:
    """The installed botocore's model of a service, loaded once per process."""
    from botocore.loaders import create_loader

    loader = create_loader()
    return ServiceModel(loader.load_service_model(name, "service-2"), service_name=name)
