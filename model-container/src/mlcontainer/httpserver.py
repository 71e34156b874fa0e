"""A small pre-forked HTTP/1.1 server for the model endpoint.

The master binds one listening socket and forks N workers; each worker runs a selectors
event loop (keep-alive, pipelining, partial writes) and calls the application, a plain
function(Request) -> Response, once a whole request has arrived. No threads, no framework:
at single-record sizes the HTTP layer, not the model, would otherwise dominate the latency.

Robustness (issue 15), all limits in httpwire.Limits:
- a worker catches every error per connection: one log line, that connection is closed, the
  worker keeps serving; parsing is incremental and linear in the request's size (httpwire);
- per connection: a request must arrive within request_timeout (else 408), an idle keep-alive
  connection is closed after idle_timeout, a client that does not read its response for
  write_timeout is disconnected, and a worker stops reading from a connection while
  OUTBOX_HIGH bytes of its responses are unsent (pipelining cannot grow memory without bound);
- over max_connections per worker a new connection gets 503 + Retry-After and is closed;
  running out of file descriptors pauses accepting for ACCEPT_BACKOFF instead of spinning;
- the master restarts every worker that dies (after a back-off when deaths come fast) and never
  gives up; a watchdog kills a worker whose heartbeat is older than worker_timeout (stuck in one
  request) so it gets replaced;
- SIGTERM/SIGINT on the master: workers stop accepting, close idle connections, finish requests
  in flight (including ones still arriving) and flush within graceful_timeout, then exit;
  stragglers are killed one second after that.
"""
import collections
import errno
import logging
import mmap
import os
import selectors
import signal
import socket
import struct
import time

log = logging.getLogger(__name__)

from .httpwire import (  # noqa: E402,F401 (Limits, Request, Response, text_response are re-exported)
    HEAD,
    Limits,
    ProtocolError,
    Request,
    RequestParser,
    Response,
    render,
    text_response,
)

LINGER_SECONDS = 2.0
OUTBOX_HIGH = 1024 * 1024  # unsent response bytes above which a connection is not read from
ACCEPT_BACKOFF = 0.5  # seconds without accepting after EMFILE/ENFILE/ENOBUFS/ENOMEM
LOG_INTERVAL = 10.0  # repeated warnings (accept failures, connection limit, timeouts) once per interval
RETRY_AFTER = 1


class RateLimitedLog:
    """One log line per key per interval; the next line says how many were suppressed."""

    def __init__(self, interval=LOG_INTERVAL):
        self.interval, self.last, self.suppressed = interval, {}, collections.Counter()

    def __call__(self, key, level, message, *args):
        now = time.monotonic()
        if now - self.last.get(key, -self.interval) < self.interval:
            self.suppressed[key] += 1
            return
        count, self.last[key] = self.suppressed.pop(key, 0), now
        suffix = f" ({count} more since the last report)" if count else ""
        log.log(level, message + suffix, *args)


# --- one connection -------------------------------------------------------------------------
class Connection:
    __slots__ = ("sock", "inbox", "outbox", "parser", "last_active", "started", "closing", "continued",
                 "linger_until", "write_progress", "events", "eof")

    def __init__(self, sock, limits):
        self.sock, self.inbox, self.outbox, self.parser = sock, bytearray(), bytearray(), RequestParser(limits)
        self.last_active = self.write_progress = time.monotonic()
        self.started, self.closing, self.continued = None, False, False
        self.linger_until = None  # closing: our side is shut, reading what the client still sends
        self.events = selectors.EVENT_READ
        self.eof = False  # the client shut its side: nothing more to read, output still owed

    def in_request(self):
        return bool(self.inbox) or self.parser.phase != HEAD


