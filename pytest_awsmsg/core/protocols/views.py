"""One service model seen through another wire protocol it also speaks.

SQS moved from ``query`` to ``json`` (botocore 1.34.90) and still answers
both: an older SDK, another language or a hand-rolled client may send either
on any request, whatever the installed botocore says. So the parser and
serialiser of the *other* protocol need the model dressed as that protocol:

* query -> json: members travel under their own names (no ``locationName``),
  and the metadata names the JSON target prefix.
* json -> query: members travel under the query-era names AWS still accepts
  (``AttributeName.1``, ``MessageAttribute.1.Name``, ``Tag.1.Key``...), which
  the JSON model dropped; outputs sit in ``<OpResult>``. Those names are
  wire facts of the service, kept in :data:`QUERY_ERA` (from SQS's query API
  reference and the last query model, botocore 1.34.89).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from botocore.model import ServiceModel


@dataclass(frozen=True)
class QueryEra:
    """What a JSON model lost of its service's query protocol."""

    namespace: str
    target_prefix: str
    # "Shape" names a list's item (or a map), "Shape.Member" a member.
    names: dict[str, str] = field(default_factory=dict)
    # map shape -> the names its entries' key and value travel under
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)
    # error shape -> its query code, where that is not the shape's name
    codes: dict[str, str] = field(default_factory=dict)


QUERY_ERA: dict[str, QueryEra] = {
    "sqs": QueryEra(
        namespace="http://queue.amazonaws.com/doc/2012-11-05/",
        target_prefix="AmazonSQS",
        names={
            # lists: the name each item travels under
            "AWSAccountIdList": "AWSAccountId",
            "ActionNameList": "ActionName",
            "AttributeNameList": "AttributeName",
            "BatchResultErrorEntryList": "BatchResultErrorEntry",
            "BinaryList": "BinaryListValue",
            "ChangeMessageVisibilityBatchRequestEntryList": "ChangeMessageVisibilityBatchRequestEntry",
            "ChangeMessageVisibilityBatchResultEntryList": "ChangeMessageVisibilityBatchResultEntry",
            "DeleteMessageBatchRequestEntryList": "DeleteMessageBatchRequestEntry",
            "DeleteMessageBatchResultEntryList": "DeleteMessageBatchResultEntry",
            "ListMessageMoveTasksResultEntryList": "ListMessageMoveTasksResultEntry",
            "MessageAttributeNameList": "MessageAttributeName",
            "MessageSystemAttributeList": "MessageSystemAttributeName",
            "MessageList": "Message",
            "QueueUrlList": "QueueUrl",
            "SendMessageBatchRequestEntryList": "SendMessageBatchRequestEntry",
            "SendMessageBatchResultEntryList": "SendMessageBatchResultEntry",
            "StringList": "StringListValue",
            "TagKeyList": "TagKey",
            # maps
            "MessageSystemAttributeMap": "Attribute",
            "QueueAttributeMap": "Attribute",
            "TagMap": "Tag",
            # members
            "CreateQueueRequest.Attributes": "Attribute",
            "CreateQueueRequest.tags": "Tag",
            "GetQueueAttributesResult.Attributes": "Attribute",
            "ListQueueTagsResult.Tags": "Tag",
            "Message.Attributes": "Attribute",
            "Message.MessageAttributes": "MessageAttribute",
            "MessageAttributeValue.StringListValues": "StringListValue",
            "MessageAttributeValue.BinaryListValues": "BinaryListValue",
            "MessageSystemAttributeValue.StringListValues": "StringListValue",
            "MessageSystemAttributeValue.BinaryListValues": "BinaryListValue",
            "SendMessageBatchRequestEntry.MessageAttributes": "MessageAttribute",
            "SendMessageBatchRequestEntry.MessageSystemAttributes": "MessageSystemAttribute",
            "SendMessageRequest.MessageAttributes": "MessageAttribute",
            "SendMessageRequest.MessageSystemAttributes": "MessageSystemAttribute",
            "SetQueueAttributesRequest.Attributes": "Attribute",
        },
        entries={
            "MessageBodyAttributeMap": ("Name", "Value"),
            "MessageBodySystemAttributeMap": ("Name", "Value"),
            "MessageSystemAttributeMap": ("Name", "Value"),
            "QueueAttributeMap": ("Name", "Value"),
            "TagMap": ("Key", "Value"),
        },
        codes={
            name: "AWS.SimpleQueueService." + name
            for name in (
                "BatchEntryIdsNotDistinct",
                "BatchRequestTooLong",
                "EmptyBatchRequest",
                "InvalidBatchEntryId",
                "MessageNotInflight",
                "PurgeQueueInProgress",
                "QueueDeletedRecently",
                "TooManyEntriesInBatchRequest",
                "UnsupportedOperation",
            )
        }
        | {"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue", "QueueNameExists": "QueueAlreadyExists"},
    ),
}


