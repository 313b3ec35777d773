"""Text XML cannot carry is refused where it comes in, so every later read of the resource parses.

A control character stored in a topic's DisplayName or a tag would come back in
every GetTopicAttributes or ListTagsForResource answer, which botocore's XML
parser cannot read; AWS never stores it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

BAD = "bell\x07"


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda sns, topic: sns.create_topic(Name="other", Attributes={"DisplayName": BAD}), "DisplayName"),
        (
            lambda sns, topic: sns.set_topic_attributes(
                TopicArn=topic, AttributeName="DisplayName", AttributeValue=BAD
            ),
            "DisplayName",
        ),
        (lambda sns, topic: sns.create_topic(Name="other", Tags=[{"Key": "team", "Value": BAD}]), "Tags"),
        (lambda sns, topic: sns.tag_resource(ResourceArn=topic, Tags=[{"Key": BAD, "Value": "v"}]), "Tags"),
        (lambda sns, topic: sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=f"{BAD}@example.com"), "Endpoint"),
        (
            lambda sns, topic: sns.add_permission(
                TopicArn=topic, Label=BAD, AWSAccountId=["111122223333"], ActionName=["Publish"]
            ),
            "Label",
        ),
        (lambda sns, topic: sns.remove_permission(TopicArn=topic, Label=BAD), "Label"),
        (lambda sns, topic: sns.confirm_subscription(TopicArn=topic, Token=BAD), "Token"),
        (lambda sns, topic: sns.set_sms_attributes(attributes={"UsageReportS3Bucket": BAD}), "UsageReportS3Bucket"),
        (
            lambda sns, topic: sns.create_platform_application(
                Name="app", Platform="GCM", Attributes={"PlatformCredential": BAD}
            ),
            "PlatformCredential",
        ),
    ],
    ids=[
        "create-display-name",
        "set-display-name",
        "create-tags",
        "tag-resource",
        "email-endpoint",
        "add-permission-label",
        "remove-permission-label",
        "token",
        "sms-attribute",
        "platform-attribute",
    ],
)
def test_control_characters_are_refused_and_the_topic_stays_readable(
    sns: Any, make_topic: Callable[..., str], call: Callable[[Any, str], Any], name: str
) -> None:
    topic = make_topic()
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        call(sns, topic)
    assert caught.value.response["Error"]["Message"] == f"Invalid parameter: {name}"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == ""
    assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == []
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [topic]
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_tabs_and_newlines_are_text_xml_carries(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="two\tlines\nhere")
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "two\tlines\nhere"
