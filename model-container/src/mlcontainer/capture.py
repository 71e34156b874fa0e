"""SageMaker data capture files (JSON Lines) -> feature rows and scores, counting what is broken.

One capture record per line:
    {"captureData": {"endpointInput":  {"observedContentType": "text/csv", "mode": "INPUT",
                                        "data": "...", "encoding": "CSV"},
                     "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                                        "data": "0.12", "encoding": "CSV"}},
     "eventMetadata": {"eventId": "...", "inferenceTime": "2022-02-14T17:25:49Z"}, "eventVersion": "0"}
`encoding` CSV or JSON: `data` is the body as text; BASE64: the body base64-encoded. A CSV request
body holds one or more rows (a batch request; a first row of feature names is a header, as `serve`
accepts); a JSON body one object or a list of objects keyed by feature name. The response is what
`serve` answers: one score per line (text/csv) or {"predictions": [...]} (application/json).

Nothing here raises on bad data: a line that cannot be used is counted under a reason
(BAD_REASONS) with the first few examples kept, and the rest of the file and window is read.
"""
import base64
import binascii
import csv
import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# reasons a capture line (a whole record) is unusable
INVALID_JSON = "invalid_json"  # truncated or not JSON
NOT_A_CAPTURE_RECORD = "not_a_capture_record"  # JSON, but no captureData.endpointInput.data
UNKNOWN_ENCODING = "unknown_encoding"
BAD_BASE64 = "bad_base64"
NOT_UTF8 = "not_utf8"
UNKNOWN_CONTENT_TYPE = "unknown_content_type"
BAD_BODY = "bad_body"  # CSV that does not parse, JSON that is not objects
BAD_REASONS = (INVALID_JSON, NOT_A_CAPTURE_RECORD, UNKNOWN_ENCODING, BAD_BASE64, NOT_UTF8,
               UNKNOWN_CONTENT_TYPE, BAD_BODY)
# reasons a row inside a usable record is unusable (schema violations)
WRONG_COLUMN_COUNT = "wrong_column_count"
MISSING_FEATURE = "missing_feature"  # JSON object without every feature key
# reasons the response cannot be used (the rows still count for feature drift)
SCORE_PROBLEMS = ("unreadable_scores", "score_count_mismatch", "no_output")
EXAMPLES = 20
CSV_TYPES = ("text/csv", "application/csv", "text/plain")
JSON_TYPES = ("application/json", "application/jsonlines", "application/x-json")
HOUR_PATH = re.compile(r"(?:^|/)([^/]+)/([^/]+)/(\d{4})/(\d{2})/(\d{2})/(\d{2})/[^/]+$")


class Bad(Exception):
    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason


@dataclass
class Window:
    """Everything read from the capture files of one window."""

    names: list
    good: list = field(default_factory=list)  # usable rows (lists of raw values in feature order)
    scores: list = field(default_factory=list)
    files: int = 0
    records: int = 0  # capture lines that are not blank
    good_records: int = 0
    rows: int = 0  # rows decoded from usable records (good + bad)
    bad_records: Counter = field(default_factory=Counter)
    bad_rows: Counter = field(default_factory=Counter)
    score_problems: Counter = field(default_factory=Counter)
    bad_files: list = field(default_factory=list)
    examples: list = field(default_factory=list)
    outside_window: int = 0  # records whose inferenceTime is outside [start, end)
    first_time: str = None
    last_time: str = None
    endpoints: Counter = field(default_factory=Counter)  # (endpoint, variant) from the S3 path

    @property
    def columns(self):
        """One list of raw values per feature (the usable rows, transposed)."""
        if not self.good:
            return [[] for _ in self.names]
        return [list(column) for column in zip(*self.good)]

    @property
    def good_rows(self):
        return len(self.good)

    def note(self, counter, reason, where, detail):
        counter[reason] += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append({"where": where, "reason": reason, "detail": detail[:300]})


def capture_files(root):
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def parse_time(text):
    """An ISO 8601 time (`2026-12-03T10:00:00Z`, fractions and offsets allowed) as an aware datetime, or None."""
    try:
        value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def read_window(root, names, start=None, end=None):
    """Read every capture file under root (recursively) for a model with feature columns `names`.

    start/end (aware datetimes, optional): records whose eventMetadata.inferenceTime lies outside
    [start, end) are counted in outside_window and not used; records without a readable time are used.
    """
    window = Window(list(names))
    reader = RecordReader(window, start, end)
    root = Path(root)
    for path in capture_files(root):
        window.files += 1
        shown = str(path.relative_to(root))
        match = HOUR_PATH.search(shown)
        if match:
            window.endpoints[(match.group(1), match.group(2))] += 1
        try:
            with open(path, "rb") as handle:
                for number, line in enumerate(handle, 1):
                    if line.strip():
                        reader.line(line, shown, number)
        except OSError as error:
            window.bad_files.append({"file": shown, "error": str(error)})
    return window


