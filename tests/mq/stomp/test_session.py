"""A STOMP session against the broker's state, sans-IO: connecting, receipts, errors, queues and topics."""

from __future__ import annotations

import pytest

from pytest_awsmsg import Cloud

from .fakes import PASSWORD, USER, Amq, Client


@pytest.fixture
def amq(aws: Cloud) -> Amq:
    return Amq(aws)


def test_connected_names_the_server_session_version_and_heart_beat(aws: Cloud, amq: Amq) -> None:
    client = amq.client()
    other = amq.client("1.0,1.1", **{"heart-beat": "4000,10000"})
    assert other.session.version == "1.1"
    state = amq.state
    first = state.connection_id(1)
    assert first.startswith(f"ID:{amq.broker.id}-1.mq.us-east-1.amazonaws.com-")
    assert client.session.client_id.endswith(":1")
    assert other.session.client_id.endswith(":2")


@pytest.mark.parametrize(("accept", "version"), [(None, "1.0"), ("1.0", "1.0"), ("1.1", "1.1"), ("1.0,1.2,1.1", "1.2")])
def test_the_highest_common_version_is_chosen(amq: Amq, accept: str | None, version: str) -> None:
    client = Client(amq.aws, amq.broker, amq.state)
    headers = {"login": USER, "passcode": PASSWORD, "heart-beat": "5000,0"}
    if accept is not None:
        headers["accept-version"] = accept
    (connected,) = client.send("CONNECT", **headers)
    assert connected.command == "CONNECTED"
    assert connected.header_dict() == {
        "server": "ActiveMQ/5.18.4",
        "heart-beat": "0,5000",
        "session": client.session.connection_id,
        "version": version,
    }


def test_no_common_version_is_an_error_and_the_connection_closes(amq: Amq) -> None:
    client = Client(amq.aws, amq.broker, amq.state)
    (error,) = client.send("CONNECT", **{"accept-version": "2.0", "login": USER, "passcode": PASSWORD})
    assert error.command == "ERROR"
    assert error.get("message") == "Invalid Protocol version[2.0], supported versions are: [1.2, 1.1, 1.0]"
    assert client.transport.closed


@pytest.mark.parametrize("passcode", ["wrong", None])
def test_a_wrong_password_is_refused_as_activemq_refuses_it(amq: Amq, passcode: str | None) -> None:
    client = Client(amq.aws, amq.broker, amq.state)
    headers = {"accept-version": "1.2", "login": USER}
    if passcode is not None:
        headers["passcode"] = passcode
    (error,) = client.send("CONNECT", **headers)
    assert error.command == "ERROR"
    assert error.get("message") == "User name [admin] or password is invalid."
    assert error.get("content-type") == "text/plain"
    assert error.body == b"User name [admin] or password is invalid."
    assert client.transport.closed
    assert amq.state.sessions == []
    # Nothing more is read from a closed connection.
    assert client.send("SEND", "x", destination="/queue/a") == []


def test_frames_before_connect_are_refused_without_closing(amq: Amq) -> None:
    client = Client(amq.aws, amq.broker, amq.state)
    (error,) = client.send("SEND", "x", destination="/queue/a")
    assert (error.command, error.get("message")) == ("ERROR", "Not connected.")
    assert not client.transport.closed
    assert amq.state.queues == {}


def test_a_receipt_follows_the_frame_and_disconnect_closes_after_its_receipt(amq: Amq) -> None:
    client = amq.client()
    (receipt,) = client.send("SEND", "x", destination="/queue/a", receipt="r-1")
    assert (receipt.command, receipt.header_dict()) == ("RECEIPT", {"receipt-id": "r-1"})
    (bye,) = client.send("DISCONNECT", receipt="bye")
    assert bye.get("receipt-id") == "bye"
    assert client.transport.closed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"FOO\n\n\0", "Unknown STOMP action: FOO"),
        (
            b"SEND\ndestination:/queue/a\ncontent-length:104857601\n\n",
            "Specified content-length exceeded max frame size",
        ),
        (b"SEND\nbad header\n\n\0", "Unable to parse header line [bad header]"),
    ],
)
def test_bad_frames_get_an_error_frame_then_the_connection_closes(amq: Amq, data: bytes, message: str) -> None:
    client = amq.client()
    (error,) = client.raw(data)
    assert (error.command, error.get("message")) == ("ERROR", message)
    assert client.transport.closed
    assert amq.state.sessions == []


def test_a_non_fatal_error_keeps_the_connection_and_names_the_receipt(amq: Amq) -> None:
    client = amq.client()
    (error,) = client.send("SEND", "x", receipt="r-9")
    assert error.command == "ERROR"
    assert error.get("receipt-id") == "r-9"
    assert error.get("message") == "SEND received without a Destination specified!"
    assert (
        error.body
        == b"org.apache.activemq.transport.stomp.ProtocolException: " + str(error.get("message")).encode() + b"\n"
    )
    assert not client.transport.closed
    assert client.send("SEND", "x", destination="/queue/orders", receipt="r-10")[0].command == "RECEIPT"


