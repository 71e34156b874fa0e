"""A small pre-forked HTTP/1.1 server for the model endpoint.

The master binds one listening socket and forks N workers; each worker runs a selectors
event loop (keep-alive, pipelining, partial writes) and calls the application, a plain
function(Request) -> Response, once a whole request has arrived. No threads, no framework:
at single-record sizes the HTTP layer, not the model, would otherwise dominate the latency.

Signals: SIGTERM/SIGINT on the master stop it cleanly (workers finish the request at hand and
flush responses, then exit; stragglers are killed after the grace period). A worker that dies
is replaced; one that keeps dying at start-up stops the server with an error.
"""
import errno
import logging
import os
import selectors
import signal
import socket
import time

log = logging.getLogger(__name__)

from .httpwire import (  # noqa: F401 (Limits, Request, Response, text_response are re-exported)
    Limits,
    ProtocolError,
    Request,
    Response,
    body_length,
    parse_head,
    read_chunked,
    render,
    text_response,
)


# --- one connection -------------------------------------------------------------------------
class Connection:
    __slots__ = ("sock", "inbox", "outbox", "last_active", "started", "closing", "continued", "linger_until")

    def __init__(self, sock):
        self.sock, self.inbox, self.outbox = sock, bytearray(), bytearray()
        self.last_active, self.started, self.closing, self.continued = time.monotonic(), None, False, False
        self.linger_until = None  # closing: our side is shut, reading what the client still sends


LINGER_SECONDS = 2.0


class Worker:
    def __init__(self, listener, app, limits):
        self.listener, self.app, self.limits = listener, app, limits
        self.selector = selectors.DefaultSelector()
        self.connections = {}
        self.stopping = False
        self.wake_read = None
        self.master = os.getppid()

    def run(self):
        self.wake_read, wake_write = socket.socketpair()
        for s in (self.wake_read, wake_write):
            s.setblocking(False)
        signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_read, selectors.EVENT_READ, "wake")
        while not self.stopping:
            for key, events in self.selector.select(timeout=1.0):
                self._dispatch(key, events)
            self._expire(time.monotonic())
            if os.getppid() != self.master:
                log.error("the master process is gone: worker %d stops", os.getpid())
                self.stopping = True
        self._drain()

    def _stop(self, *_):
        self.stopping = True

    def _dispatch(self, key, events):
        if key.data == "accept":
            if not self.stopping:
                self._accept()
        elif key.data == "wake":
            _drain_socket(self.wake_read)
        else:
            if events & selectors.EVENT_WRITE:
                self._flush(key.data)
            if events & selectors.EVENT_READ and key.data.sock.fileno() >= 0:
                self._read(key.data)

    def _accept(self):
        try:
            sock, _ = self.listener.accept()  # one at a time, so the workers share new connections
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                log.error("cannot accept a connection: %s", error)
                return
            raise
        sock.setblocking(False)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock)
        self.connections[sock.fileno()] = connection
        self.selector.register(sock, selectors.EVENT_READ, connection)

    def _read(self, connection):
        try:
            data = connection.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(connection)
            return
        connection.last_active = time.monotonic()
        if connection.closing:
            return  # a response that closes the connection is on its way: discard the rest
        if connection.started is None:
            connection.started = connection.last_active
        connection.inbox += data
        self._handle_requests(connection)

    def _handle_requests(self, connection):
        while connection.inbox and not connection.closing:
            try:
                request = self._take_request(connection)
            except ProtocolError as error:
                self._respond(connection, text_response(error.status, error.message, close=True), False)
                return
            if request is None:
                return
            connection.started = time.monotonic() if connection.inbox else None
            keep_alive = _keep_alive(request)
            response = self._call_app(request)
            self._respond(connection, response, keep_alive and not response.close and not self.stopping)

    def _take_request(self, connection):
        inbox, limits = connection.inbox, self.limits
        head_end = inbox.find(b"\r\n\r\n")
        if head_end < 0:
            if len(inbox) > limits.max_header_bytes:
                raise ProtocolError(431, f"request head exceeds {limits.max_header_bytes} bytes")
            return None
        method, path, version, headers = parse_head(bytes(inbox[:head_end]))
        length = body_length(headers, limits)
        body_start = head_end + 4
        if length == "chunked":
            found = read_chunked(inbox, body_start, limits.max_body_bytes)
            if found is None:
                self._maybe_continue(connection, headers)
                return None
            body, end = found
        else:
            end = body_start + length
            if len(inbox) < end:
                self._maybe_continue(connection, headers)
                return None
            body = bytes(inbox[body_start:end])
        del inbox[:end]
        connection.continued = False
        return Request(method, path, version, headers, body)

    def _maybe_continue(self, connection, headers):
        if not connection.continued and headers.get("expect", "").lower() == "100-continue":
            connection.continued = True
            connection.outbox += b"HTTP/1.1 100 Continue\r\n\r\n"
            self._flush(connection)

    def _call_app(self, request):
        try:
            return self.app(request)
        except Exception:  # a bug, not the client's fault: log it, answer 500, keep the worker
            log.exception("unhandled error for %s %s", request.method, request.path)
            return text_response(500, "internal error while handling the request (see the server log)")

    def _respond(self, connection, response, keep_alive):
        connection.outbox += render(response, keep_alive)
        connection.closing = not keep_alive
        self._flush(connection)

    def _flush(self, connection):
        if connection.sock.fileno() < 0:
            return
        try:
            sent = connection.sock.send(connection.outbox) if connection.outbox else 0
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close(connection)
            return
        del connection.outbox[:sent]
        if connection.outbox:
            self.selector.modify(connection.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, connection)
            return
        self.selector.modify(connection.sock, selectors.EVENT_READ, connection)
        if connection.closing and connection.linger_until is None:
            self._linger(connection)

    def _linger(self, connection):
        """Half-close and read until the client hangs up, so it gets to read our answer
        (closing with unread input would reset the connection and lose the response)."""
        try:
            connection.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(connection)
            return
        connection.linger_until = time.monotonic() + LINGER_SECONDS

    def _close(self, connection):
        if connection.sock.fileno() < 0:
            return
        self.connections.pop(connection.sock.fileno(), None)
        try:
            self.selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass
        connection.sock.close()

    def _expire(self, now):
        for connection in list(self.connections.values()):
            if connection.linger_until is not None:
                if now > connection.linger_until:
                    self._close(connection)
                continue
            if connection.outbox:
                continue
            if connection.started is not None and now - connection.started > self.limits.request_timeout:
                self._respond(connection, text_response(408, "request not completed in time", close=True), False)
            elif connection.started is None and now - connection.last_active > self.limits.idle_timeout:
                self._close(connection)

    def _drain(self):
        """Stop accepting; flush what is owed; close everything."""
        self.selector.unregister(self.listener)
        deadline = time.monotonic() + self.limits.graceful_timeout
        for connection in list(self.connections.values()):
            if not connection.outbox:
                self._close(connection)
        while self.connections and time.monotonic() < deadline:
            for key, events in self.selector.select(timeout=0.2):
                self._dispatch(key, events)
            self._expire(time.monotonic())
            for connection in list(self.connections.values()):
                if not connection.outbox and connection.linger_until is None:
                    self._close(connection)
        for connection in list(self.connections.values()):
            self._close(connection)