class RecordReader:
    def __init__(self, window, start=None, end=None):
        self.window = window
        self.start, self.end = start, end
        self.names = window.names
        self.name_set = set(self.names)
        self.width = len(self.names)
        self.media_types = {}

    def line(self, line, shown, number):
        window = self.window
        window.records += 1
        where = f"{shown} line {number}"
        try:
            record = json.loads(line.decode("utf-8"))
            rows = self.input_rows(record)
        except Bad as bad:
            window.note(window.bad_records, bad.reason, where, str(bad))
            return
        except (ValueError, RecursionError) as error:  # json.JSONDecodeError, UnicodeDecodeError
            window.note(window.bad_records, INVALID_JSON, where, f"{type(error).__name__}: {error}")
            return
        metadata = record.get("eventMetadata")
        time = metadata.get("inferenceTime") if isinstance(metadata, dict) else None
        if (self.start or self.end) and isinstance(time, str):
            when = parse_time(time)
            if when is not None and ((self.start and when < self.start) or (self.end and when >= self.end)):
                window.outside_window += 1
                return
        window.good_records += 1
        if isinstance(time, str):
            if window.first_time is None or time < window.first_time:
                window.first_time = time
            if window.last_time is None or time > window.last_time:
                window.last_time = time
        window.rows += len(rows)
        bad = [row for row in rows if isinstance(row, Bad)]
        for row in bad:
            window.note(window.bad_rows, row.reason, where, str(row))
        if bad:
            window.good.extend(row for row in rows if not isinstance(row, Bad))
        else:
            window.good.extend(rows)
        scores = self.output_scores(record, len(rows), where)
        if scores is not None:
            if bad:
                scores = [s for s, row in zip(scores, rows) if not isinstance(row, Bad)]
            window.scores.extend(scores)

    def input_rows(self, record):
        try:
            part = record["captureData"]["endpointInput"]
        except (KeyError, TypeError):
            raise Bad(NOT_A_CAPTURE_RECORD, "no captureData.endpointInput") from None
        if not isinstance(part, dict):
            raise Bad(NOT_A_CAPTURE_RECORD, "captureData.endpointInput is not an object")
        body = decode(part)
        content_type = self.media_type(part.get("observedContentType"))
        if content_type in CSV_TYPES:
            return self.csv_rows(body)
        if content_type in JSON_TYPES:
            return self.json_rows(body)
        raise Bad(UNKNOWN_CONTENT_TYPE, f"observedContentType {part.get('observedContentType')!r}: "
                                        "expected text/csv or application/json")

    def csv_rows(self, body):
        if '"' in body:
            try:
                rows = [r for r in csv.reader(body.splitlines()) if r and r != [""]]
            except csv.Error as error:
                raise Bad(BAD_BODY, f"malformed CSV: {error}") from None
        else:
            rows = [line.split(",") for line in body.splitlines() if line.strip()]
        if not rows:
            raise Bad(BAD_BODY, "empty CSV body")
        order = None
        if len(rows[0]) == self.width and rows[0][0].strip() in self.name_set:
            first = [f.strip() for f in rows[0]]
            if set(first) == self.name_set:
                rows = rows[1:]
                if first != self.names:
                    order = [first.index(name) for name in self.names]
        out = []
        for row in rows:
            if len(row) != self.width:
                out.append(Bad(WRONG_COLUMN_COUNT, f"{len(row)} fields, the model has {self.width}"))
            else:
                out.append([row[i] for i in order] if order else row)
        return out

    def json_rows(self, body):
        try:
            data = json.loads(body)
        except ValueError as error:
            raise Bad(BAD_BODY, f"JSON body does not parse: {error}") from None
        if isinstance(data, dict) and isinstance(data.get("instances"), list):
            data = data["instances"]
        items = data if isinstance(data, list) else [data]
        if not items or not all(isinstance(i, dict) for i in items):
            raise Bad(BAD_BODY, "JSON body is not an object or a list of objects")
        out = []
        for item in items:
            missing = [n for n in self.names if n not in item]
            if missing:
                out.append(Bad(MISSING_FEATURE, f"object lacks {missing[:5]}"))
                continue
            out.append(["" if item[n] is None else str(item[n]) for n in self.names])
        return out

    def output_scores(self, record, expected, where):
        window = self.window
        part = record["captureData"].get("endpointOutput")
        if not isinstance(part, dict) or "data" not in part:
            window.score_problems["no_output"] += 1
            return None
        try:
            body = decode(part)
            if self.media_type(part.get("observedContentType")) in JSON_TYPES:
                data = json.loads(body)
                values = data.get("predictions") if isinstance(data, dict) else data
                if not isinstance(values, list):
                    values = [values]
                scores = [float(v["score"] if isinstance(v, dict) else v) for v in values]
            else:
                scores = [float(v) for v in body.split()]
        except (Bad, ValueError, TypeError, KeyError) as error:
            window.note(window.score_problems, "unreadable_scores", where, str(error))
            return None
        if len(scores) != expected:
            window.note(window.score_problems, "score_count_mismatch", where,
                        f"{len(scores)} scores for {expected} rows")
            return None
        return scores


    def media_type(self, value):
        if not isinstance(value, str):
            return media_type(value)
        known = self.media_types.get(value)
        if known is None:
            known = self.media_types[value] = media_type(value)
        return known


def media_type(value):
    return str(value or "").split(";", 1)[0].strip().lower()


def decode(part):
    """The body of endpointInput/endpointOutput as text."""
    data, encoding = part.get("data"), str(part.get("encoding", "")).upper()
    if not isinstance(data, str):
        raise Bad(NOT_A_CAPTURE_RECORD, "data is not a string")
    if encoding in ("CSV", "JSON"):
        return data
    if encoding == "BASE64":
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as error:
            raise Bad(BAD_BASE64, f"base64 does not decode: {error}") from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Bad(NOT_UTF8, f"decoded body is not UTF-8: {error}") from None
    raise Bad(UNKNOWN_ENCODING, f"encoding {part.get('encoding')!r}: expected CSV, JSON or BASE64")
