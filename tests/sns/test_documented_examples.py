"""AWS's documented examples, replayed through boto3: what the developer guide and the
API reference show a request doing, the kit does.

Sources: "Amazon SNS example filter policies", "Key matching" (developer guide),
"SetSubscriptionAttributes delivery policy JSON format" and the
GetSubscriptionAttributes sample response (API reference).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_awsmsg import Cloud

# The guide's customer transaction, as message attributes and as a message body.
TRANSACTION_ATTRIBUTES = {
    "customer_interests": {"DataType": "String.Array", "StringValue": '["soccer", "rugby", "hockey"]'},
    "store": {"DataType": "String", "StringValue": "example_corp"},
    "event": {"DataType": "String", "StringValue": "order_placed"},
    "price_usd": {"DataType": "Number", "StringValue": "210.75"},
}
TRANSACTION_BODY = {
    "customer_interests": ["soccer", "rugby", "hockey"],
    "store": "example_corp",
    "event": "order_placed",
    "price_usd": 210.75,
}
# The guide's policy that accepts that transaction.
EXAMPLE_POLICY = {
    "store": ["example_corp"],
    "event": [{"anything-but": "order_cancelled"}],
    "customer_interests": ["rugby", "football", "baseball"],
    "price_usd": [{"numeric": [">=", 100]}],
}


@pytest.fixture
def received(aws: Cloud) -> list[Any]:
    events: list[Any] = []
    aws.lambdas.register("sink", lambda event, context: events.append(event))
    return events


def _subscribe(sns: Any, aws: Cloud, topic: str, policy: dict[str, Any], scope: str) -> None:
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=aws.lambdas.arn("sink"),
        Attributes={"FilterPolicy": json.dumps(policy), "FilterPolicyScope": scope},
    )


@pytest.mark.parametrize("scope", ["MessageAttributes", "MessageBody"])
def test_the_example_policy_accepts_the_example_transaction(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], received: list[Any], scope: str
) -> None:
    topic = make_topic()
    _subscribe(sns, aws, topic, EXAMPLE_POLICY, scope)
    if scope == "MessageAttributes":
        sns.publish(
            TopicArn=topic, Message="message-body-with-transaction-details", MessageAttributes=TRANSACTION_ATTRIBUTES
        )
    else:
        sns.publish(TopicArn=topic, Message=json.dumps(TRANSACTION_BODY))
    assert len(received) == 1


@pytest.mark.parametrize(
    ("policy", "with_store", "without_store"),
    [({"store": [{"exists": True}]}, True, False), ({"store": [{"exists": False}]}, False, True)],
    ids=["exists-true", "exists-false"],
)
@pytest.mark.parametrize("scope", ["MessageAttributes", "MessageBody"])
def test_key_matching_as_the_guide_shows_it(
    aws: Cloud,
    sns: Any,
    make_topic: Callable[..., str],
    received: list[Any],
    scope: str,
    policy: dict[str, Any],
    with_store: bool,
    without_store: bool,
) -> None:
    topic = make_topic()
    _subscribe(sns, aws, topic, policy, scope)
    interests = {"customer_interests": ["baseball", "basketball"]}
    for store, expected in ((True, with_store), (False, without_store)):
        received.clear()
        body: dict[str, Any] = {**({"store": "fans"} if store else {}), **interests}
        if scope == "MessageAttributes":
            attributes = {
                name: {
                    "DataType": "String.Array" if isinstance(v, list) else "String",
                    "StringValue": json.dumps(v) if isinstance(v, list) else v,
                }
                for name, v in body.items()
            }
            sns.publish(TopicArn=topic, Message="m", MessageAttributes=attributes)
        else:
            sns.publish(TopicArn=topic, Message=json.dumps(body))
        assert bool(received) is expected


def test_a_subscription_delivery_policy_as_the_api_reference_shows_it(
    aws: Cloud, sns: Any, make_topic: Callable[..., str]
) -> None:
    # SetSubscriptionAttributes with {"healthyRetryPolicy":{"numRetries":5}}, then GetSubscriptionAttributes:
    # the policy as given, and the effective one with the rest of AWS's defaults.
    aws.sns.auto_confirm_http = True
    topic = make_topic("My-Topic")
    sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://example.com/sns", ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="DeliveryPolicy", AttributeValue='{"healthyRetryPolicy":{"numRetries":5}}'
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["Owner"] == "123456789012"
    assert attributes["DeliveryPolicy"] == '{"healthyRetryPolicy":{"numRetries":5}}'
    assert attributes["SubscriptionArn"] == sub
    assert attributes["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:My-Topic"
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["healthyRetryPolicy"] == {
        "minDelayTarget": 20,
        "maxDelayTarget": 20,
        "numRetries": 5,
        "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 0,
        "backoffFunction": "linear",
    }
