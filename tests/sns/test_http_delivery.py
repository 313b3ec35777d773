"""HTTP/S subscribers: the handshake, POSTs captured by ``responses`` or a Python handler,
retry policies in virtual time, dead-letter queues, and no real network ever."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
import responses

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.sns import HttpRequest

from .conftest import Queue

URL = "https://hooks.example.com/sns"


@responses.activate
def test_confirmation_handshake_through_responses(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    responses.add(responses.POST, URL, status=200)
    topic = make_topic()
    assert sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)["SubscriptionArn"] == "pending confirmation"
    (call,) = list[Any](responses.calls)
    assert call.request.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert call.request.headers["x-amz-sns-topic-arn"] == topic
    pending_arn = call.request.headers["x-amz-sns-subscription-arn"]
    assert pending_arn.startswith(topic + ":")
    document = json.loads(call.request.body)
    assert document["Type"] == "SubscriptionConfirmation"
    assert document["SubscribeURL"] == (
        f"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic}&Token={document['Token']}"
    )
    assert aws.sns.verify(document)

    sub = sns.confirm_subscription(TopicArn=topic, Token=document["Token"])["SubscriptionArn"]
    assert sub == pending_arn
    sns.publish(TopicArn=topic, Message="hello", Subject="hi")
    notification: Any = responses.calls[1].request
    assert notification.headers["x-amz-sns-message-type"] == "Notification"
    assert notification.headers["x-amz-sns-subscription-arn"] == sub
    assert notification.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert json.loads(notification.body)["Message"] == "hello"


def test_a_python_handler_and_visiting_the_subscribe_url(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    seen: list[HttpRequest] = []

    @aws.sns.http_endpoint(URL)
    def endpoint(request: HttpRequest) -> int:
        seen.append(request)
        if request.message_type == "SubscriptionConfirmation":
            aws.sns.visit(request.json()["SubscribeURL"])
        return 200

    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)
    sns.publish(TopicArn=topic, Message="hello")
    assert [r.message_type for r in seen] == ["SubscriptionConfirmation", "Notification"]
    assert seen[1].json()["Message"] == "hello"


def test_auto_confirm_skips_the_handshake(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    aws.sns.http_endpoint(URL, auto_confirm=True)
    topic = make_topic()
    arn = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)["SubscriptionArn"]
    assert arn.startswith(topic)
    sns.publish(TopicArn=topic, Message="hello")
    assert [r.message_type for r in aws.sns.http_requests(URL)] == ["Notification"]


def test_raw_delivery_over_http(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    aws.sns.auto_confirm_http = True
    aws.sns.http_endpoint(URL, lambda request: 200)
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="just this")
    (request,) = aws.sns.http_requests(URL)
    assert request.body == "just this"
    assert request.headers["x-amz-sns-rawdelivery"] == "true"


def test_unmocked_endpoints_are_unreachable_and_retried_per_the_default_policy(
    aws: Cloud, sns: Any, make_topic: Callable[..., str]
) -> None:
    aws.sns.auto_confirm_http = True
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://nowhere.invalid/hook")
    sns.publish(TopicArn=topic, Message="hello")
    delivery = aws.deliveries.publications[0].deliveries[0]
    assert delivery.status == "retrying"
    assert "never opens real connections" in delivery.reason
    aws.clock.advance(60)
    assert delivery.attempts == 4  # the first, then 3 retries 20 s apart
    assert delivery.status == "failed"
    assert "retries exhausted" in delivery.reason


def test_unreachable_reads_the_same_whether_or_not_something_wraps_requests(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # With nothing patched the kit answers "unreachable" itself, without the requests pipeline;
    # a wrapper around Session.send makes it go all the way to the adapter that refuses.
    import requests

    aws.sns.auto_confirm_http = True
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="HTTPS://Nowhere.invalid")
    sns.publish(TopicArn=topic, Message="direct")
    real_send = requests.Session.send
    sent: list[str] = []

    def wrapped(session: Any, request: Any, **kwargs: Any) -> Any:
        sent.append(request.url)
        return real_send(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", wrapped)
    sns.publish(TopicArn=topic, Message="through requests")
    direct, through = (p.deliveries[0] for p in aws.deliveries.publications)
    assert sent == ["https://nowhere.invalid/"]
    assert direct.reason == through.reason
    assert through.reason == (
        "POST HTTPS://Nowhere.invalid failed: unreachable: pytest-awsmsg never opens real connections: nothing "
        "answers https://nowhere.invalid/ (mock it with `responses`, or register a handler with "
        "aws.sns.http_endpoint(url, handler))"
    )


@responses.activate
def test_the_test_machines_netrc_credentials_are_not_sent(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SNS posts from AWS, not from the machine running the tests: requests must not add
    # the machine's ~/.netrc login (or its proxies) to what the mock receives.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine hooks.example.com login me password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    responses.add(responses.POST, URL, status=200)
    aws.sns.auto_confirm_http = True
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)
    sns.publish(TopicArn=topic, Message="hello")
    (call,) = list[Any](responses.calls)
    assert json.loads(call.request.body)["Message"] == "hello"
    assert "Authorization" not in call.request.headers


def test_a_custom_retry_policy_and_recovery(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")  # the publish and its immediate retry read one instant
    answers = iter([503, 503, 500, 200])
    times: list[float] = []

    def flaky(request: HttpRequest) -> int:
        times.append(aws.clock.now())
        return next(answers)

    aws.sns.http_endpoint(URL, flaky, auto_confirm=True)
    topic = make_topic()
    policy = {
        "healthyRetryPolicy": {
            "numRetries": 5,
            "numNoDelayRetries": 1,
            "minDelayTarget": 2,
            "maxDelayTarget": 8,
            "backoffFunction": "linear",
        }
    }
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL, Attributes={"DeliveryPolicy": json.dumps(policy)})
    sns.publish(TopicArn=topic, Message="hello")
    aws.clock.run_until_idle()
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(times)]
    assert gaps == [0.0, 3.5, 5.0]  # immediate, then backoff from 2 s towards 8 s
    assert aws.deliveries.publications[0].deliveries[0].status == "delivered"


def test_a_4xx_is_not_retried_and_goes_to_the_dlq(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    aws.sns.http_endpoint(URL, lambda request: 404, auto_confirm=True)
    topic = make_topic()
    dlq = make_subscriber_queue("hook-dlq")
    sns.subscribe(
        TopicArn=topic,
        Protocol="https",
        Endpoint=URL,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn})},
    )
    sns.publish(TopicArn=topic, Message="hello")
    assert len(aws.sns.http_requests(URL)) == 1
    assert [e["Message"] for e in dlq.envelopes()] == ["hello"]


def test_a_handler_that_raises_is_a_500(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    def broken(request: HttpRequest) -> int:
        raise ValueError("bad")

    aws.sns.http_endpoint(URL, broken, auto_confirm=True)
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)
    sns.publish(TopicArn=topic, Message="hello")
    assert "handler raised ValueError: bad" in aws.deliveries.publications[0].deliveries[0].reason


def test_content_type_from_the_topic_delivery_policy(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    aws.sns.http_endpoint(URL, auto_confirm=True)
    topic = make_topic(
        DeliveryPolicy=json.dumps({"http": {"defaultRequestPolicy": {"headerContentType": "application/json"}}})
    )
    sns.subscribe(TopicArn=topic, Protocol="http" if URL.startswith("http:") else "https", Endpoint=URL)
    sns.publish(TopicArn=topic, Message="hello")
    assert aws.sns.http_requests(URL)[0].headers["Content-Type"] == "application/json"


@responses.activate
def test_unsubscribe_sends_an_unsubscribe_confirmation(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    responses.add(responses.POST, URL, status=200)
    aws.sns.auto_confirm_http = True
    topic = make_topic()
    arn = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=arn)
    request: Any = responses.calls[-1].request
    assert request.headers["x-amz-sns-message-type"] == "UnsubscribeConfirmation"
    assert request.headers["x-amz-sns-subscription-arn"] == arn
    document = json.loads(request.body)
    assert document["Type"] == "UnsubscribeConfirmation"
    assert document["TopicArn"] == topic
    # It names the deleted subscription, not the topic (developer guide's example).
    assert document["Message"] == (
        f"You have chosen to deactivate subscription {arn}.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
    )
    assert aws.sns.verify(document)


@pytest.mark.parametrize(
    "policy",
    [
        {"healthyRetryPolicy": {"backoffFunction": "random"}},
        {"healthyRetryPolicy": {"numRetries": 2, "numNoDelayRetries": 3}},
        {"requestPolicy": {"headerContentType": "image/png"}},
    ],
)
def test_invalid_delivery_policies(sns: Any, make_topic: Callable[..., str], policy: dict[str, Any]) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(
            TopicArn=make_topic(), Protocol="https", Endpoint=URL, Attributes={"DeliveryPolicy": json.dumps(policy)}
        )


def test_a_pending_subscription_says_why_it_is_pending(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://nowhere.invalid/hook")
    sns.publish(TopicArn=topic, Message="hello")
    with pytest.raises(AssertionError) as caught:
        aws.deliveries.assert_delivered(to="https://nowhere.invalid/hook")
    assert "the subscription is pending confirmation: the SubscriptionConfirmation POST failed: unreachable" in str(
        caught.value
    )


def test_an_endpoint_that_confirms_through_boto3_while_sns_waits(
    aws: Cloud, sns: Any, make_topic: Callable[..., str]
) -> None:
    """The usual web handler: on SubscriptionConfirmation, call ConfirmSubscription with the token."""
    received: list[str] = []

    def webhook(request: HttpRequest) -> int:
        document = request.json()
        if document["Type"] == "SubscriptionConfirmation":
            sns.confirm_subscription(TopicArn=document["TopicArn"], Token=document["Token"])
        else:
            received.append(document["Message"])
        return 200

    aws.sns.http_endpoint(URL, webhook)
    topic = make_topic()
    assert sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)["SubscriptionArn"] == "pending confirmation"
    sns.publish(TopicArn=topic, Message="hello")
    assert received == ["hello"]
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"] != (
        "PendingConfirmation"
    )


@responses.activate
def test_a_responses_callback_can_confirm_too(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    def confirm(request: Any) -> tuple[int, dict[str, str], str]:
        document = json.loads(request.body)
        if document["Type"] == "SubscriptionConfirmation":
            aws.sns.visit(document["SubscribeURL"])
        return 200, {}, ""

    responses.add_callback(responses.POST, URL, callback=confirm)
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL)
    sns.publish(TopicArn=topic, Message="hello")
    assert json.loads(list[Any](responses.calls)[-1].request.body)["Message"] == "hello"


@pytest.mark.parametrize(
    ("function", "gaps"),
    [
        ("linear", [0.0, 3.5, 5.0, 6.5, 8.0]),
        ("arithmetic", [0.0, 2.6, 3.8, 5.6, 8.0]),
        ("geometric", [0.0, 2.828, 4.0, 5.657, 8.0]),
        ("exponential", [0.0, 2.4, 3.2, 4.8, 8.0]),
    ],
)
def test_backoff_functions_rise_from_min_to_max_delay(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], function: str, gaps: list[float]
) -> None:
    # Frozen: the publish and its immediate retry read one instant, so the gaps are exact
    # (unfrozen, real time slips in between them and the first gaps come out a millisecond off).
    aws.clock.freeze("2024-01-01T00:00:00Z")
    times: list[float] = []

    def down(request: HttpRequest) -> int:
        times.append(aws.clock.now())
        return 503

    aws.sns.http_endpoint(URL, down, auto_confirm=True)
    topic = make_topic()
    policy = {
        "healthyRetryPolicy": {
            "numRetries": 5,
            "numNoDelayRetries": 1,
            "minDelayTarget": 2,
            "maxDelayTarget": 8,
            "backoffFunction": function,
        }
    }
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL, Attributes={"DeliveryPolicy": json.dumps(policy)})
    sns.publish(TopicArn=topic, Message="hello")
    aws.clock.run_until_idle()
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == gaps
    assert aws.deliveries.publications[0].deliveries[0].status == "failed"


def test_a_delivery_policy_changed_between_retries_governs_the_next_ones(
    aws: Cloud, sns: Any, make_topic: Callable[..., str]
) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")
    times: list[float] = []

    def down(request: HttpRequest) -> int:
        times.append(aws.clock.now())
        return 503

    aws.sns.http_endpoint(URL, down, auto_confirm=True)
    topic = make_topic()
    sub = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=URL, ReturnSubscriptionArn=True)
    sns.publish(TopicArn=topic, Message="hello")  # fails; the first retry is due in 20 s
    faster = {"healthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 5, "maxDelayTarget": 5}}
    sns.set_subscription_attributes(
        SubscriptionArn=sub["SubscriptionArn"], AttributeName="DeliveryPolicy", AttributeValue=json.dumps(faster)
    )
    aws.clock.run_until_idle()
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == [20.0, 5.0, 5.0, 5.0, 5.0]
    headers = aws.sns.http_requests(URL)[-1].headers
    topic_policy = {"http": {"defaultRequestPolicy": {"headerContentType": "application/json"}}}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(topic_policy))
    sns.publish(TopicArn=topic, Message="again")
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert aws.sns.http_requests(URL)[-1].headers["Content-Type"] == "application/json"
