"""What a test reads from Python: ``aws.sns`` topics, subscriptions, tokens and URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud


def test_topics_and_subscriptions_by_name(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    arn = make_topic("orders")
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="ann@example.com")
    topic = aws.sns.topic("orders")
    assert (topic.arn, topic.fifo) == (arn, False)
    assert aws.sns.topic(arn) == topic  # by ARN: the same topic
    (sub,) = aws.sns.subscriptions("orders")
    assert (sub.protocol, sub.endpoint, sub.pending) == ("email", "ann@example.com", True)
    assert aws.sns.pending_subscriptions() == [sub]
    assert sub.token == aws.sns.confirmation_token("ann@example.com")
    with pytest.raises(
        KeyError, match=r"No SNS topic 'shipping' in 123456789012/us-east-1; topics there: \['orders'\]"
    ):
        aws.sns.topic("shipping")
    with pytest.raises(KeyError, match=r"pending: ann@example\.com"):
        aws.sns.confirm("bob@example.com")


def test_a_topic_in_another_region_is_named_where_it_is(aws: Cloud, make_topic: Callable[..., str]) -> None:
    boto3.client("sns", region_name="eu-west-1").create_topic(Name="orders")
    with pytest.raises(KeyError, match=r"topics there: \[\]; 'orders' exists in 123456789012/eu-west-1"):
        aws.sns.topic("orders")
    assert aws.sns.topic("orders", region="eu-west-1").region == "eu-west-1"


def test_a_subscription_by_endpoint_and_the_view_is_read_only(
    aws: Cloud, sns: Any, make_topic: Callable[..., str]
) -> None:
    arn = make_topic("orders")
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="ann@example.com")
    sub = aws.sns.subscription("ann@example.com")
    assert sub.pending
    aws.sns.confirm("ann@example.com")
    assert not sub.pending  # live: it shows the subscription as it is now
    with pytest.raises(AttributeError):
        sub.pending = True
    with pytest.raises(KeyError, match=r"No SNS subscription 'bob@example\.com'"):
        aws.sns.subscription("bob@example.com")
    # The service's internals are not part of the view.
    assert not hasattr(aws.sns, "find_subscription")
    assert not hasattr(aws.sns, "publish")


def test_visiting_the_unsubscribe_url(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    arn = make_topic()
    aws.lambdas.register("fn", lambda e, c: None)
    sns.subscribe(TopicArn=arn, Protocol="lambda", Endpoint=aws.lambdas.arn("fn"))
    sns.publish(TopicArn=arn, Message="hello")
    event = aws.lambdas.invocations[0].event
    aws.sns.visit(event["Records"][0]["Sns"]["UnsubscribeUrl"])
    assert aws.sns.subscriptions("orders") == []
    with pytest.raises(ValueError, match="not an SNS SubscribeURL"):
        aws.sns.visit("https://example.com/")


def test_visiting_the_unsubscribe_url_of_an_http_subscription(
    aws: Cloud, sns: Any, make_topic: Callable[..., str]
) -> None:
    url = "https://hooks.example.com/sns"
    aws.sns.http_endpoint(url, auto_confirm=True)
    arn = make_topic()
    sns.subscribe(TopicArn=arn, Protocol="https", Endpoint=url)
    sns.publish(TopicArn=arn, Message="hello")
    (notification,) = aws.sns.http_requests(url)
    aws.sns.visit(notification.json()["UnsubscribeURL"])
    # As an Unsubscribe call does: the endpoint is told, and the topic counts the deletion.
    assert [r.message_type for r in aws.sns.http_requests(url)] == ["Notification", "UnsubscribeConfirmation"]
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsDeleted"] == "1"


def test_the_outbox_keeps_everything_in_order(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    aws.sns.leave_sms_sandbox()
    arn = make_topic()
    sns.subscribe(TopicArn=arn, Protocol="sms", Endpoint="+15555550100")
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="ann@example.com")
    aws.sns.confirm("ann@example.com")
    sns.publish(TopicArn=arn, Message="hi")
    assert [(m.protocol, m.kind) for m in aws.sns.outbox] == [
        ("email", "SubscriptionConfirmation"),
        ("sms", "Notification"),
        ("email", "Notification"),
    ]
    assert aws.sns.outbox[1].topic_arn == arn