def _drain_socket(sock):
    try:
        while sock.recv(4096):
            pass
    except (BlockingIOError, InterruptedError):
        pass


def _keep_alive(request):
    connection = request.headers.get("connection", "").lower()
    if request.version == "HTTP/1.0":
        return "keep-alive" in connection
    return "close" not in connection


# --- the master -----------------------------------------------------------------------------
def bind(host, port, backlog=1024):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise OSError(error.errno, f"cannot listen on {host}:{port} ({error.strerror}): is the port in use?") from None
    listener.listen(backlog)
    listener.setblocking(False)
    return listener


class Master:
    MAX_QUICK_DEATHS = 5

    def __init__(self, listener, app, workers, limits):
        self.listener, self.app, self.count, self.limits = listener, app, workers, limits
        self.children = {}  # pid -> start time
        self.quick_deaths = 0

    def run(self):
        signals = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            for _ in range(self.count):
                self._spawn()
            while True:
                received = signal.sigwaitinfo(signals)
                if received.si_signo != signal.SIGCHLD:
                    log.info("received %s: stopping %d worker(s)", signal.Signals(received.si_signo).name, len(self.children))
                    break
                if not self._reap_and_replace():
                    return 1
            return self._stop_children()
        finally:
            self.listener.close()

    def _spawn(self):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, set())
                Worker(self.listener, self.app, self.limits).run()
                code = 0
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = time.monotonic()

    def _reap_and_replace(self):
        while self.children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            started = self.children.pop(pid, None)
            if started is None:
                continue
            log.error("worker %d exited (%s): starting a new one", pid, _describe_status(status))
            self.quick_deaths = self.quick_deaths + 1 if time.monotonic() - started < 2 else 0
            if self.quick_deaths >= self.MAX_QUICK_DEATHS:
                log.error("workers keep dying right after start: giving up")
                self._stop_children()
                return False
            self._spawn()
        return True

    def _stop_children(self):
        for pid in self.children:
            _kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.limits.graceful_timeout + 1
        while self.children and time.monotonic() < deadline:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid:
                self.children.pop(pid, None)
            else:
                time.sleep(0.05)
        for pid in list(self.children):
            log.error("worker %d did not stop in time: killing it", pid)
            _kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.children.clear()
        return 0


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _describe_status(status):
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.WEXITSTATUS(status)}"
