"""The STOMP codec: what the specs say about framing, escaping and end-of-lines, and ActiveMQ's limits."""

from __future__ import annotations

import pytest

from pytest_awsmsg.services.mq.stomp.frames import MAX_HEADER_LENGTH, Decoder, Frame, FrameError, encode


def decode(data: bytes, version: str = "1.2") -> list[Frame]:
    decoder = Decoder()
    decoder.version = version
    return decoder.feed(data)


def test_a_frame_split_anywhere_decodes_the_same() -> None:
    data = b"SEND\ndestination:/queue/a\nreceipt:r1\n\nhello\0\n\nSEND\ndestination:/queue/b\n\n\0\n"
    whole = decode(data)
    for cut in range(1, len(data)):
        decoder = Decoder()
        decoder.version = "1.2"
        assert decoder.feed(data[:cut]) + decoder.feed(data[cut:]) == whole
    assert [(f.command, f.get("destination"), f.body) for f in whole] == [
        ("SEND", "/queue/a", b"hello"),
        ("SEND", "/queue/b", b""),
    ]


def test_content_length_lets_a_body_hold_nul_bytes() -> None:
    (frame,) = decode(b"SEND\ndestination:/queue/a\ncontent-length:3\n\na\0b\0")
    assert frame.body == b"a\0b"


def test_a_content_length_not_followed_by_nul_is_an_error() -> None:
    with pytest.raises(FrameError, match="no trailing null byte"):
        decode(b"SEND\ncontent-length:1\n\nab\0")


def test_heart_beats_between_frames_are_skipped_and_counted() -> None:
    decoder = Decoder()
    decoder.version = "1.2"
    assert decoder.feed(b"\n\r\n\n") == []
    assert [f.command for f in decoder.feed(b"\nDISCONNECT\n\n\0\n")] == ["DISCONNECT"]
    assert decoder.heartbeats == 5


def test_stomp_1_2_reads_crlf_end_of_lines() -> None:
    (frame,) = decode(b"SEND\r\ndestination:/queue/a\r\n\r\nx\0")
    assert frame.get("destination") == "/queue/a"


def test_stomp_1_1_keeps_a_carriage_return_in_a_header_value() -> None:
    (frame,) = decode(b"SEND\r\ndestination:/queue/a\r\n\n\0", "1.1")
    assert frame.get("destination") == "/queue/a\r"


@pytest.mark.parametrize(
    ("version", "raw", "value"),
    [
        ("1.2", r"a\cb\\c\nd\re", "a:b\\c\nd\re"),
        ("1.1", r"a\cb\\c\nd", "a:b\\c\nd"),
        ("1.0", r"a\cb", r"a\cb"),  # 1.0 has no escaping
    ],
)
def test_header_values_are_unescaped_per_version(version: str, raw: str, value: str) -> None:
    (frame,) = decode(f"SEND\nkey:{raw}\n\n\0".encode(), version)
    assert frame.get("key") == value
    assert decode(encode(frame, version), version)[0].get("key") == value


def test_an_undefined_escape_is_fatal_and_connect_is_never_unescaped() -> None:
    with pytest.raises(FrameError, match="escape"):
        decode(b"SEND\nkey:a\\tb\n\n\0")
    with pytest.raises(FrameError, match="escape"):
        decode(b"SEND\nkey:a\\rb\n\n\0", "1.1")
    (frame,) = decode(b"CONNECT\npasscode:a\\cb\n\n\0")
    assert frame.get("passcode") == "a\\cb"


def test_the_first_of_repeated_headers_counts() -> None:
    (frame,) = decode(b"SEND\nfoo:1\nfoo:2\n\n\0")
    assert frame.get("foo") == "1"
    assert frame.header_dict() == {"foo": "1"}


def test_a_value_keeps_colons_after_the_first() -> None:
    (frame,) = decode(b"SEND\nurl:http://x:1/\n\n\0", "1.0")
    assert frame.get("url") == "http://x:1/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"X" * 1025, "maximum command length"),
        (b"SEND\nk:" + b"v" * MAX_HEADER_LENGTH + b"\n\n\0", "maximum header length"),
        (b"SEND\n" + b"k:v\n" * 1001 + b"\n\0", "maximum number of headers"),
        (b"SEND\ncontent-length:104857601\n\n", "exceeded max frame size"),
        (b"SEND\ncontent-length:abc\n\n\0", "not a valid integer"),
        (b"SEND\nno colon here\n\n\0", "Unable to parse header line"),
    ],
)
def test_activemq_limits_and_malformed_frames(data: bytes, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        decode(data)


def test_encode_escapes_per_version_but_never_connected() -> None:
    frame = Frame("MESSAGE", [("k", "a:b\nc\r")], b"x")
    assert encode(frame, "1.2") == b"MESSAGE\nk:a\\cb\\nc\\r\n\nx\0\n"
    assert encode(frame, "1.1") == b"MESSAGE\nk:a\\cb\\nc\r\n\nx\0\n"
    assert encode(frame, "1.0") == b"MESSAGE\nk:a:b\nc\r\n\nx\0\n"
    assert encode(Frame("CONNECTED", [("session", "ID:a:1")]), "1.2") == b"CONNECTED\nsession:ID:a:1\n\n\0\n"
