"""ARNs as AWS reads them: malformed ones, ARNs of the wrong kind, and the NotFound/InvalidParameter line.

AWS counts an ARN's colon-separated elements before anything else, and says
so in the same words for every parameter that takes one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

ARN = "arn:aws:sns:us-east-1:123456789012:"

# (operation, parameters with "{}" where the malformed ARN goes, the parameter AWS names)
TAKES_AN_ARN: list[tuple[str, dict[str, Any], str]] = [
    ("delete_topic", {"TopicArn": "{}"}, "TopicArn"),
    ("get_topic_attributes", {"TopicArn": "{}"}, "TopicArn"),
    ("set_topic_attributes", {"TopicArn": "{}", "AttributeName": "DisplayName", "AttributeValue": "x"}, "TopicArn"),
    ("subscribe", {"TopicArn": "{}", "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:1:q"}, "TopicArn"),
    ("confirm_subscription", {"TopicArn": "{}", "Token": "t"}, "TopicArn"),
    ("list_subscriptions_by_topic", {"TopicArn": "{}"}, "TopicArn"),
    ("publish", {"TopicArn": "{}", "Message": "m"}, "TopicArn"),
    ("publish", {"TargetArn": "{}", "Message": "m"}, "TargetArn"),
    ("publish_batch", {"TopicArn": "{}", "PublishBatchRequestEntries": [{"Id": "1", "Message": "m"}]}, "TopicArn"),
    ("add_permission", {"TopicArn": "{}", "Label": "l", "AWSAccountId": ["1"], "ActionName": ["Publish"]}, "TopicArn"),
    ("remove_permission", {"TopicArn": "{}", "Label": "l"}, "TopicArn"),
    ("unsubscribe", {"SubscriptionArn": "{}"}, "SubscriptionArn"),
    ("get_subscription_attributes", {"SubscriptionArn": "{}"}, "SubscriptionArn"),
    (
        "set_subscription_attributes",
        {"SubscriptionArn": "{}", "AttributeName": "RawMessageDelivery", "AttributeValue": "true"},
        "SubscriptionArn",
    ),
    ("tag_resource", {"ResourceArn": "{}", "Tags": [{"Key": "k", "Value": "v"}]}, "ResourceArn"),
    ("untag_resource", {"ResourceArn": "{}", "TagKeys": ["k"]}, "ResourceArn"),
    ("list_tags_for_resource", {"ResourceArn": "{}"}, "ResourceArn"),
    ("get_data_protection_policy", {"ResourceArn": "{}"}, "ResourceArn"),
    ("put_data_protection_policy", {"ResourceArn": "{}", "DataProtectionPolicy": "{}"}, "ResourceArn"),
    ("get_platform_application_attributes", {"PlatformApplicationArn": "{}"}, "PlatformApplicationArn"),
    (
        "set_platform_application_attributes",
        {"PlatformApplicationArn": "{}", "Attributes": {"Enabled": "true"}},
        "PlatformApplicationArn",
    ),
    ("delete_platform_application", {"PlatformApplicationArn": "{}"}, "PlatformApplicationArn"),
    ("create_platform_endpoint", {"PlatformApplicationArn": "{}", "Token": "t"}, "PlatformApplicationArn"),
    ("list_endpoints_by_platform_application", {"PlatformApplicationArn": "{}"}, "PlatformApplicationArn"),
    ("get_endpoint_attributes", {"EndpointArn": "{}"}, "EndpointArn"),
    ("set_endpoint_attributes", {"EndpointArn": "{}", "Attributes": {"Enabled": "true"}}, "EndpointArn"),
    ("delete_endpoint", {"EndpointArn": "{}"}, "EndpointArn"),
]


def _fill(params: dict[str, Any], arn: str) -> dict[str, Any]:
    return {k: arn if v == "{}" else v for k, v in params.items()}


@pytest.mark.parametrize(("operation", "params", "name"), TAKES_AN_ARN, ids=[f"{o}-{n}" for o, _, n in TAKES_AN_ARN])
@pytest.mark.parametrize(("arn", "elements"), [("orders", 1), ("arn:aws:sns:us-east-1", 4)])
def test_a_malformed_arn_gets_awss_message_everywhere(
    sns: Any, operation: str, params: dict[str, Any], name: str, arn: str, elements: int
) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        getattr(sns, operation)(**_fill(params, arn))
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidParameter",
        f"Invalid parameter: {name} Reason: An ARN must have at least 6 elements, not {elements}",
    )


def test_a_pending_subscriptions_placeholder_is_no_arn(sns: Any) -> None:
    # What Subscribe answers for an unconfirmed subscription is not an ARN, and reads as one that is not.
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.unsubscribe(SubscriptionArn="pending confirmation")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
    )


def test_a_topic_arn_where_a_subscription_arn_goes_lacks_the_subscription_id(
    sns: Any, make_topic: Callable[..., str]
) -> None:
    topic = make_topic()
    for call in (
        lambda: sns.get_subscription_attributes(SubscriptionArn=topic),
        lambda: sns.unsubscribe(SubscriptionArn=topic),
    ):
        with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
            call()
        assert caught.value.response["Error"]["Message"] == "Invalid parameter: SubscriptionId"


def test_unsubscribing_an_unknown_subscription_succeeds_but_reading_it_is_not_found(sns: Any) -> None:
    unknown = ARN + "orders:0b0d6d43-3f4e-4c9f-9d0a-5c3a4d1e2f00"
    sns.unsubscribe(SubscriptionArn=unknown)
    with pytest.raises(sns.exceptions.NotFoundException) as caught:
        sns.get_subscription_attributes(SubscriptionArn=unknown)
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("NotFound", "Subscription does not exist")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_an_endpoint_arn_needs_its_three_slashes(sns: Any) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.get_endpoint_attributes(EndpointArn=ARN + "endpoint/GCM/app")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: EndpointArn Reason: Wrong number of slashes in relative portion of the ARN."
    )


def test_publishing_to_an_unknown_endpoint_or_to_nothing(sns: Any) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.publish(TargetArn=ARN + "endpoint/GCM/app/0b0d6d43-3f4e-4c9f-9d0a-5c3a4d1e2f00", Message="m")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
    )
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.publish(Message="m")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
    )


def test_unknown_resources_are_not_found(sns: Any) -> None:
    missing = ARN + "missing"
    for call, message in (
        (lambda: sns.get_topic_attributes(TopicArn=missing), "Topic does not exist"),
        (lambda: sns.publish(TopicArn=missing, Message="m"), "Topic does not exist"),
        (lambda: sns.list_subscriptions_by_topic(TopicArn=missing), "Topic does not exist"),
        (
            lambda: sns.get_platform_application_attributes(PlatformApplicationArn=ARN + "app/GCM/none"),
            "PlatformApplication does not exist",
        ),
        (
            lambda: sns.get_endpoint_attributes(
                EndpointArn=ARN + "endpoint/GCM/none/0b0d6d43-3f4e-4c9f-9d0a-5c3a4d1e2f00"
            ),
            "Endpoint does not exist",
        ),
    ):
        with pytest.raises(sns.exceptions.NotFoundException) as caught:
            call()
        assert caught.value.response["Error"]["Message"] == message
