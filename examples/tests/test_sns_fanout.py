"""The order app's SNS fan-out: one publish, three team queues, filter policies decide.

The asserts read the queues the way the teams' workers do, and ``aws.deliveries``
explains any message that did not arrive (which filter stopped it).
"""

from __future__ import annotations

import boto3
from orders.notifications import LARGE_ORDER, drain, publish_event, wire_up

from pytest_awsmsg import Cloud


def test_each_team_gets_only_the_events_it_subscribed_to(aws: Cloud) -> None:
    app = wire_up()
    publish_event(app.topic_arn, "o-1", "placed", 40)
    publish_event(app.topic_arn, "o-2", "placed", LARGE_ORDER + 500)
    publish_event(app.topic_arn, "o-1", "paid", 40)
    publish_event(app.topic_arn, "o-1", "refunded", 40)

    assert [(e["order"], e["event"]) for e in drain(app.queue_urls["billing"])] == [
        ("o-1", "paid"),
        ("o-1", "refunded"),
    ]
    assert [(e["order"], e["event"]) for e in drain(app.queue_urls["shipping"])] == [("o-1", "paid")]
    assert [e["order"] for e in drain(app.queue_urls["fraud-review"])] == ["o-2"]


def test_the_delivery_log_explains_a_filtered_event(aws: Cloud) -> None:
    app = wire_up()
    publish_event(app.topic_arn, "o-3", "placed", 20)

    aws.deliveries.assert_not_delivered(to="fraud-review")
    (small,) = [d for d in aws.deliveries.publications[0].deliveries if d.target == "fraud-review"]
    assert small.status == "filtered"
    assert small.reason == 'total: 20 does not match [{"numeric": [">=", 1000]}]'


def test_a_queue_that_forgot_its_policy_gets_nothing(aws: Cloud) -> None:
    app = wire_up()
    boto3.client("sqs").set_queue_attributes(QueueUrl=app.queue_urls["shipping"], Attributes={"Policy": ""})
    publish_event(app.topic_arn, "o-4", "paid", 10)

    aws.deliveries.assert_delivered(to="billing", containing='"o-4"')
    assert drain(app.queue_urls["shipping"]) == []
    (shipping,) = [d for d in aws.deliveries.publications[0].deliveries if d.target == "shipping"]
    assert "does not allow sns.amazonaws.com to sqs:SendMessage" in shipping.reason
