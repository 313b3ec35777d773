"""Message signatures verify against the certificate at SigningCertURL, as user code checks them."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses
from cryptography import exceptions, x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from pytest_awsmsg import Cloud

from .conftest import Queue

FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}


def string_to_sign(message: dict[str, Any]) -> bytes:
    """What the AWS docs tell subscribers to build, written here independently of the fake."""
    return "".join(f"{k}\n{message[k]}\n" for k in FIELDS[message["Type"]] if k in message).encode()


def verify_with_cryptography(message: dict[str, Any], pem: str) -> None:

    certificate = x509.load_pem_x509_certificate(pem.encode())
    algorithm = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    key = certificate.public_key()
    assert isinstance(key, RSAPublicKey)  # SNS signs with RSA
    key.verify(  # raises InvalidSignature when it does not verify
        base64.b64decode(message["Signature"]), string_to_sign(message), padding.PKCS1v15(), algorithm
    )


@pytest.mark.parametrize("version", ["1", "2"])
def test_notifications_verify_with_the_served_certificate(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue], version: str
) -> None:
    topic = make_topic(SignatureVersion=version)
    queue = make_subscriber_queue()
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    sns.publish(TopicArn=topic, Message='line one\nline "two"', Subject="subject")
    (message,) = queue.envelopes()
    assert message["SignatureVersion"] == version
    with responses.RequestsMock() as mock:
        aws.sns.serve_signing_certificate(mock)
        pem = requests.get(message["SigningCertURL"], timeout=5).text
    assert pem == aws.sns.signing_certificate_pem
    assert aws.sns.verify(message)
    verify_with_cryptography(message, pem)


def test_a_tampered_message_does_not_verify(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_subscriber_queue()
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    sns.publish(TopicArn=topic, Message="pay 10")
    (message,) = queue.envelopes()
    message["Message"] = "pay 1000"
    assert not aws.sns.verify(message)
    with pytest.raises(exceptions.InvalidSignature):
        verify_with_cryptography(message, aws.sns.signing_certificate_pem)


def test_confirmations_are_signed_too(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    aws.sns.http_endpoint("https://hooks.example.com/x")
    sns.subscribe(TopicArn=make_topic(), Protocol="https", Endpoint="https://hooks.example.com/x")
    (request,) = aws.sns.http_requests("https://hooks.example.com/x")
    document = json.loads(request.body)
    assert aws.sns.verify(document)
    verify_with_cryptography(document, aws.sns.signing_certificate_pem)


def test_the_certificate_is_the_same_in_every_run(aws: Cloud) -> None:
    pem = aws.sns.signing_certificate_pem
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert aws.sns.signing_certificate_url().startswith(
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
    )
    certificate = x509.load_pem_x509_certificate(pem.encode())
    assert "sns.amazonaws.com" in certificate.subject.rfc4514_string()
