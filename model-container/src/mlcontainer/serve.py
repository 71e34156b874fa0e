"""`serve`: the SageMaker inference endpoint (GET /ping, POST /invocations on port 8080).

Environment: SAGEMAKER_BIND_TO_PORT (8080), SERVE_HOST (0.0.0.0), SERVE_WORKERS (CPU count),
SERVE_MAX_BODY_BYTES (6 MiB), SERVE_IDLE_TIMEOUT (60 s), SERVE_REQUEST_TIMEOUT (60 s),
SERVE_WRITE_TIMEOUT (30 s), SERVE_GRACEFUL_TIMEOUT (20 s), SERVE_MAX_CONNECTIONS (1000 per worker),
SERVE_WORKER_TIMEOUT (60 s), ML_PREFIX (/opt/ml; the model is read from <prefix>/model).
See model-container/README.md for what each limit answers.
"""
import os

# One OpenMP thread per worker: workers = CPUs already, and a forked worker must never inherit
# an OpenMP thread pool from the master (which scores the model-check records before forking).
os.environ["OMP_NUM_THREADS"] = "1"

import csv  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402

from .artifact import load_model  # noqa: E402
from .errors import UserError  # noqa: E402
from .httpserver import Limits, Master, Response, bind, text_response  # noqa: E402
from .httpwire import shown  # noqa: E402
from .paths import MLPaths  # noqa: E402
from .scoring import RequestError, Scorer, format_csv, format_json  # noqa: E402

log = logging.getLogger("serve")
CSV, JSON = "text/csv", "application/json"
FORMATTERS = {CSV: format_csv, JSON: format_json}
MAX_MESSAGE = 600  # characters of an error message from the scorer (it may quote a whole value)


def media_type(value):
    return value.split(";", 1)[0].strip().lower()


def choose_output(accept, request_type):
    """The response type for an Accept header: highest q wins; */* (or none) = the request's type."""
    if not accept.strip():
        return request_type
    best, best_q = None, 0.0
    for position, item in enumerate(accept.split(",")):
        kind, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        candidate = {"*/*": request_type, "text/*": CSV, "application/*": JSON}.get(kind.lower(), kind.lower())
        if candidate in FORMATTERS and q > best_q:
            best, best_q = candidate, q
    return best


