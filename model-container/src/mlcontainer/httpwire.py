"""HTTP/1.1 wire format of the model server: limits, request and response records, an incremental
request parser (head, Content-Length and chunked bodies) and response rendering. Pure code over
bytes; the event loop that feeds it lives in httpserver.

Every parser step is bounded by its input: the parser consumes what it has parsed from the front of
the connection's buffer (bytearray deletes from the front in O(1)), remembers where a search for a
line end stopped, and limits each piece of framing (head, chunk-size line, trailer) to a size, so a
request costs time and memory linear in its bytes however the client splits them into reads.
"""
import re
import time
from dataclasses import dataclass, field
from email.utils import formatdate

REASONS = {
    100: "Continue", 200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 408: "Request Timeout", 411: "Length Required", 413: "Payload Too Large",
    415: "Unsupported Media Type", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
    503: "Service Unavailable",
}
MAX_CHUNK_LINE = 4096  # chunk size + extensions
MAX_SHOWN = 80  # characters of a client's value quoted back in an error message


@dataclass
class Limits:
    max_body_bytes: int = 6 * 1024 * 1024
    max_header_bytes: int = 16 * 1024  # request line + headers, and separately the chunked trailer
    idle_timeout: float = 60.0  # keep-alive connection without a request
    request_timeout: float = 60.0  # a request that started must have arrived completely within this
    write_timeout: float = 30.0  # a response the client does not read (no progress) for this long
    graceful_timeout: float = 20.0  # SIGTERM: time the workers get to finish
    max_connections: int = 1000  # per worker; beyond: 503 + Retry-After, closed
    worker_timeout: float = 60.0  # a worker busy with one request this long is killed and replaced


@dataclass
class Request:
    method: str
    path: str
    version: str
    headers: dict
    body: bytes


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: list = field(default_factory=list)
    close: bool = False


def text_response(status, message, close=False):
    return Response(status, (message + "\n").encode("utf-8"), close=close)


def shown(value, limit=MAX_SHOWN):
    """repr() of a client's value for an error message, cut to `limit` characters + '...'."""
    if len(value) <= limit:
        return repr(value)
    return repr(value[:limit]) + f"... ({len(value)} characters)"


class ProtocolError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


_date_cache = [0, ""]


def _http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return _date_cache[1]


def render(response, keep_alive, head_only=False):
    """The response's bytes; head_only (HEAD requests): the same head, no body."""
    head = [
        f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Unknown')}",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        f"Date: {_http_date()}",
    ]
    head += [f"{name}: {value}" for name, value in response.headers]
    if not keep_alive:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else response.body)


# --- request parsing ------------------------------------------------------------------------
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(r"HTTP/[0-9]\.[0-9]")
_BAD_VALUE_CHARS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?")
_DIGITS = re.compile(r"[0-9]+")


