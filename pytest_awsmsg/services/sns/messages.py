"""What SNS sends: the JSON envelope, the Lambda event, confirmation messages.

A :class:`Notification` is one published message; each subscriber gets it in
its protocol's shape. The envelope's ``Signature`` is computed once per
(message text, signature version) and shared by every subscriber, since the
string SNS signs does not depend on the subscription.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ...core.endpoints import caller_url
from ...core.protocols.base import b64encode, format_timestamp
from . import signing


def iso_timestamp(epoch: float) -> str:
    """AWS's envelope timestamp: ``2024-01-02T03:04:05.678Z`` (always milliseconds)."""
    text = str(format_timestamp(epoch, "iso8601"))
    return text if "." in text else text[:-1] + ".000Z"


def unsubscribe_url(region: str, subscription_arn: str) -> str:
    return caller_url(f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}")


def subscribe_url(region: str, topic_arn: str, token: str) -> str:
    # The ARN goes in as is, colons and all, as in the developer guide's example
    # (topic names and ARNs hold nothing a query string must escape).
    return caller_url(
        f"https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"
    )


@dataclass
class Notification:
    message_id: str
    topic_arn: str  # the topic, or the endpoint ARN of a direct publish
    region: str
    message: str
    timestamp: float
    subject: str | None = None
    structure: dict[str, Any] | None = None  # MessageStructure=json, parsed
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    signature_version: str = "1"
    account_id: str = ""  # the publisher's account (SMS settings and sandbox are per account)
    _signatures: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _envelopes: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def message_for(self, key: str) -> str:
        """The text for a protocol (``sqs``, ``email``...) or platform (``GCM``)."""
        if self.structure is None:
            return self.message
        value = self.structure.get(key)
        return value if isinstance(value, str) else str(self.structure["default"])

    @property
    def delivered_attributes(self) -> dict[str, dict[str, Any]]:
        """The message attributes subscribers receive: none for a MessageStructure=json message.

        The developer guide ("Amazon SNS message attributes"): attributes are
        sent only when the message structure is String, not JSON. Assumption:
        filter policies still see them, since filtering happens inside SNS.
        """
        return {} if self.structure is not None else self.attributes

    @property
    def iso_time(self) -> str:
        return iso_timestamp(self.timestamp)

    def envelope_attributes(self) -> dict[str, dict[str, str]]:
        """MessageAttributes as the JSON envelope shows them: Type and Value."""
        out: dict[str, dict[str, str]] = {}
        for name, attr in self.delivered_attributes.items():
            data_type = str(attr.get("DataType", "String"))
            if data_type.startswith("Binary"):
                value = b64encode(attr.get("BinaryValue", b""))
            else:
                value = str(attr.get("StringValue", ""))
            out[name] = {"Type": data_type, "Value": value}
        return out

    def signature(self, message: str) -> str:
        key = (message, self.signature_version)
        found = self._signatures.get(key)
        if found is None:
            fields = {
                "Type": "Notification",
                "Message": message,
                "MessageId": self.message_id,
                "Subject": self.subject,
                "Timestamp": self.iso_time,
                "TopicArn": self.topic_arn,
            }
            found = self._signatures[key] = signing.sign_message(fields, self.signature_version)
        return found

    def envelope(self, message: str, subscription_arn: str) -> dict[str, Any]:
        """The JSON document SQS, HTTP/S, email-json and Firehose subscribers receive."""
        doc: dict[str, Any] = {"Type": "Notification", "MessageId": self.message_id}
        if self.sequence_number is not None:
            doc["SequenceNumber"] = self.sequence_number
        doc["TopicArn"] = self.topic_arn
        if self.subject is not None:
            doc["Subject"] = self.subject
        doc["Message"] = message
        doc["Timestamp"] = self.iso_time
        if self.sequence_number is None:
            # FIFO topics do not sign their notifications: no SignatureVersion, Signature or SigningCertURL.
            doc["SignatureVersion"] = self.signature_version
            doc["Signature"] = self.signature(message)
            doc["SigningCertURL"] = signing.certificate_url(self.region)
        doc["UnsubscribeURL"] = unsubscribe_url(self.region, subscription_arn)
        if self.delivered_attributes:
            doc["MessageAttributes"] = self.envelope_attributes()
        return doc

    def envelope_text(self, message: str, subscription_arn: str) -> str:
        """The envelope as sent; built once per subscriber, however often delivery is retried."""
        key = (message, subscription_arn)
        found = self._envelopes.get(key)
        if found is None:
            found = self._envelopes[key] = json.dumps(self.envelope(message, subscription_arn), ensure_ascii=False)
        return found

    def lambda_event(self, subscription_arn: str) -> dict[str, Any]:
        """The ``Records[].Sns`` event Lambda receives (note ``SigningCertUrl``'s casing)."""
        message = self.message_for("lambda")
        sns: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": self.message_id,
            "TopicArn": self.topic_arn,
            "Subject": self.subject,
            "Message": message,
            "Timestamp": self.iso_time,
            "SignatureVersion": self.signature_version,
            "Signature": self.signature(message),
            "SigningCertUrl": signing.certificate_url(self.region),
            "UnsubscribeUrl": unsubscribe_url(self.region, subscription_arn),
            "MessageAttributes": self.envelope_attributes(),
        }
        # No FIFO fields: FIFO topics deliver only to SQS queues (Subscribe refuses Lambda).
        return {
            "Records": [
                {
                    "EventSource": "aws:sns",
                    "EventVersion": "1.0",
                    "EventSubscriptionArn": subscription_arn,
                    "Sns": sns,
                }
            ]
        }


def confirmation(
    kind: str,
    *,
    message_id: str,
    topic_arn: str,
    subscription_arn: str,
    region: str,
    token: str,
    timestamp: float,
    version: str,
) -> dict[str, Any]:
    """A signed SubscriptionConfirmation or UnsubscribeConfirmation document.

    The two texts differ in what they name: a SubscriptionConfirmation names
    the topic, an UnsubscribeConfirmation the subscription that was deleted
    (as in the developer guide's "HTTP/HTTPS unsubscribe confirmation JSON format").
    """
    if kind == "SubscriptionConfirmation":
        text = (
            f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        )
    else:
        text = (
            f"You have chosen to deactivate subscription {subscription_arn}.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
        )
    doc: dict[str, Any] = {
        "Type": kind,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": topic_arn,
        "Message": text,
        "SubscribeURL": subscribe_url(region, topic_arn, token),
        "Timestamp": iso_timestamp(timestamp),
        "SignatureVersion": version,
    }
    doc["Signature"] = signing.sign_message(doc, version)
    doc["SigningCertURL"] = signing.certificate_url(region)
    return doc
