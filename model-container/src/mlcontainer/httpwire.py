"""HTTP/1.1 wire format of the model server: limits, request and response records, the request-head
parser, body framing (Content-Length and chunked) and response rendering. Pure functions over bytes; the
event loop that feeds them lives in httpserver.
"""
import time
from dataclasses import dataclass, field
from email.utils import formatdate

REASONS = {
    100: "Continue", 200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 408: "Request Timeout", 411: "Length Required", 413: "Payload Too Large",
    415: "Unsupported Media Type", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
    501: "Not Implemented", 505: "HTTP Version Not Supported",
}


@dataclass
class Limits:
    max_body_bytes: int = 6 * 1024 * 1024
    max_header_bytes: int = 16 * 1024
    idle_timeout: float = 60.0  # keep-alive connection without a request
    request_timeout: float = 60.0  # a request that started but did not finish arriving
    graceful_timeout: float = 20.0  # SIGTERM: time the workers get to finish


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


def render(response, keep_alive):
    head = [
        f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Unknown')}",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        f"Date: {_http_date()}",
    ]
    head += [f"{name}: {value}" for name, value in response.headers]
    if not keep_alive:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body


# --- request parsing ------------------------------------------------------------------------
def parse_head(head):
    """(method, path, version, headers) from the bytes before the blank line."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[1]:
        raise ProtocolError(400, f"malformed request line {lines[0][:100]!r}")
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise ProtocolError(505, f"unsupported protocol {version[:20]!r}: use HTTP/1.1")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ProtocolError(400, f"malformed header line {line[:100]!r}")
        name = name.lower()
        headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
    return method, target.split("?", 1)[0], version, headers


def body_length(headers, limits):
    """Content-Length as an int, 'chunked', or 0; rejects bad or too large values."""
    encoding = headers.get("transfer-encoding", "").lower()
    if encoding:
        if encoding != "chunked":
            raise ProtocolError(501, f"Transfer-Encoding {encoding!r} is not supported: use chunked or Content-Length")
        return "chunked"
    raw = headers.get("content-length")
    if raw is None:
        return 0
    if not raw.isdigit():
        raise ProtocolError(400, f"Content-Length {raw[:40]!r} is not a non-negative integer")
    length = int(raw)
    if length > limits.max_body_bytes:
        raise ProtocolError(
            413, f"body of {length} bytes exceeds the limit of {limits.max_body_bytes} bytes: send fewer records per request"
        )
    return length


def read_chunked(buffer, start, limit):
    """(body, end offset) of a complete chunked body at buffer[start:], or None if incomplete."""
    chunks, position, size = [], start, 0
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size_text = bytes(buffer[position:line_end]).split(b";", 1)[0].strip()
        try:
            chunk = int(size_text, 16)
        except ValueError:
            raise ProtocolError(400, f"malformed chunk size {size_text[:20]!r}") from None
        size += chunk
        if size > limit:
            raise ProtocolError(413, f"body exceeds the limit of {limit} bytes: send fewer records per request")
        data_start = line_end + 2
        if chunk == 0:
            trailer_end = buffer.find(b"\r\n\r\n", line_end)
            if buffer[data_start:data_start + 2] == b"\r\n":
                return b"".join(chunks), data_start + 2
            return (b"".join(chunks), trailer_end + 4) if trailer_end >= 0 else None
        if len(buffer) < data_start + chunk + 2:
            return None
        chunks.append(bytes(buffer[data_start:data_start + chunk]))
        position = data_start + chunk + 2