def parse_head(head):
    """(method, path, version, headers) from the bytes before the blank line."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or not parts[1] or _BAD_VALUE_CHARS.search(parts[1]):
        raise ProtocolError(400, f"malformed request line {shown(lines[0])}: send METHOD /path HTTP/1.1")
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        what = "unsupported protocol" if _VERSION.fullmatch(version) else "malformed protocol version"
        raise ProtocolError(400, f"{what} {shown(version, 20)}: use HTTP/1.1")
    collected = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not _TOKEN.fullmatch(name) or _BAD_VALUE_CHARS.search(value):
            raise ProtocolError(400, f"malformed header line {shown(line)}: send Name: value")
        collected.setdefault(name.lower(), []).append(value.strip(" \t"))
    headers = {name: ", ".join(values) for name, values in collected.items()}
    return method, target.split("?", 1)[0], version, headers


def body_length(headers, limits):
    """Content-Length as an int, 'chunked', or 0; rejects bad, ambiguous or too large values."""
    encoding = headers.get("transfer-encoding")
    raw = headers.get("content-length")
    if encoding is not None:
        if raw is not None:
            raise ProtocolError(400, "both Transfer-Encoding and Content-Length: send only one of them")
        if encoding.strip().lower() != "chunked":
            raise ProtocolError(
                400, f"Transfer-Encoding {shown(encoding, 40)} is not supported: send chunked or Content-Length"
            )
        return "chunked"
    if raw is None:
        return 0
    if not _DIGITS.fullmatch(raw):
        raise ProtocolError(400, f"Content-Length {shown(raw, 40)} is not a non-negative integer")
    digits = raw.lstrip("0") or "0"
    if len(digits) > 15 or int(digits) > limits.max_body_bytes:
        raise ProtocolError(
            413, f"body of {shown(digits, 20)} bytes exceeds the limit of {limits.max_body_bytes} bytes: "
            "send fewer records per request"
        )
    return int(digits)


HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER = range(6)


class RequestParser:
    """Parses one request at a time from the front of a connection's bytearray, consuming it."""

    __slots__ = ("limits", "phase", "scan", "head", "length", "body", "remaining", "trailer_bytes")

    def __init__(self, limits):
        self.limits = limits
        self.reset()

    def reset(self):
        self.phase, self.scan, self.head, self.length = HEAD, 0, None, 0
        self.body, self.remaining, self.trailer_bytes = bytearray(), 0, 0

    @property
    def headers(self):
        """The current request's headers once its head is parsed, else None."""
        return self.head[3] if self.head else None

    def feed(self, buffer):
        """The next complete Request (its bytes removed from buffer), or None: more input needed.
        Raises ProtocolError for input that can never become a valid request."""
        limits = self.limits
        while True:
            if self.phase == HEAD:
                while buffer[:2] == b"\r\n":  # empty lines before a request line are ignored (RFC 9112 2.2)
                    del buffer[:2]
                    self.scan = max(0, self.scan - 2)
                end = buffer.find(b"\r\n\r\n", max(0, self.scan - 3))
                if end < 0:
                    self.scan = len(buffer)
                    if len(buffer) > limits.max_header_bytes:
                        raise ProtocolError(431, f"request head exceeds {limits.max_header_bytes} bytes")
                    return None
                if end + 4 > limits.max_header_bytes:
                    raise ProtocolError(431, f"request head exceeds {limits.max_header_bytes} bytes")
                self.head = parse_head(bytes(buffer[:end]))
                del buffer[:end + 4]
                self.scan = 0
                length = body_length(self.head[3], limits)
                if length == "chunked":
                    self.phase = CHUNK_SIZE
                else:
                    self.phase, self.length = BODY, length
            elif self.phase == BODY:
                if len(buffer) < self.length:
                    return None
                body = bytes(buffer[:self.length])
                del buffer[:self.length]
                return self._done(body)
            elif self.phase == CHUNK_SIZE:
                self._whole_chunks(buffer)
                line = self._line(buffer, MAX_CHUNK_LINE, 400, f"chunk-size line longer than {MAX_CHUNK_LINE} bytes")
                if line is None:
                    return None
                size_text = line.split(b";", 1)[0].rstrip(b" \t")
                if not _HEX.fullmatch(size_text):
                    raise ProtocolError(
                        400, f"malformed chunk size {shown(size_text.decode('latin-1'), 20)}: send hexadecimal digits"
                    )
                size = int(size_text, 16)
                if size == 0:
                    self.phase = TRAILER
                    continue
                if len(self.body) + size > limits.max_body_bytes:
                    raise ProtocolError(
                        413, f"body exceeds the limit of {limits.max_body_bytes} bytes: send fewer records per request"
                    )
                self.phase, self.remaining = CHUNK_DATA, size
            elif self.phase == CHUNK_DATA:
                if not buffer:
                    return None
                taken = buffer[:self.remaining]
                self.body += taken
                del buffer[:len(taken)]
                self.remaining -= len(taken)
                if self.remaining:
                    return None
                self.phase = CHUNK_END
            elif self.phase == CHUNK_END:
                if len(buffer) < 2:
                    return None
                if buffer[:2] != b"\r\n":
                    raise ProtocolError(400, "chunk data not followed by CRLF: the chunk size does not match its data")
                del buffer[:2]
                self.phase = CHUNK_SIZE
            else:  # TRAILER: header lines until an empty one, ignored, bounded like the head
                line = self._line(buffer, limits.max_header_bytes - self.trailer_bytes, 431,
                                  f"chunked trailer longer than {limits.max_header_bytes} bytes")
                if line is None:
                    return None
                self.trailer_bytes += len(line) + 2
                if not line:
                    body = bytes(self.body)
                    return self._done(body)

    def _whole_chunks(self, buffer):
        """Fast path: consume the complete, well-formed data chunks at the front of buffer (one
        delete at the end); anything else (the last chunk, an error, a partial chunk) is left to
        the step-by-step parser."""
        position, available, body, limit = 0, len(buffer), self.body, self.limits.max_body_bytes
        find, match = buffer.find, _CHUNK_LINE.fullmatch
        while True:
            end = find(b"\r\n", position, position + MAX_CHUNK_LINE + 2)
            found = match(buffer, position, end) if end >= 0 else None
            if found is None:
                break
            size = int(found.group(1), 16)
            data_end = end + 2 + size
            if size == 0 or data_end + 2 > available or buffer[data_end:data_end + 2] != b"\r\n" \
                    or len(body) + size > limit:
                break
            body += buffer[end + 2:data_end]
            position = data_end + 2
        if position:
            del buffer[:position]
            self.scan = 0

    def _line(self, buffer, limit, status, message):
        """The next CRLF-terminated line (consumed, without CRLF), or None; ProtocolError past limit."""
        end = buffer.find(b"\r\n", max(0, self.scan - 1))
        if end < 0:
            self.scan = len(buffer)
            if len(buffer) > limit:
                raise ProtocolError(status, message)
            return None
        if end > limit:
            raise ProtocolError(status, message)
        line = bytes(buffer[:end])
        del buffer[:end + 2]
        self.scan = 0
        return line

    def _done(self, body):
        method, path, version, headers = self.head
        self.reset()
        return Request(method, path, version, headers, body)
