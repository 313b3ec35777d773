"""STOMP frames: an incremental decoder and an encoder for versions 1.0, 1.1 and 1.2.

Sans-IO: bytes in, :class:`Frame` objects out, and back. What the specs say
(stomp.github.io) and what ActiveMQ's STOMP transport enforces on top:

- a frame is a command line, header lines, an empty line, a body and a NUL;
  end-of-lines between frames are heart-beats and are skipped;
- a ``content-length`` header fixes the body's size (it may then hold NULs),
  otherwise the body runs to the first NUL;
- header values are escaped from 1.1 on (``\\\\``, ``\\n``, ``\\c``; 1.2 adds
  ``\\r``), except in CONNECT and CONNECTED frames; an undefined escape is a
  fatal protocol error; of repeated headers the first one counts;
- 1.2 allows ``\\r\\n`` as end-of-line. The command line tolerates it in every
  version (the version is not known before CONNECT is read);
- ActiveMQ's limits (StompWireFormat's defaults; Amazon MQ's transport
  connectors set ``wireFormat.maxFrameSize`` to 100 MiB): a command of at most
  1024 bytes, a header line of at most 10 KiB, at most 1000 headers, a body of
  at most 100 MiB. Breaking one is a fatal :class:`FrameError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_COMMAND_LENGTH = 1024
MAX_HEADER_LENGTH = 10 * 1024
MAX_HEADERS = 1000
MAX_DATA_LENGTH = 100 * 1024 * 1024

# Frames whose headers are never escaped, in any version (STOMP 1.1/1.2: "Value Encoding").
_UNESCAPED = frozenset({"CONNECT", "STOMP", "CONNECTED"})


class FrameError(Exception):
    """A frame the broker cannot read: answered with an ERROR frame, then the connection closes."""


@dataclass
class Frame:
    """One STOMP frame: headers in arrival order (first of repeated names wins on lookup)."""

    command: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def __contains__(self, name: str) -> bool:
        return any(key == name for key, _ in self.headers)

    def header_dict(self) -> dict[str, str]:
        """Headers by name, the first of repeated names kept."""
        out: dict[str, str] = {}
        for key, value in self.headers:
            out.setdefault(key, value)
        return out


def _unescape(raw: str, version: str) -> str:
    if "\\" not in raw:
        return raw
    out: list[str] = []
    chars = iter(raw)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        nxt = next(chars, "")
        if nxt == "\\":
            out.append("\\")
        elif nxt == "n":
            out.append("\n")
        elif nxt == "c":
            out.append(":")
        elif nxt == "r" and version == "1.2":
            out.append("\r")
        else:
            raise FrameError(f"Invalid escape sequence \\{nxt} in header value")
    return "".join(out)


def _escape(value: str, version: str) -> str:
    value = value.replace("\\", "\\\\").replace("\n", "\\n").replace(":", "\\c")
    if version == "1.2":
        value = value.replace("\r", "\\r")
    return value


class Decoder:
    """Turns a byte stream into frames; ``version`` is set once CONNECT negotiated one."""

    def __init__(self) -> None:
        self.version = "1.0"
        self._buffer = bytearray()
        self.heartbeats = 0  # end-of-lines seen between frames

    def feed(self, data: bytes) -> list[Frame]:
        """The frames ``data`` completes (a partial frame waits for more). Raises :class:`FrameError`."""
        self._buffer += data
        frames: list[Frame] = []
        while True:
            frame = self._next()
            if frame is None:
                return frames
            frames.append(frame)

    def _next(self) -> Frame | None:
        buf = self._buffer
        # Heart-beats: bare end-of-lines between frames.
        start = 0
        while start < len(buf) and buf[start] in (0x0A, 0x0D):
            if buf[start] == 0x0D and (start + 1 >= len(buf) or buf[start + 1] != 0x0A):
                if start + 1 >= len(buf):
                    break  # a lone CR: wait for its LF
                raise FrameError("Invalid end of line: a carriage return without a line feed")
            self.heartbeats += buf[start] == 0x0A
            start += 1
        if start:
            del buf[:start]
        if not buf:
            return None
        # The command line.
        end = buf.find(b"\n")
        if end < 0:
            if len(buf) > MAX_COMMAND_LENGTH:
                raise FrameError("The maximum command length was exceeded")
            return None
        if end > MAX_COMMAND_LENGTH:
            raise FrameError("The maximum command length was exceeded")
        command = _text(bytes(buf[:end]).rstrip(b"\r"))
        if not command:
            raise FrameError("Unable to parse the command line")
        # Headers, up to the empty line.
        escaped = command not in _UNESCAPED and self.version != "1.0"
        crlf = self.version == "1.2" or command in _UNESCAPED
        headers: list[tuple[str, str]] = []
        pos = end + 1
        while True:
            eol = buf.find(b"\n", pos)
            if eol < 0:
                if len(buf) - pos > MAX_HEADER_LENGTH:
                    raise FrameError("The maximum header length was exceeded")
                return None
            line = bytes(buf[pos:eol])
            pos = eol + 1
            if crlf and line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                break
            if len(line) > MAX_HEADER_LENGTH:
                raise FrameError("The maximum header length was exceeded")
            if len(headers) >= MAX_HEADERS:
                raise FrameError("The maximum number of headers was exceeded")
            text = _text(line)
            name, colon, value = text.partition(":")
            if not colon:
                raise FrameError(f"Unable to parse header line [{text}]")
            if escaped:
                name, value = _unescape(name, self.version), _unescape(value, self.version)
            headers.append((name, value))
        # The body: content-length bytes then a NUL, or everything up to the first NUL.
        length_text = next((v for k, v in headers if k == "content-length"), None)
        if length_text is not None:
            try:
                length = int(length_text.strip())
            except ValueError:
                raise FrameError("Specified content-length is not a valid integer") from None
            if length < 0:
                raise FrameError("Specified content-length is not a valid integer")
            if length > MAX_DATA_LENGTH:
                raise FrameError("Specified content-length exceeded max frame size")
            if len(buf) < pos + length + 1:
                return None
            if buf[pos + length] != 0:
                raise FrameError("content-length bytes were read and there was no trailing null byte")
            body = bytes(buf[pos : pos + length])
            del buf[: pos + length + 1]
        else:
            nul = buf.find(b"\0", pos)
            if nul < 0:
                if len(buf) - pos > MAX_DATA_LENGTH:
                    raise FrameError("The maximum data length was exceeded")
                return None
            body = bytes(buf[pos:nul])
            del buf[: nul + 1]
        return Frame(command, headers, body)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError("Invalid UTF-8 in the frame's command or headers") from None


def encode(frame: Frame, version: str) -> bytes:
    """The frame's bytes as ActiveMQ writes them when speaking ``version`` (LF end-of-lines)."""
    escaped = frame.command not in _UNESCAPED and version != "1.0"
    lines = [frame.command]
    for name, value in frame.headers:
        if escaped:
            name, value = _escape(name, version), _escape(value, version)
        lines.append(f"{name}:{value}")
    head = ("\n".join(lines) + "\n\n").encode("utf-8")
    return head + frame.body + b"\0\n"  # ActiveMQ ends every frame with a NUL and a newline
