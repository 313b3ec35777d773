"""SNS to Lambda stand-ins: the Records[].Sns event, missing functions, function errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pytest_awsmsg import Cloud

from .conftest import attrs


def test_the_lambda_event_shape(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    events: list[Any] = []
    contexts: list[Any] = []

    @aws.lambdas.register("notify")
    def handler(event: Any, context: Any) -> None:
        events.append(event)
        contexts.append(context)

    aws.clock.freeze("2024-01-02T03:04:05Z")
    topic = make_topic()
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=aws.lambdas.arn("notify"))["SubscriptionArn"]
    sent = sns.publish(TopicArn=topic, Message="hi", MessageAttributes=attrs(kind="order"))
    (record,) = events[0]["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == sub
    body = record["Sns"]
    assert body["Type"] == "Notification"
    assert body["MessageId"] == sent["MessageId"]
    assert body["Subject"] is None
    assert body["Message"] == "hi"
    assert body["MessageAttributes"] == {"kind": {"Type": "String", "Value": "order"}}
    assert body["Timestamp"] == "2024-01-02T03:04:05.000Z"
    assert body["SignatureVersion"] == "1"
    # Lambda's casing differs from the JSON envelope's: SigningCertUrl, UnsubscribeUrl.
    assert body["SigningCertUrl"] == aws.sns.signing_certificate_url()
    assert body["UnsubscribeUrl"] == f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}"
    assert "SigningCertURL" not in body
    assert "UnsubscribeURL" not in body
    assert contexts[0].function_name == "notify"
    assert aws.lambdas.invocations[0].source == "sns"


def test_an_unregistered_function_is_a_failed_delivery(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint="arn:aws:lambda:us-east-1:123456789012:function:ghost")
    sns.publish(TopicArn=topic, Message="hi")
    delivery = aws.deliveries.publications[0].deliveries[0]
    assert delivery.status == "failed"
    assert "function ghost does not exist" in delivery.reason


def test_a_function_error_is_retried_by_lambda_twice(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    calls: list[float] = []

    def flaky(event: Any, context: Any) -> None:
        calls.append(aws.clock.now())
        raise RuntimeError("boom")

    aws.lambdas.register("flaky", flaky)
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=aws.lambdas.arn("flaky"))
    sns.publish(TopicArn=topic, Message="hi")
    # SNS hands the event over (asynchronous invoke): delivered from its point of view
    assert aws.deliveries.publications[0].deliveries[0].status == "delivered"
    aws.clock.advance(minutes=5)
    assert [round(t - calls[0]) for t in calls] == [0, 60, 180]
    assert all(i.error is not None for i in aws.lambdas.invocations)


def test_message_body_filtering_for_a_lambda(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    got: list[str] = []
    aws.lambdas.register("big-orders", lambda e, c: got.append(e["Records"][0]["Sns"]["Message"]))
    topic = make_topic()
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=aws.lambdas.arn("big-orders"),
        Attributes={"FilterPolicy": '{"total": [{"numeric": [">", 100]}]}', "FilterPolicyScope": "MessageBody"},
    )
    for total in (50, 150):
        sns.publish(TopicArn=topic, Message=json.dumps({"total": total}))
    assert got == ['{"total": 150}']
