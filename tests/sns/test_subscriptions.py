"""Subscriptions: endpoints per protocol, confirmation, attributes, listing and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

from .conftest import Queue

SQS_ARN = "arn:aws:sqs:us-east-1:123456789012:"


@pytest.mark.parametrize(
    ("protocol", "endpoint", "message"),
    [
        ("http", "https://example.com", "Invalid parameter: Endpoint must match the specified protocol"),
        ("https", "ftp://example.com", "Invalid parameter: Endpoint must match the specified protocol"),
        ("email", "not-an-address", "Invalid parameter: Email address"),
        ("sms", "call me", "Invalid SMS endpoint: call me"),
        ("sqs", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "Invalid parameter: SQS endpoint ARN"),
        ("lambda", "my-function", "Invalid parameter: Lambda endpoint ARN"),
        (
            "carrier-pigeon",
            "coop",
            "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon",
        ),
    ],
)
def test_endpoint_validation(
    sns: Any, make_topic: Callable[..., str], protocol: str, endpoint: str, message: str
) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.subscribe(TopicArn=make_topic(), Protocol=protocol, Endpoint=endpoint)
    assert caught.value.response["Error"]["Message"] == message


def test_fifo_topics_take_only_queues_and_standard_topics_refuse_fifo_queues(
    sns: Any, make_topic: Callable[..., str]
) -> None:
    fifo = make_topic("orders.fifo")
    # Since 2025 a FIFO topic may deliver to a standard queue as well as to a FIFO one.
    assert sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=SQS_ARN + "standard")["SubscriptionArn"]
    assert sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=SQS_ARN + "q.fifo")["SubscriptionArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.subscribe(TopicArn=fifo, Protocol="email", Endpoint="a@example.com")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: Invalid parameter: Endpoint Reason: Please use FIFO SQS queue"
    )
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.subscribe(TopicArn=make_topic(), Protocol="sqs", Endpoint=SQS_ARN + "q.fifo")
    assert "FIFO SQS Queues can not be subscribed to standard SNS topics" in caught.value.response["Error"]["Message"]


def test_sqs_and_lambda_are_confirmed_at_once(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    topic = make_topic()
    aws.lambdas.register("fn", lambda e, c: None)
    sqs_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=SQS_ARN + "q")["SubscriptionArn"]
    fn_arn = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=aws.lambdas.arn("fn"))["SubscriptionArn"]
    assert sqs_arn.startswith(topic + ":")
    assert fn_arn.startswith(topic + ":")
    attributes = sns.get_subscription_attributes(SubscriptionArn=sqs_arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert (attributes["Protocol"], attributes["Endpoint"]) == ("sqs", SQS_ARN + "q")
    assert attributes["RawMessageDelivery"] == "false"
    counts = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (counts["SubscriptionsConfirmed"], counts["SubscriptionsPending"]) == ("2", "0")


def test_email_is_pending_until_confirmed(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    topic = make_topic()
    assert sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ann@example.com")["SubscriptionArn"] == (
        "pending confirmation"
    )
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed[0]["SubscriptionArn"] == "PendingConfirmation"
    (email,) = aws.sns.emails("ann@example.com")
    assert email.kind == "SubscriptionConfirmation"
    assert "ConfirmSubscription" in email.body
    token = email.extra["token"]

    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.confirm_subscription(TopicArn=topic, Token="wrong")
    assert caught.value.response["Error"]["Message"] == "Invalid parameter: Token"

    arn = sns.confirm_subscription(TopicArn=topic, Token=token, AuthenticateOnUnsubscribe="true")["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"


def test_return_subscription_arn_gives_the_pending_arn(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    arn = sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="a@example.com", ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    assert arn.startswith(topic + ":")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "true"


def test_unconfirmed_subscriptions_expire_after_48_hours(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ann@example.com")
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="bob@example.com")
    ann, bob = aws.sns.confirmation_token("ann@example.com"), aws.sns.confirmation_token("bob@example.com")
    aws.clock.advance(hours=47, minutes=59)
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 2
    confirmed = sns.confirm_subscription(TopicArn=topic, Token=bob)["SubscriptionArn"]
    aws.clock.advance(minutes=2)
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Endpoint"], s["SubscriptionArn"]) for s in listed] == [("bob@example.com", confirmed)]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.confirm_subscription(TopicArn=topic, Token=ann)


def test_subscribe_is_idempotent_unless_attributes_differ(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=SQS_ARN + "q")["SubscriptionArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=SQS_ARN + "q")["SubscriptionArn"] == first
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=SQS_ARN + "q", Attributes={"RawMessageDelivery": "true"})
    assert "Subscription already exists with different attributes" in caught.value.response["Error"]["Message"]


def test_subscription_attributes(sns: Any, make_topic: Callable[..., str], subscribe: Callable[..., str]) -> None:
    arn = subscribe(make_topic(), "sqs", SQS_ARN + "q")
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.set_subscription_attributes(
        SubscriptionArn=arn,
        AttributeName="RedrivePolicy",
        AttributeValue=json.dumps({"deadLetterTargetArn": SQS_ARN + "dlq"}),
    )
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue='{"a": ["b"]}')
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": SQS_ARN + "dlq"}
    assert attributes["FilterPolicy"] == '{"a": ["b"]}'
    assert attributes["FilterPolicyScope"] == "MessageAttributes"


@pytest.mark.parametrize(
    ("protocol", "endpoint", "name", "value", "message"),
    [
        (
            "lambda",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "RawMessageDelivery",
            "true",
            "Invalid parameter: Delivery protocol [lambda] does not support raw message delivery.",
        ),
        (
            "sqs",
            SQS_ARN + "q",
            "RawMessageDelivery",
            "yes",
            "Invalid parameter: RawMessageDelivery: Invalid value [yes]. Must be true or false.",
        ),
        ("sqs", SQS_ARN + "q", "DeliveryPolicy", "{}", "does not support delivery policies"),
        (
            "sqs",
            SQS_ARN + "q",
            "RedrivePolicy",
            '{"deadLetterTargetArn": "nope"}',
            "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn",
        ),
        ("sqs", SQS_ARN + "q", "RedrivePolicy", "{", "Invalid parameter: RedrivePolicy: failed to parse JSON."),
        (
            "sqs",
            SQS_ARN + "q",
            "FilterPolicyScope",
            "Everything",
            "Invalid parameter: FilterPolicyScope: Invalid value [Everything]. "
            "Please use either MessageBody or MessageAttributes",
        ),
        ("sqs", SQS_ARN + "q", "Color", "blue", "Invalid parameter: AttributeName"),
        ("sqs", SQS_ARN + "q", "ReplayPolicy", "{}", "does not fake message replay"),
    ],
)
def test_invalid_subscription_attributes(
    sns: Any,
    make_topic: Callable[..., str],
    subscribe: Callable[..., str],
    aws: Cloud,
    protocol: str,
    endpoint: str,
    name: str,
    value: str,
    message: str,
) -> None:
    arn = subscribe(make_topic(), protocol, endpoint)
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=name, AttributeValue=value)
    assert message in caught.value.response["Error"]["Message"]


def test_unsubscribe(sns: Any, make_topic: Callable[..., str], subscribe: Callable[..., str]) -> None:
    topic = make_topic()
    arn = subscribe(topic, "sqs", SQS_ARN + "q")
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"
    sns.unsubscribe(SubscriptionArn=arn)  # idempotent, as on AWS
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"
    with pytest.raises(sns.exceptions.NotFoundException) as caught:
        sns.get_subscription_attributes(SubscriptionArn=arn)
    assert caught.value.response["Error"]["Message"] == "Subscription does not exist"


def test_list_subscriptions_pages(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    for i in range(150):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"{SQS_ARN}q{i}")
    pages = list(sns.get_paginator("list_subscriptions").paginate())
    assert [len(p["Subscriptions"]) for p in pages] == [100, 50]
    by_topic = list(sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic))
    assert sum(len(p["Subscriptions"]) for p in by_topic) == 150
    assert by_topic[0]["Subscriptions"][0]["Endpoint"] == SQS_ARN + "q0"


def test_filter_policy_quota_per_topic(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    for i in range(200):
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=f"{SQS_ARN}q{i}", Attributes={"FilterPolicy": '{"a": ["b"]}'}
        )
    with pytest.raises(sns.exceptions.FilterPolicyLimitExceededException) as caught:
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=f"{SQS_ARN}q200", Attributes={"FilterPolicy": '{"a": ["b"]}'}
        )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # without a policy the subscription is still allowed, as AWS documents
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"{SQS_ARN}q200")


def test_a_queue_of_another_account_confirms_through_a_message(
    aws: Cloud, sns: Any, make_topic: Callable[..., str]
) -> None:
    topic = make_topic()
    other_sqs = boto3.client("sqs", region_name="us-east-1", **aws.credentials_for("111122223333"))
    url = other_sqs.create_queue(QueueName="partner")["QueueUrl"]
    queue_arn = "arn:aws:sqs:us-east-1:111122223333:partner"
    other_sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "Policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": queue_arn,
                        }
                    ]
                }
            )
        },
    )
    assert (
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"] == "pending confirmation"
    )
    (message,) = other_sqs.receive_message(QueueUrl=url)["Messages"]
    document = json.loads(message["Body"])
    assert document["Type"] == "SubscriptionConfirmation"
    assert aws.sns.verify(document)
    partner_sns = boto3.client("sns", region_name="us-east-1", **aws.credentials_for("111122223333"))
    arn = partner_sns.confirm_subscription(TopicArn=topic, Token=document["Token"])["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"


def test_subscribing_to_a_missing_topic(sns: Any) -> None:
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.subscribe(TopicArn="arn:aws:sns:us-east-1:123456789012:missing", Protocol="sqs", Endpoint=SQS_ARN + "q")


def test_pending_arn_is_not_an_arn(sns: Any) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.get_subscription_attributes(SubscriptionArn="PendingConfirmation")


def test_firehose_needs_a_role(sns: Any, make_topic: Callable[..., str]) -> None:
    stream = "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=make_topic(), Protocol="firehose", Endpoint=stream)
    arn = sns.subscribe(
        TopicArn=make_topic(),
        Protocol="firehose",
        Endpoint=stream,
        Attributes={"SubscriptionRoleArn": "arn:aws:iam::123456789012:role/r"},
    )["SubscriptionArn"]
    assert arn.startswith("arn:aws:sns:")


def test_queue_factory_policy_is_what_real_aws_needs(make_subscriber_queue: Callable[..., Queue]) -> None:
    queue = make_subscriber_queue()
    assert queue.arn == SQS_ARN + "billing"


def test_a_subscription_confirmed_from_python_no_longer_expires(
    sns: Any, make_topic: Callable[..., str], aws: Cloud
) -> None:
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ann@example.com")
    arn = aws.sns.confirm("ann@example.com")
    aws.clock.advance(days=3)
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == [arn]


@pytest.mark.parametrize(
    ("name", "value", "fault"),
    [
        ("Color", "blue", "AttributeName"),
        ("RawMessageDelivery", "yes", "RawMessageDelivery: Invalid value [yes]. Must be true or false."),
        (
            "FilterPolicyScope",
            "Everything",
            "FilterPolicyScope: Invalid value [Everything]. Please use either MessageBody or MessageAttributes",
        ),
        ("RedrivePolicy", "{", "RedrivePolicy: failed to parse JSON."),
        ("FilterPolicy", "{", "FilterPolicy: failed to parse JSON."),
    ],
)
def test_subscribe_names_a_bad_attribute_as_one_of_its_attributes(
    sns: Any, make_topic: Callable[..., str], name: str, value: str, fault: str
) -> None:
    # The fault SetSubscriptionAttributes calls "Invalid parameter: <fault>" reads, from Subscribe,
    # "Invalid parameter: Attributes Reason: <fault>".
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.subscribe(TopicArn=make_topic(), Protocol="sqs", Endpoint=SQS_ARN + "q", Attributes={name: value})
    assert caught.value.response["Error"]["Message"] == f"Invalid parameter: Attributes Reason: {fault}"


def test_subscription_attributes_as_aws_shows_them(
    sns: Any, make_topic: Callable[..., str], subscribe: Callable[..., str], aws: Cloud
) -> None:
    topic = make_topic()
    queue_sub = subscribe(topic, "sqs", SQS_ARN + "q")
    attributes = sns.get_subscription_attributes(SubscriptionArn=queue_sub)["Attributes"]
    assert attributes == {
        "Owner": "123456789012",
        "RawMessageDelivery": "false",
        "TopicArn": topic,
        "Endpoint": SQS_ARN + "q",
        "Protocol": "sqs",
        "PendingConfirmation": "false",
        "ConfirmationWasAuthenticated": "true",
        "SubscriptionArn": queue_sub,
        "SubscriptionPrincipal": "arn:aws:iam::123456789012:root",
    }
    # Only HTTP/S subscriptions show the delivery policy in effect.
    aws.sns.auto_confirm_http = True
    hook_sub = subscribe(topic, "https", "https://hooks.example.com/sns")
    hook = sns.get_subscription_attributes(SubscriptionArn=hook_sub)["Attributes"]
    assert json.loads(hook["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] == 3
    assert hook["SubscriptionPrincipal"] == "arn:aws:iam::123456789012:root"


def test_a_fifo_topic_shows_its_throughput_scope_only_when_set(sns: Any, make_topic: Callable[..., str]) -> None:
    plain = sns.get_topic_attributes(TopicArn=make_topic("plain.fifo"))["Attributes"]
    assert plain["FifoTopic"] == "true"
    assert "FifoThroughputScope" not in plain
    scoped = make_topic("scoped.fifo", FifoThroughputScope="MessageGroup")
    assert sns.get_topic_attributes(TopicArn=scoped)["Attributes"]["FifoThroughputScope"] == "MessageGroup"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("+1-555-555-0100", "+15555550100"), ("1.555.555.0101", "+15555550101"), ("+44/20/7946/0958", "+442079460958")],
)
def test_sms_endpoints_may_group_digits(sns: Any, make_topic: Callable[..., str], given: str, stored: str) -> None:
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=given)
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == [stored]


@pytest.mark.parametrize("given", ["+1 555 555 0100", "+1--5555550100", "+1555555010-", "12"])
def test_sms_endpoints_as_aws_refuses_them(sns: Any, make_topic: Callable[..., str], given: str) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.subscribe(TopicArn=make_topic(), Protocol="sms", Endpoint=given)
    assert caught.value.response["Error"]["Message"] == f"Invalid SMS endpoint: {given}"
