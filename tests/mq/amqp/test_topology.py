"""Exchanges, queues and bindings as RabbitMQ 3.x has them, and its channel errors when they are misused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pika
import pika.exceptions
import pytest

from pytest_awsmsg import Cloud

Connect = Callable[..., pika.BlockingConnection]


def closed_by(channel: Any, call: Callable[[], object]) -> tuple[int, str]:
    """The channel error RabbitMQ answers ``call`` with: (reply code, reply text)."""
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        call()
    assert channel.is_closed
    return closed.value.reply_code, closed.value.reply_text


def bodies(channel: Any, queue: str) -> list[bytes]:
    out: list[bytes] = []
    while True:
        method, _, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return out
        out.append(body)


def test_each_exchange_type_routes_as_rabbitmq_does(channel: Any) -> None:
    for kind in ("direct", "fanout", "topic", "headers"):
        channel.exchange_declare(f"x.{kind}", kind)
    for queue in ("a", "b"):
        channel.queue_declare(queue)
    channel.queue_bind("a", "x.direct", "eu")
    channel.queue_bind("a", "x.fanout")
    channel.queue_bind("b", "x.fanout")
    channel.queue_bind("a", "x.topic", "orders.*.created")
    channel.queue_bind("b", "x.topic", "orders.#")
    channel.queue_bind("a", "x.headers", arguments={"x-match": "all", "kind": "order", "region": "eu"})
    channel.queue_bind("b", "x.headers", arguments={"x-match": "any", "kind": "order", "region": "eu"})

    def publish(exchange: str, key: str, body: str, headers: dict[str, Any] | None = None) -> None:
        channel.basic_publish(exchange, key, body.encode(), pika.BasicProperties(headers=headers))

    publish("x.direct", "eu", "direct-eu")
    publish("x.direct", "us", "direct-us")
    publish("x.fanout", "anything", "fanout")
    publish("x.topic", "orders.eu.created", "topic-1")
    publish("x.topic", "orders", "topic-2")  # '#' matches zero words
    publish("x.topic", "orders.eu.created.late", "topic-3")
    publish("x.headers", "", "headers-both", {"kind": "order", "region": "eu"})
    publish("x.headers", "", "headers-one", {"kind": "order", "region": "us"})
    publish("", "a", "default")
    assert bodies(channel, "a") == [b"direct-eu", b"fanout", b"topic-1", b"headers-both", b"default"]
    assert bodies(channel, "b") == [b"fanout", b"topic-1", b"topic-2", b"topic-3", b"headers-both", b"headers-one"]


def test_exchange_to_exchange_bindings_and_unbinding(channel: Any) -> None:
    channel.exchange_declare("events", "topic")
    channel.exchange_declare("audit", "fanout")
    channel.queue_declare("log")
    channel.exchange_bind("audit", "events", "orders.#")
    channel.queue_bind("log", "audit")
    channel.basic_publish("events", "orders.created", b"1")
    channel.basic_publish("events", "users.created", b"2")
    channel.exchange_unbind("audit", "events", "orders.#")
    channel.basic_publish("events", "orders.created", b"3")
    assert bodies(channel, "log") == [b"1"]


def test_predeclared_exchanges_and_the_default_one_refuse_what_rabbitmq_refuses(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    for name in ("amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"):
        channel.exchange_declare(name, passive=True)
    assert closed_by(channel, lambda: channel.exchange_declare("amq.orders", "direct")) == (
        403,
        "ACCESS_REFUSED - exchange name 'amq.orders' contains reserved prefix 'amq.*'",
    )
    channel = connection.channel()
    channel.queue_declare("q")
    assert closed_by(channel, lambda: channel.queue_bind("q", "")) == (
        403,
        "ACCESS_REFUSED - operation not permitted on the default exchange",
    )
    channel = connection.channel()
    channel.exchange_declare("amq.direct", "direct", durable=True)  # an existing one declares as any other
    assert closed_by(channel, lambda: channel.exchange_delete("amq.direct")) == (
        403,
        "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
    )
    channel = connection.channel()
    assert closed_by(channel, lambda: channel.queue_declare("amq.q")) == (
        403,
        "ACCESS_REFUSED - queue name 'amq.q' contains reserved prefix 'amq.*'",
    )


def test_declaring_again_with_other_properties_is_a_precondition_failure(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    channel.exchange_declare("orders", "direct")
    channel.exchange_declare("orders", "direct")  # the same again is fine
    assert closed_by(channel, lambda: channel.exchange_declare("orders", "fanout")) == (
        406,
        "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'orders' in vhost '/': "
        "received 'fanout' but current is 'direct'",
    )
    channel = connection.channel()
    channel.queue_declare("jobs", durable=True)
    assert closed_by(channel, lambda: channel.queue_declare("jobs", durable=False)) == (
        406,
        "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'jobs' in vhost '/': "
        "received 'false' but current is 'true'",
    )
    channel = connection.channel()
    channel.queue_declare("ttl", arguments={"x-message-ttl": 1000})
    assert closed_by(channel, lambda: channel.queue_declare("ttl", arguments={"x-message-ttl": 2000})) == (
        406,
        "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'ttl' in vhost '/': "
        "received '2000' but current is '1000'",
    )


def test_passive_declares_of_missing_things_are_not_found(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    assert closed_by(channel, lambda: channel.queue_declare("missing", passive=True)) == (
        404,
        "NOT_FOUND - no queue 'missing' in vhost '/'",
    )
    channel = connection.channel()
    assert closed_by(channel, lambda: channel.exchange_declare("missing", passive=True)) == (
        404,
        "NOT_FOUND - no exchange 'missing' in vhost '/'",
    )
    channel = connection.channel()
    assert closed_by(channel, lambda: channel.basic_publish("missing", "k", b"x") or channel.basic_get("q0")) == (
        404,
        "NOT_FOUND - no exchange 'missing' in vhost '/'",
    )
    channel = connection.channel()
    channel.queue_declare("q")
    assert closed_by(channel, lambda: channel.queue_bind("q", "missing")) == (
        404,
        "NOT_FOUND - no exchange 'missing' in vhost '/'",
    )


def test_server_named_queues_are_amq_gen_names_fixed_by_the_seed(channel: Any, aws: Cloud) -> None:
    first = channel.queue_declare("", exclusive=True).method.queue
    second = channel.queue_declare("", exclusive=True).method.queue
    assert first.startswith("amq.gen-")
    assert len(first) == len("amq.gen-") + 22
    assert first != second
    # The same seed and the same calls name them the same: ids come from the cloud's seed.
    from pytest_awsmsg.services.mq.amqp.broker import RabbitBroker

    state = aws.mq.broker("events").engine_state("amqp")
    assert isinstance(state, RabbitBroker)
    again = RabbitBroker(state.broker, aws)
    assert again.generated_name("amq.gen-") == first


def test_exclusive_queues_belong_to_their_connection_and_go_with_it(connect: Connect) -> None:
    owner = connect()
    owner.channel().queue_declare("mine", exclusive=True)
    other = connect().channel()
    code, text = closed_by(other, lambda: other.queue_declare("mine"))
    assert code == 405
    assert text.startswith("RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'mine' in vhost '/'")
    owner.close()
    checker = connect().channel()
    assert closed_by(checker, lambda: checker.queue_declare("mine", passive=True))[0] == 404


def test_auto_delete_queues_go_when_their_last_consumer_does(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("temp", auto_delete=True)
    tag = channel.basic_consume("temp", lambda *args: None)
    assert channel.queue_declare("temp", passive=True, auto_delete=True).method.consumer_count == 1
    channel.basic_cancel(tag)
    assert closed_by(channel, lambda: channel.queue_declare("temp", passive=True))[0] == 404


def test_quorum_and_classic_queue_types_are_accepted_with_rabbitmqs_rules(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("q1", durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_declare("c1", arguments={"x-queue-type": "classic"})
    channel.queue_declare("c1")  # classic is what no x-queue-type means
    assert closed_by(channel, lambda: channel.queue_declare("q2", arguments={"x-queue-type": "quorum"})) == (
        406,
        "PRECONDITION_FAILED - invalid property 'non-durable' for queue 'q2' in vhost '/'",
    )
    channel = connection.channel()
    code, text = closed_by(channel, lambda: channel.queue_declare("bad", arguments={"x-message-ttl": -1}))
    assert code == 406
    assert text.startswith("PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'bad' in vhost '/'")


def test_purge_and_delete_with_if_unused_and_if_empty(connect: Connect) -> None:
    connection = connect()
    channel = connection.channel()
    channel.queue_declare("jobs")
    for n in range(3):
        channel.basic_publish("", "jobs", str(n).encode())
    assert channel.queue_purge("jobs").method.message_count == 3
    channel.basic_publish("", "jobs", b"left")
    assert closed_by(channel, lambda: channel.queue_delete("jobs", if_empty=True)) == (
        406,
        "PRECONDITION_FAILED - queue 'jobs' in vhost '/' not empty",
    )
    channel = connection.channel()
    tag = channel.basic_consume("jobs", lambda *args: None, auto_ack=False)
    busy = connection.channel()
    assert closed_by(busy, lambda: busy.queue_delete("jobs", if_unused=True)) == (
        406,
        "PRECONDITION_FAILED - queue 'jobs' in vhost '/' in use",
    )
    channel.basic_cancel(tag)
    channel.basic_recover(requeue=True)
    assert channel.queue_delete("jobs").method.message_count == 1
    assert channel.queue_delete("jobs").method.message_count == 0  # deleting what is gone succeeds


def test_an_unknown_exchange_type_closes_the_connection(connect: Connect) -> None:
    channel = connect().channel()
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker) as closed:
        channel.exchange_declare("orders", "nonsense")
    assert (closed.value.reply_code, closed.value.reply_text) == (
        503,
        "COMMAND_INVALID - unknown exchange type 'nonsense'",
    )