def protocols_of(model: ServiceModel) -> tuple[str, ...]:
    """The wire protocols a service answers: its model's, and the other one of a query/JSON pair."""
    declared = str(model.metadata.get("protocol", ""))
    if declared == "json" and model.service_name in QUERY_ERA:
        return ("json", "query")
    if declared == "query" and model.service_name in QUERY_ERA:
        return ("query", "json")
    return (declared,)


_views: dict[tuple[int, str], tuple[ServiceModel, ServiceModel]] = {}


def model_as(model: ServiceModel, protocol: str) -> ServiceModel:
    """``model`` as seen by a client speaking ``protocol`` (the model itself when it is its own)."""
    if model.metadata.get("protocol") == protocol:
        return model
    key = (id(model), protocol)
    hit = _views.get(key)
    if hit is None:
        hit = _views[key] = (model, _build(model, protocol))
    return hit[1]


def _build(model: ServiceModel, protocol: str) -> ServiceModel:
    description: dict[str, Any] = copy.deepcopy(model._service_description)
    metadata = description["metadata"]
    metadata["protocol"] = protocol
    metadata["protocols"] = [protocol]
    shapes: dict[str, dict[str, Any]] = description["shapes"]
    if protocol == "json":
        metadata.setdefault("targetPrefix", QUERY_ERA[model.service_name].target_prefix)
        metadata.setdefault("jsonVersion", "1.0")
        metadata.setdefault("awsQueryCompatible", {})
        for shape in shapes.values():
            shape.pop("locationName", None)
            # JSON errors are named by shape; the query code travels in a
            # header (see QueryEra.codes), as in SQS's own JSON model.
            shape.get("error", {}).pop("code", None)
            for ref in _refs(shape):
                ref.pop("locationName", None)
    else:
        era = QUERY_ERA[model.service_name]
        metadata.setdefault("xmlNamespace", era.namespace)
        metadata.pop("awsQueryCompatible", None)  # query codes are the codes themselves here
        for name, operation in description["operations"].items():
            if "output" in operation:
                operation["output"].setdefault("resultWrapper", f"{name}Result")
        for name, shape in shapes.items():
            wire = era.names.get(name)
            if wire is not None and shape.get("type") == "list":
                shape["member"].setdefault("locationName", wire)
            elif wire is not None:
                shape.setdefault("locationName", wire)
            if name in era.codes and shape.get("exception"):
                shape.setdefault("error", {}).setdefault("code", era.codes[name])
            if name in era.entries:
                shape["key"].setdefault("locationName", era.entries[name][0])
                shape["value"].setdefault("locationName", era.entries[name][1])
            for member, ref in shape.get("members", {}).items():
                wire = era.names.get(f"{name}.{member}")
                if wire is not None:
                    ref.setdefault("locationName", wire)
    return ServiceModel(description, service_name=model.service_name)


def _refs(shape: dict[str, Any]) -> list[dict[str, Any]]:
    refs = list(shape.get("members", {}).values())
    refs += [shape[k] for k in ("member", "key", "value") if k in shape]
    return refs


def query_code_of(model: ServiceModel, shape_name: str) -> str:
    """The query code of an error shape: the model's, else the query era's, else its name."""
    code = model.shape_for(shape_name).metadata.get("error", {}).get("code")
    era = QUERY_ERA.get(model.service_name)
    return str(code or (era.codes.get(shape_name) if era else None) or shape_name)