def test_a_queue_message_reaches_a_subscriber_with_activemq_headers(aws: Cloud, amq: Amq) -> None:
    aws.clock.freeze("2026-01-02T03:04:05Z")
    producer = amq.client()
    producer.send("SEND", "hello", destination="/queue/orders", persistent="true", priority="7", color="red")
    consumer = amq.client()
    (message,) = consumer.send("SUBSCRIBE", destination="/queue/orders", id="s1", ack="client-individual")
    assert message.command == "MESSAGE"
    assert message.body == b"hello"
    prefix = producer.session.connection_id.rsplit("-", 1)[0]
    assert message.headers == [
        ("expires", "0"),
        ("color", "red"),
        ("destination", "/queue/orders"),
        ("ack", f"{prefix}-2:1"),
        ("subscription", "s1"),
        ("priority", "7"),
        ("message-id", f"{producer.session.connection_id}:-1:1:1"),
        ("persistent", "true"),
        ("timestamp", "1767323045000"),
    ]


def test_a_message_sent_with_content_length_comes_back_with_it_and_any_name_is_a_queue(amq: Amq) -> None:
    client = amq.client("1.1")
    client.raw(b"SEND\ndestination:orders\ncontent-length:3\n\na\0b\0")
    (message,) = client.send("SUBSCRIBE", destination="/queue/orders", id="s", ack="client")
    assert message.body == b"a\0b"
    assert message.headers[:2] == [("content-length", "3"), ("expires", "0")]
    assert message.get("ack") is None  # 1.1 acknowledges by message-id


def test_queue_consumers_take_turns_and_topic_subscribers_all_get_a_copy(amq: Amq) -> None:
    a, b, producer = amq.client(), amq.client(), amq.client()
    a.send("SUBSCRIBE", destination="/queue/q", id="1")
    b.send("SUBSCRIBE", destination="/queue/q", id="1")
    a.send("SUBSCRIBE", destination="/topic/t", id="2")
    b.send("SUBSCRIBE", destination="/topic/t", id="2")
    for n in range(4):
        producer.send("SEND", f"q{n}", destination="/queue/q")
    producer.send("SEND", "t", destination="/topic/t")
    assert [f.body for f in a.frames()] == [b"q0", b"q2", b"t"]
    assert [f.body for f in b.frames()] == [b"q1", b"q3", b"t"]


def test_messages_wait_in_a_queue_until_a_consumer_comes_and_topics_keep_nothing(amq: Amq) -> None:
    producer = amq.client()
    producer.send("SEND", "kept", destination="/queue/q")
    producer.send("SEND", "lost", destination="/topic/t")
    consumer = amq.client()
    assert [f.body for f in consumer.send("SUBSCRIBE", destination="/topic/t", id="t")] == []
    assert [f.body for f in consumer.send("SUBSCRIBE", destination="/queue/q", id="q")] == [b"kept"]


def test_prefetch_bounds_unacked_messages_and_client_ack_is_cumulative(amq: Amq) -> None:
    producer = amq.client()
    for n in range(5):
        producer.send("SEND", str(n), destination="/queue/q")
    consumer = amq.client("1.1")
    got = consumer.send("SUBSCRIBE", destination="/queue/q", id="s", ack="client", **{"activemq.prefetchSize": "2"})
    assert [f.body for f in got] == [b"0", b"1"]
    second = got[1].get("message-id")
    more = consumer.send("ACK", subscription="s", **{"message-id": str(second)})
    assert [f.body for f in more] == [b"2", b"3"]  # both acknowledged at once: two more fit


def test_client_individual_acks_one_message(amq: Amq) -> None:
    producer = amq.client()
    for n in range(3):
        producer.send("SEND", str(n), destination="/queue/q")
    consumer = amq.client()
    got = consumer.send(
        "SUBSCRIBE", destination="/queue/q", id="s", ack="client-individual", **{"activemq.prefetchSize": "2"}
    )
    more = consumer.send("ACK", id=str(got[1].get("ack")))
    assert [f.body for f in more] == [b"2"]
    assert [m.body for m in amq.state.queue("q").messages] == []
    assert list(consumer.session.consumers["s"].unacked) == [got[0].get("message-id"), more[0].get("message-id")]


def test_an_unknown_ack_is_an_error_that_keeps_the_connection(amq: Amq) -> None:
    client = amq.client()
    (error,) = client.send("ACK", id="nope")
    assert error.get("message") == "Unexpected ACK received for message-id [null]"  # as ActiveMQ words it
    assert not client.transport.closed


def test_unsubscribe_returns_unacked_messages_redelivered(amq: Amq) -> None:
    producer = amq.client()
    producer.send("SEND", "m", destination="/queue/q")
    first = amq.client()
    (message,) = first.send("SUBSCRIBE", destination="/queue/q", id="s", ack="client")
    assert message.get("redelivered") is None
    first.send("UNSUBSCRIBE", id="s")
    second = amq.client()
    (again,) = second.send("SUBSCRIBE", destination="/queue/q", id="s", ack="client")
    assert again.get("redelivered") == "true"
    assert again.get("message-id") == message.get("message-id")
    (error,) = first.send("UNSUBSCRIBE", id="s")
    assert error.get("message") == "No subscription matched."