class Worker:
    def __init__(self, listener, app, limits, beat=None):
        self.listener, self.app, self.limits = listener, app, limits
        self.beat = beat or (lambda: None)
        self.selector = selectors.DefaultSelector()
        self.connections = {}
        self.stopping = False
        self.wake_read = None
        self.accept_resume = None  # monotonic time to listen again after running out of descriptors
        self.master = os.getppid()
        self.warn = RateLimitedLog()

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
            self._turn(self._select_timeout())
            if os.getppid() != self.master:
                log.error("the master process is gone: worker %d stops", os.getpid())
                self.stopping = True
        self._drain()

    def _select_timeout(self):
        if self.accept_resume is None:
            return 1.0
        return max(0.01, min(1.0, self.accept_resume - time.monotonic()))

    def _turn(self, timeout):
        self.beat()
        for key, events in self.selector.select(timeout=timeout):
            self._dispatch(key, events)
        now = time.monotonic()
        self._expire(now)
        if self.accept_resume is not None and now >= self.accept_resume and not self.stopping:
            self.accept_resume = None
            self.selector.register(self.listener, selectors.EVENT_READ, "accept")

    def _stop(self, *_):
        self.stopping = True

    def _dispatch(self, key, events):
        if key.data == "accept":
            if not self.stopping:
                self._accept()
            return
        if key.data == "wake":
            _drain_socket(self.wake_read)
            return
        connection = key.data
        try:
            if events & selectors.EVENT_WRITE:
                self._flush(connection)
            if events & selectors.EVENT_READ and connection.sock.fileno() >= 0:
                self._read(connection)
        except Exception as error:  # a bug or an unforeseen input: lose this connection, not the worker
            self.warn("connection-error", logging.ERROR, "closing a connection after an unexpected error: %s",
                      _one_line(error))
            self._close(connection)

    def _accept(self):
        try:
            sock, _ = self.listener.accept()  # one at a time, so the workers share new connections
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        except OSError as error:
            # EMFILE and friends: the listener stays readable, so retrying at once would spin; pause.
            self.selector.unregister(self.listener)
            self.accept_resume = time.monotonic() + ACCEPT_BACKOFF
            known = error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
            self.warn("accept", logging.ERROR, "cannot accept connections (%s, %d open): pausing accepts for %.1f s%s",
                      error, len(self.connections), ACCEPT_BACKOFF, "" if known else " (unexpected error)")
            return
        if len(self.connections) >= self.limits.max_connections:
            self._reject(sock)
            return
        sock.setblocking(False)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock, self.limits)
        self.connections[sock.fileno()] = connection
        self.selector.register(sock, selectors.EVENT_READ, connection)

    def _reject(self, sock):
        """503 + Retry-After on a connection over the limit, best effort, and close it."""
        self.warn("limit", logging.WARNING, "connection limit of %d per worker reached: answering 503",
                  self.limits.max_connections)
        response = text_response(503, f"server busy (connection limit reached): retry after {RETRY_AFTER} s",
                                 close=True)
        response.headers.append(("Retry-After", str(RETRY_AFTER)))
        try:
            sock.setblocking(False)
            sock.send(render(response, False))
            sock.shutdown(socket.SHUT_WR)
            sock.recv(65536)  # what the client already sent: closing with unread input would reset
        except OSError:
            pass
        sock.close()

    def _read(self, connection):
        try:
            data = connection.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            if connection.outbox:  # half-closed client: deliver what is owed, then close
                connection.closing = connection.eof = True
                connection.inbox.clear()
                self._update_events(connection)
            else:
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
        while not connection.closing and len(connection.outbox) < OUTBOX_HIGH:
            try:
                request = connection.parser.feed(connection.inbox)
            except ProtocolError as error:
                self._respond(connection, text_response(error.status, error.message, close=True), False)
                break
            if request is None:
                self._maybe_continue(connection)
                break
            connection.continued = False
            connection.started = time.monotonic() if connection.in_request() else None
            response = self._call_app(request)
            keep_alive = _keep_alive(request) and not response.close and not self.stopping
            self._respond(connection, response, keep_alive, head_only=request.method == "HEAD")
            self.beat()
        self._update_events(connection)

    def _maybe_continue(self, connection):
        headers = connection.parser.headers
        if headers and not connection.continued and headers.get("expect", "").lower() == "100-continue":
            connection.continued = True
            connection.outbox += b"HTTP/1.1 100 Continue\r\n\r\n"
            self._flush(connection)

    def _call_app(self, request):
        try:
            return self.app(request)
        except Exception:  # a bug, not the client's fault: log it, answer 500, keep the worker
            log.exception("unhandled error for %s %s", request.method, request.path[:80])
            return text_response(500, "internal error while handling the request (see the server log)")

    def _respond(self, connection, response, keep_alive, head_only=False):
        if not connection.outbox:
            connection.write_progress = time.monotonic()
        connection.outbox += render(response, keep_alive, head_only)
        connection.closing = not keep_alive
        self._flush(connection)

    def _flush(self, connection):
        if connection.sock.fileno() < 0:
            return
        was_full = len(connection.outbox) >= OUTBOX_HIGH
        try:
            sent = connection.sock.send(connection.outbox) if connection.outbox else 0
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close(connection)
            return
        if sent:
            del connection.outbox[:sent]
            connection.write_progress = time.monotonic()
        if connection.eof and not connection.outbox:
            self._close(connection)
        elif connection.closing and not connection.outbox and connection.linger_until is None:
            self._linger(connection)
        if connection.sock.fileno() < 0:
            return
        if was_full and len(connection.outbox) < OUTBOX_HIGH and not connection.closing:
            self._handle_requests(connection)  # resume the pipelined requests held back
        else:
            self._update_events(connection)

    def _update_events(self, connection):
        if connection.sock.fileno() < 0:
            return
        wanted = selectors.EVENT_WRITE if connection.outbox else 0
        if (len(connection.outbox) < OUTBOX_HIGH or connection.closing) and not connection.eof:
            wanted |= selectors.EVENT_READ
        if wanted != connection.events:
            connection.events = wanted
            self.selector.modify(connection.sock, wanted, connection)

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
        limits = self.limits
        for connection in list(self.connections.values()):
            try:
                if connection.linger_until is not None:
                    if now > connection.linger_until:
                        self._close(connection)
                elif connection.outbox:
                    if now - connection.write_progress > limits.write_timeout:
                        self.warn("write-timeout", logging.WARNING,
                                  "closing a connection: the client did not read its response for %.0f s",
                                  limits.write_timeout)
                        self._close(connection)
                elif connection.started is not None and connection.in_request():
                    if now - connection.started > limits.request_timeout:
                        self._respond(connection, text_response(
                            408, f"request not completed within {limits.request_timeout:g} s", close=True), False)
                elif now - connection.last_active > limits.idle_timeout or self.stopping:
                    self._close(connection)
            except Exception as error:
                self.warn("connection-error", logging.ERROR, "closing a connection after an unexpected error: %s",
                          _one_line(error))
                self._close(connection)

    def _drain(self):
        """Stop accepting; close idle connections; finish requests in flight and flush what is owed,
        within graceful_timeout; then close everything."""
        if self.accept_resume is None:
            self.selector.unregister(self.listener)
        self.accept_resume = None
        deadline = time.monotonic() + self.limits.graceful_timeout
        while self.connections and time.monotonic() < deadline:
            self._expire(time.monotonic())  # closes idle connections at once while stopping
            if self.connections:
                self._turn(min(0.2, max(0.01, deadline - time.monotonic())))
        for connection in list(self.connections.values()):
            self._close(connection)


