"""Publishing, confirms, getting, consuming, acknowledging, dead-lettering and TTL in virtual time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pika
import pika.exceptions
import pytest

from pytest_awsmsg import Cloud

Connect = Callable[..., pika.BlockingConnection]


def deliveries(connection: pika.BlockingConnection, channel: Any, queue: str, count: int, **consume: Any) -> list[Any]:
    """The next ``count`` deliveries of a consumer on ``queue`` (bounded real wait for the socket)."""
    got: list[Any] = []
    channel.basic_consume(queue, lambda ch, method, props, body: got.append((method, props, body)), **consume)
    for _ in range(50):
        if len(got) >= count:
            break
        connection.process_data_events(time_limit=0.1)
    return got


def test_mandatory_unroutable_messages_come_back_with_no_route(channel: Any) -> None:
    channel.confirm_delivery()
    with pytest.raises(pika.exceptions.UnroutableError) as returned:
        channel.basic_publish("amq.direct", "nobody", b"lost", mandatory=True)
    (message,) = returned.value.messages
    assert (message.method.reply_code, message.method.reply_text) == (312, "NO_ROUTE")
    assert (message.method.exchange, message.method.routing_key, message.body) == ("amq.direct", "nobody", b"lost")
    channel.basic_publish("amq.direct", "nobody", b"dropped")  # not mandatory: confirmed and dropped


def test_publisher_confirms_ack_and_a_full_reject_publish_queue_nacks(channel: Any) -> None:
    channel.queue_declare("small", arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    channel.confirm_delivery()
    channel.basic_publish("", "small", b"1")
    with pytest.raises(pika.exceptions.NackError):
        channel.basic_publish("", "small", b"2")
    assert channel.queue_declare("small", passive=True).method.message_count == 1


def test_get_get_empty_and_message_properties_survive_the_trip(channel: Any) -> None:
    channel.queue_declare("jobs")
    properties = pika.BasicProperties(
        content_type="application/json", headers={"attempt": 1}, correlation_id="c-1", delivery_mode=2
    )
    channel.basic_publish("", "jobs", b'{"n": 1}', properties)
    channel.basic_publish("", "jobs", b'{"n": 2}')
    method, got, body = channel.basic_get("jobs")
    assert (method.delivery_tag, method.redelivered, method.message_count) == (1, False, 1)
    assert (got.content_type, got.headers, got.correlation_id, got.delivery_mode) == (
        "application/json",
        {"attempt": 1},
        "c-1",
        2,
    )
    assert body == b'{"n": 1}'
    channel.basic_ack(method.delivery_tag)
    assert channel.basic_get("jobs", auto_ack=True)[2] == b'{"n": 2}'
    assert channel.basic_get("jobs") == (None, None, None)


def test_prefetch_limits_what_is_in_flight_until_acked(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("work")
    for n in range(6):
        channel.basic_publish("", "work", str(n).encode())
    channel.basic_qos(prefetch_count=2)
    got = deliveries(connection, channel, "work", 2, consumer_tag="worker-1")
    connection.process_data_events(time_limit=0.2)
    assert [body for _, _, body in got] == [b"0", b"1"]  # two in flight, no more until acked
    assert got[0][0].consumer_tag == "worker-1"
    channel.basic_ack(got[1][0].delivery_tag, multiple=True)
    connection.process_data_events(time_limit=0.2)
    assert [body for _, _, body in got] == [b"0", b"1", b"2", b"3"]


def test_consumers_of_one_queue_take_turns(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("work")
    got: list[tuple[str, bytes]] = []
    for tag in ("a", "b"):
        channel.basic_consume("work", lambda ch, m, p, body: got.append((m.consumer_tag, body)), True, consumer_tag=tag)
    for n in range(4):
        channel.basic_publish("", "work", str(n).encode())
    for _ in range(50):
        if len(got) == 4:
            break
        connection.process_data_events(time_limit=0.1)
    assert got == [("a", b"0"), ("b", b"1"), ("a", b"2"), ("b", b"3")]


def test_nack_with_requeue_redelivers_in_place_and_unknown_tags_are_precondition_failures(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("jobs")
    for n in range(3):
        channel.basic_publish("", "jobs", str(n).encode())
    first = channel.basic_get("jobs")[0]
    channel.basic_nack(first.delivery_tag, requeue=True)
    method, _, body = channel.basic_get("jobs")
    assert (body, method.redelivered) == (b"0", True)
    channel.basic_reject(method.delivery_tag, requeue=True)
    channel.basic_ack(99)  # asynchronous: the error comes back on the next synchronous call
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        channel.basic_get("jobs")
    assert (closed.value.reply_code, closed.value.reply_text) == (406, "PRECONDITION_FAILED - unknown delivery tag 99")


def test_unacked_messages_return_redelivered_when_their_channel_or_connection_closes(connect: Connect) -> None:
    first = connect()
    channel = first.channel()
    channel.queue_declare("jobs", durable=True)
    channel.basic_publish("", "jobs", b"job")
    assert channel.basic_get("jobs")[2] == b"job"
    channel.close()
    again = first.channel()
    method, _, body = again.basic_get("jobs")
    assert (body, method.redelivered) == (b"job", True)
    first.close()
    method, _, body = connect().channel().basic_get("jobs", auto_ack=True)
    assert (body, method.redelivered) == (b"job", True)


def test_rejected_messages_are_dead_lettered_with_rabbitmqs_x_death(channel: Any, aws: Cloud) -> None:
    aws.clock.freeze("2026-05-01T12:00:00Z")
    channel.exchange_declare("dlx", "fanout")
    channel.queue_declare("dead")
    channel.queue_bind("dead", "dlx")
    channel.queue_declare("jobs", arguments={"x-dead-letter-exchange": "dlx"})
    channel.exchange_declare("orders", "direct")
    channel.queue_bind("jobs", "orders", "created")
    channel.basic_publish("orders", "created", b"bad", pika.BasicProperties(headers={"trace": "t-1"}))
    method = channel.basic_get("jobs")[0]
    channel.basic_reject(method.delivery_tag, requeue=False)
    dead, properties, body = channel.basic_get("dead", auto_ack=True)
    assert body == b"bad"
    assert (dead.exchange, dead.routing_key, dead.redelivered) == ("dlx", "created", False)
    assert properties.headers["trace"] == "t-1"
    assert properties.headers["x-death"] == [
        {
            "count": 1,
            "reason": "rejected",
            "queue": "jobs",
            "time": datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc),
            "exchange": "orders",
            "routing-keys": ["created"],
        }
    ]
    assert properties.headers["x-first-death-reason"] == "rejected"
    assert properties.headers["x-first-death-queue"] == "jobs"
    assert properties.headers["x-first-death-exchange"] == "orders"


def test_queue_ttl_expires_messages_in_virtual_time_to_the_dead_letter_queue(channel: Any, aws: Cloud) -> None:
    channel.queue_declare("retry", arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "work"})
    channel.queue_declare(
        "delay", arguments={"x-message-ttl": 30_000, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "work"}
    )
    channel.queue_declare("work")
    channel.confirm_delivery()  # the broker has the message before the clock moves (publishing is asynchronous)
    channel.basic_publish("", "delay", b"later")
    aws.clock.advance(seconds=29)
    assert channel.basic_get("work") == (None, None, None)
    aws.clock.advance(seconds=1)
    _, properties, body = channel.basic_get("work", auto_ack=True)
    assert body == b"later"
    (death,) = properties.headers["x-death"]
    assert (death["reason"], death["queue"], death["count"]) == ("expired", "delay", 1)


def test_per_message_expiration_and_original_expiration_in_x_death(channel: Any, aws: Cloud) -> None:
    channel.queue_declare("dead")
    channel.queue_declare("jobs", arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "dead"})
    channel.confirm_delivery()
    channel.basic_publish("", "jobs", b"short", pika.BasicProperties(expiration="5000"))
    channel.basic_publish("", "jobs", b"forever")
    aws.clock.advance(seconds=5)
    _, properties, body = channel.basic_get("dead", auto_ack=True)
    assert body == b"short"
    assert properties.expiration is None
    assert properties.headers["x-death"][0]["original-expiration"] == "5000"
    assert channel.basic_get("jobs", auto_ack=True)[2] == b"forever"


def test_a_message_expires_only_at_the_head_of_its_queue_as_in_rabbitmq(channel: Any, aws: Cloud) -> None:
    channel.queue_declare("jobs")
    channel.confirm_delivery()
    channel.basic_publish("", "jobs", b"long", pika.BasicProperties(expiration="60000"))
    channel.basic_publish("", "jobs", b"short", pika.BasicProperties(expiration="1000"))
    aws.clock.advance(seconds=2)
    assert channel.queue_declare("jobs", passive=True).method.message_count == 2
    aws.clock.advance(seconds=60)
    assert channel.queue_declare("jobs", passive=True).method.message_count == 0


def test_an_invalid_expiration_is_a_precondition_failure(channel: Any) -> None:
    channel.queue_declare("jobs")
    channel.basic_publish("", "jobs", b"x", pika.BasicProperties(expiration="soon"))
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        channel.basic_get("jobs")
    assert (closed.value.reply_code, closed.value.reply_text) == (
        406,
        "PRECONDITION_FAILED - invalid expiration 'soon': no_integer",
    )


def test_max_length_drops_the_oldest_to_the_dead_letter_exchange(channel: Any) -> None:
    channel.queue_declare("dead")
    channel.queue_declare(
        "recent", arguments={"x-max-length": 2, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "dead"}
    )
    for n in range(4):
        channel.basic_publish("", "recent", str(n).encode())
    assert [channel.basic_get("recent", auto_ack=True)[2] for _ in range(2)] == [b"2", b"3"]
    _, properties, body = channel.basic_get("dead", auto_ack=True)
    assert (body, properties.headers["x-death"][0]["reason"]) == (b"0", "maxlen")


def test_a_queue_with_x_expires_goes_after_that_long_unused(connect: Connect, aws: Cloud) -> None:
    channel = connect().channel()
    channel.queue_declare("session", arguments={"x-expires": 60_000})
    aws.clock.advance(seconds=59)
    channel.queue_declare("session", passive=True)  # using it starts the countdown again
    aws.clock.advance(seconds=59)
    channel.queue_declare("session", passive=True)
    aws.clock.advance(seconds=61)
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        channel.queue_declare("session", passive=True)
    assert closed.value.reply_code == 404


def test_transactions_publish_and_ack_at_commit_only(channel: Any) -> None:
    channel.queue_declare("jobs")
    channel.tx_select()
    channel.basic_publish("", "jobs", b"a")
    assert channel.queue_declare("jobs", passive=True).method.message_count == 0
    channel.tx_commit()
    assert channel.queue_declare("jobs", passive=True).method.message_count == 1
    channel.basic_publish("", "jobs", b"b")
    channel.tx_rollback()
    method = channel.basic_get("jobs")[0]
    channel.basic_ack(method.delivery_tag)
    channel.tx_rollback()  # the ack is undone: the message is still unacked
    channel.tx_commit()
    assert channel.queue_declare("jobs", passive=True).method.message_count == 0