class Application:
    def __init__(self, scorer, limits, workers):
        self.scorer, self.limits, self.workers = scorer, limits, workers
        self.parsers = {CSV: scorer.csv_rows, JSON: scorer.json_rows}

    def __call__(self, request):
        if request.path == "/invocations":
            if request.method != "POST":
                return _not_allowed("POST")
            return self.invocations(request)
        if request.path == "/ping":
            if request.method not in ("GET", "HEAD"):
                return _not_allowed("GET")
            return Response(200, b"")
        if request.path == "/execution-parameters" and request.method in ("GET", "HEAD"):
            return self.execution_parameters()
        return text_response(404, f"no such path {shown(request.path)}: use POST /invocations or GET /ping")

    def invocations(self, request):
        raw_type = request.headers.get("content-type", "")
        content_type = media_type(raw_type)
        if content_type not in self.parsers:
            what = f"Content-Type {shown(raw_type)}" if raw_type else "no Content-Type header"
            return text_response(415, f"{what}: send text/csv or application/json")
        output = choose_output(request.headers.get("accept", ""), content_type)
        if output is None:
            return text_response(406, f"Accept {shown(request.headers['accept'])}: this endpoint answers text/csv or application/json")
        if content_type == CSV:
            refused = self.oversized_first_row(request.body)
            if refused is not None:
                return refused
        try:
            probabilities = self.scorer.score_rows(self.parsers[content_type](request.body))
        except RequestError as error:
            return text_response(error.status, _short(error.message))
        return Response(200, FORMATTERS[output](probabilities), content_type=output)

    def oversized_first_row(self, body):
        """400 for a first CSV row with far more fields than the schema has, before the scorer sees
        it: such a row can be neither a record nor a header, and the scorer's header-row check
        costs time quadratic in its field count. Linear: one scan of the first line, and only when
        that line has too many commas, one csv parse of the first record."""
        width = len(self.scorer.names)
        bound = 2 * width + 8
        end = body.find(b"\n")
        first = body if end < 0 else body[:end]
        if first.count(b",") < bound:
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None  # the scorer answers that (before looking at rows)
        if '"' in first.decode("utf-8", "replace"):
            try:
                fields = next(csv.reader(io.StringIO(text, newline=""), strict=True), [])
            except csv.Error:
                return None  # malformed CSV: the scorer's message says where
        else:
            fields = text[:end if end >= 0 else len(text)].split(",")
        if len(fields) <= bound:
            return None
        return text_response(
            400, f"row 1 (line 1): {len(fields)} values, expected {width} ({self.scorer._names_hint()}) "
            "for a record or a header row; a field with a comma must be double-quoted")

    def execution_parameters(self):
        body = {
            "MaxConcurrentTransforms": self.workers,
            "BatchStrategy": "MULTI_RECORD",
            "MaxPayloadInMB": max(1, self.limits.max_body_bytes // (1024 * 1024)),
        }
        return Response(200, json.dumps(body).encode(), content_type=JSON)


def _short(message):
    """An error message cut in the middle if a quoted value made it long (start and fix hint kept)."""
    if len(message) <= MAX_MESSAGE:
        return message
    return message[:MAX_MESSAGE - 200] + f" ...({len(message) - MAX_MESSAGE} characters cut)... " + message[-200:]


def _not_allowed(allowed):
    response = text_response(405, f"method not allowed here: use {allowed}")
    response.headers.append(("Allow", allowed))
    return response


def _env_number(environ, name, default, kind=int, minimum=1, maximum=None):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
        raise UserError(f"environment variable {name}={raw!r} must be a {kind.__name__} {bounds}")
    return value


def settings(environ):
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    limits = Limits(
        max_body_bytes=_env_number(environ, "SERVE_MAX_BODY_BYTES", Limits.max_body_bytes),
        idle_timeout=_env_number(environ, "SERVE_IDLE_TIMEOUT", Limits.idle_timeout, float, 0.1),
        request_timeout=_env_number(environ, "SERVE_REQUEST_TIMEOUT", Limits.request_timeout, float, 0.1),
        write_timeout=_env_number(environ, "SERVE_WRITE_TIMEOUT", Limits.write_timeout, float, 0.1),
        graceful_timeout=_env_number(environ, "SERVE_GRACEFUL_TIMEOUT", Limits.graceful_timeout, float, 0),
        max_connections=_env_number(environ, "SERVE_MAX_CONNECTIONS", Limits.max_connections),
        worker_timeout=_env_number(environ, "SERVE_WORKER_TIMEOUT", Limits.worker_timeout, float, 1),
    )
    return {
        "host": environ.get("SERVE_HOST", "").strip() or "0.0.0.0",
        "port": _env_number(environ, "SAGEMAKER_BIND_TO_PORT", 8080, int, 1, 65535),
        "workers": _env_number(environ, "SERVE_WORKERS", cpus),
        "limits": limits,
    }


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    try:
        config = settings(os.environ)
        model_dir = MLPaths.from_env().model_dir
        model = load_model(model_dir)
        scorer = Scorer(model)
        scorer.verify(model.check)
        listener = bind(config["host"], config["port"])
    except (UserError, OSError) as error:
        log.error("cannot start: %s", error)
        return 2
    log.info(
        "serving %s (%s scoring) on %s:%d with %d worker(s)",
        model_dir, scorer.mode, config["host"], config["port"], config["workers"],
    )
    app = Application(scorer, config["limits"], config["workers"])
    # Everything loaded so far lives as long as the process: keep it out of the garbage
    # collector's full passes (tens of ms each, a latency spike) and copy-on-write friendly.
    gc.collect()
    gc.freeze()
    return Master(listener, app, config["workers"], config["limits"]).run()


if __name__ == "__main__":
    sys.exit(main())
