"""What a Task's ``Resource`` ARN names, decided once at creation.

The fake runs Lambda stand-ins, activities, the optimised integrations with
the services this kit fakes, and ``aws-sdk:`` integrations with them. Anything
else is refused at CreateStateMachine unless a test mocks that Task state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore import xform_name

# aws-sdk service names (as they appear in the ARN) -> (botocore name, error prefix).
SDK_SERVICES = {
    "sqs": ("sqs", "Sqs"),
    "sns": ("sns", "Sns"),
    "sfn": ("stepfunctions", "Sfn"),
    "secretsmanager": ("secretsmanager", "SecretsManager"),
    "mq": ("mq", "Mq"),
    "swf": ("swf", "Swf"),
}
# Optimised integrations: (service, action) -> (botocore service, operation, patterns allowed).
OPTIMISED = {
    ("lambda", "invoke"): ("lambda", "Invoke", ("", ".waitForTaskToken")),
    ("sqs", "sendMessage"): ("sqs", "SendMessage", ("", ".waitForTaskToken")),
    ("sns", "publish"): ("sns", "Publish", ("", ".waitForTaskToken")),
    ("states", "startExecution"): ("stepfunctions", "StartExecution", ("", ".sync", ".sync:2", ".waitForTaskToken")),
}
_LAMBDA = re.compile(r"^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$")
_ACTIVITY = re.compile(r"^arn:aws[\w-]*:states:([a-z0-9-]+):(\d{12}):activity:([\w.-]+)$")
_SERVICE = re.compile(r"^arn:aws[\w-]*:states:::([\w-]+):([\w-]+(?::[\w-]+)?)((?:\.sync(?::2)?)|\.waitForTaskToken)?$")


@dataclass(frozen=True)
class Resource:
    """A classified Task resource."""

    arn: str
    kind: str  # lambda | activity | optimised | sdk | unsupported
    resource_type: str = ""  # TaskScheduled's resourceType ("lambda", "sqs", "aws-sdk:secretsmanager")
    action: str = ""  # TaskScheduled's resource ("invoke", "sendMessage.waitForTaskToken")
    pattern: str = ""  # "" | ".sync" | ".sync:2" | ".waitForTaskToken"
    service: str = ""  # botocore service name to call
    operation: str = ""  # botocore operation name
    error_prefix: str = ""
    why_unsupported: str = ""


def _operation_for(service: str, action: str) -> str | None:
    from ...core.registry import service_model

    model = service_model(service)
    wanted = xform_name(action[0].upper() + action[1:])
    for name in model.operation_names:
        if xform_name(name) == wanted:
            return str(name)
    return None


def _installed(name: str) -> bool:
    """Whether the kit fakes ``name`` and its module is importable (fakes are built concurrently)."""
    from ...core.registry import faked_services, service_class

    if name not in faked_services():
        return False
    try:
        service_class(name)
    except ImportError:
        return False
    return True


_KNOWN: dict[str, Resource] = {}


def classify(arn: str) -> Resource:
    """The resource an ARN names (supported ones are cached; fakes may appear later)."""
    found = _KNOWN.get(arn)
    if found is None:
        found = _classify(arn)
        if found.kind != "unsupported":
            _KNOWN[arn] = found
    return found


def _classify(arn: str) -> Resource:

    if _LAMBDA.match(arn):
        return Resource(arn, "lambda")
    found = _ACTIVITY.match(arn)
    if found:
        return Resource(arn, "activity")
    found = _SERVICE.match(arn)
    if not found:
        return Resource(arn, "unsupported", why_unsupported=f"{arn!r} is not a Lambda, activity or service ARN")
    service, action, pattern = found.group(1), found.group(2), found.group(3) or ""
    if service == "aws-sdk":
        sdk, _, api = action.partition(":")
        if sdk not in SDK_SERVICES or not api:
            return Resource(
                arn,
                "unsupported",
                why_unsupported=f"aws-sdk:{sdk} is not faked by pytest-awsmsg "
                f"(faked: {', '.join(sorted(SDK_SERVICES))})",
            )
        botocore_name, prefix = SDK_SERVICES[sdk]
        if not _installed(botocore_name):
            return Resource(arn, "unsupported", why_unsupported=f"the {botocore_name} fake is not installed")
        if pattern.startswith(".sync"):
            return Resource(arn, "unsupported", why_unsupported="aws-sdk integrations do not support .sync")
        operation = _operation_for(botocore_name, api)
        if operation is None:
            return Resource(arn, "unsupported", why_unsupported=f"{sdk} has no action {api!r}")
        return Resource(arn, "sdk", f"aws-sdk:{sdk}", api + pattern, pattern, botocore_name, operation, prefix)
    spec = OPTIMISED.get((service, action))
    if spec is None:
        return Resource(
            arn,
            "unsupported",
            service,
            action + pattern,
            pattern,
            why_unsupported=f"the {service}:{action} integration is not run by pytest-awsmsg "
            "(supported: lambda:invoke, sqs:sendMessage, sns:publish, states:startExecution, aws-sdk:<faked service>)",
        )
    botocore_name, operation, patterns = spec
    if pattern not in patterns:
        return Resource(arn, "unsupported", why_unsupported=f"{service}:{action} does not support {pattern}")
    if botocore_name != "lambda" and not _installed(botocore_name):
        return Resource(arn, "unsupported", why_unsupported=f"the {botocore_name} fake is not installed")
    return Resource(arn, "optimised", service, action + pattern, pattern, botocore_name, operation)
