"""Broker configuration documents: the default revision and what Amazon MQ keeps of an update.

ActiveMQ configurations are ``activemq.xml`` documents whose root is
``<broker>``; Amazon MQ keeps only the elements it allows inside it and
answers a warning per element it removed (DISALLOWED_ELEMENT_REMOVED). The
allowed set here is the developer guide's list of the elements it supports
(assumed complete enough for tests: persistence, policies, plugins,
destinations, network connectors, usage). RabbitMQ configurations are
cuttlefish ``key = value`` lines.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ElementTree
from typing import Any

from .errors import BadRequestException

_ALLOWED_BROKER_CHILDREN = {
    "destinationInterceptors",
    "destinationPolicy",
    "destinations",
    "networkConnectors",
    "persistenceAdapter",
    "plugins",
    "systemUsage",
}

_ACTIVEMQ_DEFAULT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <destinationPolicy>
    <policyMap>
      <policyEntries>
        <policyEntry topic="&gt;">
          <pendingMessageLimitStrategy>
            <constantPendingMessageLimitStrategy limit="3000"/>
          </pendingMessageLimitStrategy>
        </policyEntry>
      </policyEntries>
    </policyMap>
  </destinationPolicy>
  <plugins>
  </plugins>
</broker>
"""

_RABBITMQ_DEFAULT = (
    "# Default RabbitMQ delivery acknowledgement timeout is 30 minutes in milliseconds\nconsumer_timeout = 1800000\n"
)


def default_data(engine: str) -> str:
    """Revision 1 of a new configuration, base64 as DescribeConfigurationRevision answers it."""
    text = _ACTIVEMQ_DEFAULT if engine == "ACTIVEMQ" else _RABBITMQ_DEFAULT
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def check_data(engine: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    """The document Amazon MQ keeps of ``text``, and the warnings for what it removed."""
    if engine == "RABBITMQ":
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and "=" not in stripped:
                raise BadRequestException(
                    f"Invalid configuration data: line {number} is not a 'key = value' pair.", "data"
                )
        return text, []
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise BadRequestException(f"The configuration data is not valid XML: {error}.", "data") from None
    if _local(root.tag) != "broker":
        raise BadRequestException("The root element of an ActiveMQ configuration must be <broker>.", "data")
    warnings = []
    for child in list(root):
        name = _local(child.tag)
        if name not in _ALLOWED_BROKER_CHILDREN:
            root.remove(child)
            warnings.append({"ElementName": name, "Reason": "DISALLOWED_ELEMENT_REMOVED"})
    if not warnings:
        return text, []
    return ElementTree.tostring(root, encoding="unicode"), warnings


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
