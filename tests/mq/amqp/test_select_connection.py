"""pika's asynchronous SelectConnection against the kit's RabbitMQ: callbacks all the way, one ioloop."""

from __future__ import annotations

from typing import Any

import pika

from .conftest import Address, parameters


def test_select_connection_declares_publishes_with_confirms_and_consumes(address: Address) -> None:
    seen: list[Any] = []

    def on_open(connection: pika.SelectConnection) -> None:
        connection.channel(on_open_callback=on_channel)

    def on_channel(channel: Any) -> None:
        channel.confirm_delivery(lambda frame: seen.append(type(frame.method).__name__))
        channel.queue_declare("async", callback=lambda _: on_declared(channel))

    def on_declared(channel: Any) -> None:
        channel.basic_publish("", "async", b"hello")
        channel.basic_consume("async", lambda ch, method, props, body: on_message(ch, method, body))

    def on_message(channel: Any, method: Any, body: bytes) -> None:
        seen.append(body)
        channel.basic_ack(method.delivery_tag)
        channel.connection.close()

    connection = pika.SelectConnection(
        parameters(address),
        on_open_callback=on_open,
        on_open_error_callback=lambda _, error: seen.append(error),
        on_close_callback=lambda conn, reason: conn.ioloop.stop(),
    )
    timeout = connection.ioloop.call_later(10, connection.ioloop.stop)  # a bound on real time, if all else fails
    connection.ioloop.start()
    connection.ioloop.remove_timeout(timeout)
    connection.ioloop.close()  # its waker socket pair
    assert seen == ["Ack", b"hello"]
