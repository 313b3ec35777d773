"""Tags, AddPermission/RemovePermission, and the policy checks SNS relies on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.seams import QueueRef, QueueTarget, queue_target

from .conftest import QueueFactory
from .helpers import arn_of, error_of

TOPIC = "arn:aws:sns:us-east-1:123456789012:orders"


def test_tags(sqs: Any, make_queue: QueueFactory) -> None:
    url = sqs.create_queue(QueueName="orders", tags={"team": "checkout"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "test", "team": "payments"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "payments", "env": "test"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "absent"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_at_most_fifty_tags(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=url, Tags={"one-more": "v"})
    assert error_of(excinfo) == ("InvalidParameterValue", "Too many tags added for queue orders.")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("", "v"),
        ("k" * 129, "v"),
        ("k", "v" * 257),
        ("team#1", "v"),
        ("team", "a|b"),
        ("aws:team", "v"),
        ("team", "AWS:checkout"),
    ],
)
def test_tags_aws_refuses(sqs: Any, make_queue: QueueFactory, key: str, value: str) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=url, Tags={key: value})
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="tagged", tags={key: value})
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_tags_may_use_unicode_whitespace_and_the_allowed_punctuation(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    tags = {"k" * 128: "v" * 256, "Équipe de nuit": "", "path/to:x=y+z-w@q_r.s": "Zoë 1"}
    sqs.tag_queue(QueueUrl=url, Tags=tags)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == tags


def test_add_and_remove_permission(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    arn = arn_of(sqs, url)
    sqs.add_permission(QueueUrl=url, Label="producers", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.add_permission(
        QueueUrl=url, Label="ops", AWSAccountIds=["111122223333", "444455556666"], Actions=["ReceiveMessage", "*"]
    )
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Id"] == f"{arn}/SQSDefaultPolicy"
    assert policy["Statement"][0] == {
        "Sid": "producers",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SQS:SendMessage",
        "Resource": arn,
    }
    assert policy["Statement"][1]["Action"] == ["SQS:ReceiveMessage", "SQS:*"]
    sqs.remove_permission(QueueUrl=url, Label="producers")
    sqs.remove_permission(QueueUrl=url, Label="ops")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])


def test_permission_errors(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.add_permission(QueueUrl=url, Label="p", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="p", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value p for parameter Label is invalid. Reason: Already exists.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="q", AWSAccountIds=["111122223333"], Actions=["CreateQueue"])
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(sqs.exceptions.OverLimit) as excinfo:
        sqs.add_permission(
            QueueUrl=url,
            Label="many",
            AWSAccountIds=["111122223333"],
            Actions=["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                     "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListQueueTags"],
        )  # fmt: skip
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=url, Label="absent")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value absent for parameter Label is invalid. Reason: can't find label on existing policy.",
    )


def target(aws: Cloud) -> QueueTarget:
    """SQS as other services see it (the seam SNS delivers through)."""
    found = queue_target(aws)
    assert found is not None
    return found


def test_find_queue_through_the_seam(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    queue = target(aws).find_queue(arn_of(sqs, url))
    assert queue == QueueRef("orders", url, arn_of(sqs, url), False, "123456789012", "us-east-1")
    assert target(aws).find_queue("arn:aws:sqs:us-east-1:123456789012:missing") is None
    assert target(aws).find_queue("not an arn") is None


def test_without_a_policy_only_the_owner_is_allowed(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    arn = arn_of(sqs, make_queue())
    assert not target(aws).queue_allows(arn, source_arn=TOPIC)
    assert target(aws).queue_allows(arn, principal_service=None, principal_account="123456789012")
    assert not target(aws).queue_allows(arn, principal_service=None, principal_account="999999999999")
    assert not target(aws).queue_allows("arn:aws:sqs:us-east-1:123456789012:missing")


def _allow_topic(condition: dict[str, Any] | None, principal: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal or {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize(
    ("policy", "allowed"),
    [
        (_allow_topic({"ArnEquals": {"aws:SourceArn": TOPIC}}), True),
        (_allow_topic({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}), True),
        (_allow_topic({"ArnEquals": {"aws:SourceArn": TOPIC + "-other"}}), False),
        (_allow_topic({"StringEquals": {"aws:SourceAccount": "123456789012"}}), True),
        (_allow_topic(None, principal="*"), True),
        (_allow_topic(None, principal={"AWS": "*"}), True),
        (_allow_topic(None, principal={"Service": "events.amazonaws.com"}), False),
        (_allow_topic({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), False),
    ],
)
def test_policy_allows_for_sns(
    aws: Cloud, sqs: Any, make_queue: QueueFactory, policy: dict[str, Any], allowed: bool
) -> None:
    arn = arn_of(sqs, make_queue(Policy=policy))
    assert target(aws).queue_allows(arn, source_arn=TOPIC) is allowed


def test_explicit_deny_wins(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    policy = _allow_topic(None, principal="*")
    policy["Statement"].append({"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"})
    arn = arn_of(sqs, make_queue(Policy=policy))
    assert not target(aws).queue_allows(arn, source_arn=TOPIC)


def test_in_cloud_send_as_sns_does(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    result = aws.call("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": "from sns"})
    assert len(result["MessageId"]) == 36
    assert aws.sqs.queue("orders").bodies == ["from sns"]
