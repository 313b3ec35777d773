"""Connecting as to RabbitMQ: the handshake, logins, and what a broken client gets (never a crash)."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pika
import pika.exceptions
import pytest
from pamqp import body, commands, encode, frame, heartbeat

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.mq.amqp.framing import PROTOCOL_HEADER

from ..brokers import PASSWORD, USER
from .conftest import Address, RawClient, content_header, parameters

Connect = Callable[..., pika.BlockingConnection]


def test_pika_connects_and_sees_rabbitmqs_server_properties_and_tuning(connect: Connect, aws: Cloud) -> None:
    connection = connect()
    impl = connection._impl
    properties = impl.server_properties
    assert properties["product"] == b"RabbitMQ" or properties["product"] == "RabbitMQ"
    assert properties["capabilities"]["publisher_confirms"] is True
    assert properties["capabilities"]["authentication_failure_close"] is True
    assert impl.params.frame_max == 131072
    assert impl.params.channel_max == 2047
    assert impl.params.heartbeat == 60
    (view,) = aws.mq.broker("events").connections
    assert view.username == USER


def test_start_offers_plain_and_amqplain_and_amqplain_logs_in(raw: RawClient) -> None:
    raw.send(PROTOCOL_HEADER)
    start = raw.expect(commands.Connection.Start)
    assert (start.version_major, start.version_minor) == (0, 9)
    assert start.mechanisms.split() == ["PLAIN", "AMQPLAIN"]
    assert start.locales == "en_US"
    table = encode.field_table({"LOGIN": USER, "PASSWORD": PASSWORD})[4:]  # AMQPLAIN: a table without its length
    raw.send_method(0, commands.Connection.StartOk({}, "AMQPLAIN", table.decode("latin-1")))
    # pamqp encodes the response as UTF-8 text: the table is ASCII here, so the bytes are the same.
    raw.expect(commands.Connection.Tune)


def test_a_wrong_password_is_refused_with_access_refused(address: Address) -> None:
    with pytest.raises(pika.exceptions.ProbableAuthenticationError) as refused:
        pika.BlockingConnection(parameters(address, password="wrong"))
    assert "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN" in str(refused.value)


def test_a_client_that_did_not_ask_to_be_told_is_just_hung_up_on(raw: RawClient) -> None:
    raw.send(PROTOCOL_HEADER)
    raw.expect(commands.Connection.Start)
    raw.send_method(0, commands.Connection.StartOk({}, "PLAIN", f"\0{USER}\0wrong"))
    assert raw.hung_up()


def test_an_unknown_mechanism_closes_the_connection(raw: RawClient) -> None:
    raw.send(PROTOCOL_HEADER)
    raw.expect(commands.Connection.Start)
    raw.send_method(0, commands.Connection.StartOk({}, "EXTERNAL", ""))
    close = raw.expect(commands.Connection.Close)
    assert (close.reply_code, close.reply_text) == (
        503,
        "COMMAND_INVALID - unknown authentication mechanism 'EXTERNAL'",
    )


def test_a_wrong_protocol_header_is_answered_with_amqp_0_9_1_and_a_hang_up(raw: RawClient) -> None:
    raw.send(b"AMQP\x01\x01\x00\x0a")  # AMQP 1.0
    assert raw.sock.recv(8) == b"AMQP\x00\x00\x09\x01"
    assert raw.hung_up()


def test_an_unknown_vhost_is_not_allowed(address: Address) -> None:
    with pytest.raises(pika.exceptions.ProbableAccessDeniedError) as closed:
        pika.BlockingConnection(parameters(address, virtual_host="orders"))
    assert "(530) 'NOT_ALLOWED - vhost orders not found'" in str(closed.value)


def test_a_frame_larger_than_frame_max_is_a_frame_error(raw: RawClient) -> None:
    raw.handshake()
    raw.send_method(1, commands.Channel.Open())
    raw.expect(commands.Channel.OpenOk)
    raw.send_method(1, commands.Basic.Publish(exchange="", routing_key="q"))
    raw.send(frame.marshal(content_header(200_000), 1))
    raw.send(frame.marshal(body.ContentBody(b"x" * 200_000), 1))
    close = raw.expect(commands.Connection.Close)
    assert close.reply_code == 501
    assert close.reply_text.startswith("FRAME_ERROR - ")
    assert raw.hung_up()


def test_a_bad_frame_end_an_unknown_method_and_undecodable_arguments_close_the_connection(
    address: Address,
) -> None:
    cases = [
        (struct.pack(">BHI", 1, 0, 4) + b"\x00\x0a\x00\x0b" + b"\x00", 501),  # frame end must be 0xCE
        (struct.pack(">BHI", 9, 0, 0) + b"\xce", 501),  # no such frame type
        (struct.pack(">BHI", 1, 1, 4) + b"\x00\x63\x00\x01" + b"\xce", 503),  # class 99 does not exist
        (struct.pack(">BHI", 1, 1, 6) + b"\x00\x32\x00\x0a\x00\x00" + b"\xce", 501),  # Queue.Declare cut short
    ]
    # RabbitMQ 3.10's texts (benchmarks/differential/amqp_vs_rabbitmq.py checks them against it)
    texts = [
        "FRAME_ERROR - type 1, all octets = <<0,10,0,11>>: {invalid_frame_end_marker,0}",
        "FRAME_ERROR - type 9, all octets = <<>>: unknown_frame",
        "COMMAND_INVALID - unknown method",
        "FRAME_ERROR - cannot decode <<0,0>>",
    ]
    for data, code in cases:
        client = RawClient(address)
        client.handshake()
        client.send_method(1, commands.Channel.Open())
        client.expect(commands.Channel.OpenOk)
        client.send(data)
        close = client.expect(commands.Connection.Close)
        assert close.reply_code == code, (data, close.reply_text)
        assert close.reply_text.startswith(texts.pop(0))
        client.send_method(0, commands.Connection.CloseOk())  # a stream that cannot be read is hung up at once
        assert client.hung_up()
        client.close()


def test_content_without_a_publish_and_a_method_inside_content_are_unexpected_frames(address: Address) -> None:
    stray = RawClient(address)
    stray.handshake()
    stray.send_method(1, commands.Channel.Open())
    stray.expect(commands.Channel.OpenOk)
    stray.send(frame.marshal(content_header(3), 1))
    close = stray.expect(commands.Connection.Close)
    assert (close.reply_code, close.reply_text) == (
        505,
        "UNEXPECTED_FRAME - expected method frame, got non method frame instead",
    )
    stray.close()

    interrupted = RawClient(address)
    interrupted.handshake()
    interrupted.send_method(1, commands.Channel.Open())
    interrupted.expect(commands.Channel.OpenOk)
    interrupted.send_method(1, commands.Basic.Publish(exchange="", routing_key="q"))
    interrupted.send_method(1, commands.Basic.Qos(prefetch_count=1))
    close = interrupted.expect(commands.Connection.Close)
    assert close.reply_code == 505
    assert "expected content header for class 60" in close.reply_text
    # The client says goodbye as the spec asks; the broker hangs up.
    interrupted.send_method(0, commands.Connection.CloseOk())
    assert interrupted.hung_up()
    interrupted.close()


def test_channels_open_close_and_a_second_open_is_a_channel_error(raw: RawClient) -> None:
    raw.handshake()
    raw.send_method(1, commands.Channel.Open())
    raw.expect(commands.Channel.OpenOk)
    raw.send_method(1, commands.Channel.Flow(active=True))
    assert raw.expect(commands.Channel.FlowOk).active is True
    raw.send_method(1, commands.Channel.Close(200, "bye", 0, 0))
    raw.expect(commands.Channel.CloseOk)
    raw.send_method(2, commands.Queue.Declare(queue="q"))
    close = raw.expect(commands.Connection.Close)
    assert (close.reply_code, close.reply_text) == (504, "CHANNEL_ERROR - expected 'channel.open'")
    assert (close.class_id, close.method_id) == (50, 10)
    raw.send_method(0, commands.Connection.CloseOk())
    assert raw.hung_up()


def test_frames_before_the_connection_is_open_are_refused(raw: RawClient) -> None:
    raw.send(PROTOCOL_HEADER)
    raw.expect(commands.Connection.Start)
    raw.send_method(1, commands.Channel.Open())
    close = raw.expect(commands.Connection.Close)
    assert close.reply_code == 503
    raw.send_method(0, commands.Connection.CloseOk())
    assert raw.hung_up()


def test_a_heartbeat_is_answered_and_the_connection_stays(raw: RawClient) -> None:
    raw.handshake(heartbeat=60)  # with heartbeats off (0), a heartbeat gets no answer, as from RabbitMQ
    raw.send(frame.marshal(heartbeat.Heartbeat(), 0))
    assert raw.read() is not None
    raw.send_method(0, commands.Connection.Close(200, "bye", 0, 0))
    raw.expect(commands.Connection.CloseOk)
    assert raw.hung_up()


def test_channel_flow_off_is_not_implemented_as_in_rabbitmq(connect: Connect) -> None:
    channel = connect().channel()
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker) as closed:
        channel.flow(False)
    assert (closed.value.reply_code, closed.value.reply_text) == (540, "NOT_IMPLEMENTED - active=false")


def test_tune_ok_outside_rabbitmqs_limits_is_not_allowed(raw: RawClient) -> None:
    raw.send(PROTOCOL_HEADER)
    raw.expect(commands.Connection.Start)
    raw.send_method(0, commands.Connection.StartOk({}, "PLAIN", f"\0{USER}\0{PASSWORD}"))
    raw.expect(commands.Connection.Tune)
    raw.send_method(0, commands.Connection.TuneOk(2047, 1024, 0))
    close = raw.expect(commands.Connection.Close)
    assert (close.reply_code, close.reply_text) == (530, "NOT_ALLOWED - frame_max=1024 < 4096 min size")