def _one_line(error):
    frames, tb = [], error.__traceback__
    while tb is not None:
        frames.append(f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}")
        tb = tb.tb_next
    return f"{type(error).__name__}: {str(error)[:200]} (at {frames[-1] if frames else '?'})"


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
    DEATH_WINDOW = 30.0  # seconds over which worker deaths count towards the restart back-off
    FREE_RESTARTS = 3  # deaths within the window restarted at once; then 0.1 s, 0.2 s, ... up to MAX_BACKOFF
    MAX_BACKOFF = 5.0

    def __init__(self, listener, app, workers, limits):
        self.listener, self.app, self.count, self.limits = listener, app, workers, limits
        self.children = {}  # pid -> (slot, start time)
        self.pending = []  # (due time, slot) of restarts held back
        self.deaths = collections.deque()
        self.killed = set()
        self.beats = mmap.mmap(-1, 8 * workers)  # per slot: the worker's last heartbeat (monotonic)

    def run(self):
        signals = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            for slot in range(self.count):
                self._spawn(slot)
            while True:
                received = signal.sigtimedwait(signals, self._wait_time())
                if received is not None and received.si_signo != signal.SIGCHLD:
                    log.info("received %s: stopping %d worker(s)", signal.Signals(received.si_signo).name, len(self.children))
                    break
                self._reap_and_replace()
                self._watchdog()
                self._spawn_due()
            return self._stop_children()
        finally:
            self.listener.close()

    def _wait_time(self):
        if not self.pending:
            return 1.0
        return max(0.01, min(1.0, min(due for due, _ in self.pending) - time.monotonic()))

    def _spawn(self, slot):
        now = time.monotonic()
        struct.pack_into("d", self.beats, slot * 8, now)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, set())
                beats = self.beats

                def beat():
                    struct.pack_into("d", beats, slot * 8, time.monotonic())

                Worker(self.listener, self.app, self.limits, beat).run()
                code = 0
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = (slot, now)

    def _reap_and_replace(self):
        while True:  # not `while self.children`: the last child's death must be reaped too
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.killed.discard(pid)
            entry = self.children.pop(pid, None)
            if entry is None:
                continue
            now = time.monotonic()
            self.deaths.append(now)
            while self.deaths and now - self.deaths[0] > self.DEATH_WINDOW:
                self.deaths.popleft()
            excess = len(self.deaths) - self.FREE_RESTARTS
            delay = 0.0 if excess <= 0 else min(self.MAX_BACKOFF, 0.1 * 2 ** (excess - 1))
            log.error("worker %d exited (%s): starting a new one%s", pid, _describe_status(status),
                      f" in {delay:.1f} s ({len(self.deaths)} worker deaths in {self.DEATH_WINDOW:.0f} s)" if delay else "")
            self.pending.append((now + delay, entry[0]))

    def _spawn_due(self):
        now = time.monotonic()
        due = [item for item in self.pending if item[0] <= now]
        self.pending = [item for item in self.pending if item[0] > now]
        for _, slot in due:
            self._spawn(slot)

    def _watchdog(self):
        now = time.monotonic()
        for pid, (slot, started) in self.children.items():
            beat = max(struct.unpack_from("d", self.beats, slot * 8)[0], started)
            if now - beat > self.limits.worker_timeout and pid not in self.killed:
                log.error("worker %d did not come back from one request for %.0f s (SERVE_WORKER_TIMEOUT=%g): killing it",
                          pid, now - beat, self.limits.worker_timeout)
                self.killed.add(pid)
                _kill(pid, signal.SIGKILL)

    def _stop_children(self):
        self.pending.clear()
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
