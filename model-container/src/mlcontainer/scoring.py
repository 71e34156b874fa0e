"""Turning request bodies (CSV or JSON records) into probabilities of y=1.

Two paths, numerically identical:
- fast: the fields are encoded straight into the matrix the fitted ColumnTransformer would
  produce (ordinal codes by dict lookup, numbers parsed once) and scored by the classifier,
  single records through FlatForest, batches through BatchForest (both bit-identical to
  predict_proba). A plain CSV body (no quotes) is split once and kept as columns (CsvRecords),
  so a batch is parsed and encoded column by column in a few numpy calls. Used for the
  default hist_gradient_boosting pipeline.
- generic: a pandas frame in schema order through pipeline.predict_proba. Used for any other
  pipeline, and whenever the fast path does not reproduce it exactly (checked at load time).
"""
import csv
import io
import json
import logging
import math
from array import array
from collections import Counter
from collections.abc import Sequence
from itertools import chain, repeat

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OrdinalEncoder

from .dataio import BadValue, is_blank, parse_column, to_frame
from .errors import UserError
from .fastforest import BatchForest, FlatForest
from . import native
from .schema import CATEGORICAL, NUMERIC

log = logging.getLogger(__name__)
SMALL_BATCH = 16  # up to this many records FlatForest beats sklearn's per-tree calls
NUMBER_CACHE = 100_000  # distinct numeric strings whose floats a worker keeps (about 10 MB)


class RequestError(Exception):
    """A client mistake: answered with this HTTP status and message, never a 5xx."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class CsvRecords(Sequence):
    """Records of a CSV body kept as columns: one list of raw strings per schema column (schema
    order). What csv_rows returns for a plain body; indexing gives a record as a list, as for
    the rows of any other body, so callers that want rows still get them."""

    def __init__(self, columns):
        self.columns = columns
        self.count = len(columns[0]) if columns else 0

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [[column[i] for column in self.columns] for i in range(*index.indices(self.count))]
        return [column[index] for column in self.columns]

    def rows(self):
        return [list(row) for row in zip(*self.columns)]


class EncodedRecords(CsvRecords):
    """Records of a plain CSV body already encoded by the native step (native.py): `matrix` is
    what FastEncoder.encode_columns gives for it. The raw columns (for callers that index the
    records or a path that needs strings) are made by the Python split on first use."""

    def __init__(self, matrix, split):
        self.matrix, self._split, self._columns = matrix, split, None
        self.count = len(matrix)

    @property
    def columns(self):
        if self._columns is None:
            self._columns = self._split().columns
        return self._columns


MAX_ECHO = 80  # characters of a received value a message quotes


def _echo(value):
    """repr of a received value for a message, cut to MAX_ECHO characters (a message never echoes a whole body)."""
    text = repr(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "..."


def _listed(values, limit=10):
    """The first `limit` values, each cut by _echo, and how many more there are."""
    shown = ", ".join(_echo(v) for v in values[:limit])
    return shown if len(values) <= limit else f"{shown} and {len(values) - limit} more"


def _ordinal(value):
    return f"{value}{'th' if 10 <= value % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(value % 10, 'th')}"


class FastEncoder:
    """The fitted ColumnTransformer's output, built without pandas, for the layouts it knows:
    OrdinalEncoder (unknown -> unknown_value) and numeric passthrough blocks."""

    def __init__(self, blocks, width, names):
        self.blocks, self.width = blocks, width
        self.number_cache = {}  # str -> float, see _numbers
        # per output column: (source column, its name, code table or None for a number, unknown code)
        self.plan = []
        for kind, columns, extra in blocks:
            tables, unknown = extra if kind == "codes" else ([None] * len(columns), None)
            self.plan += [(c, names[c], table, unknown) for c, table in zip(columns, tables)]
        # for encode_columns: (source column, output column, name) of the numbers, in schema order
        self.numeric = sorted((c, j, name) for j, (c, name, table, _) in enumerate(self.plan) if table is None)
        self.numeric_rows = [j for _, j, _ in self.numeric]
        self.categorical = [(c, j, table, unknown) for j, (c, _, table, unknown) in enumerate(self.plan) if table is not None]
        self.categorical_rows = [j for _, j, _, _ in self.categorical]

    @classmethod
    def for_pipeline(cls, pipeline, schema):
        preprocess = pipeline[0] if len(pipeline) == 2 else None
        if not isinstance(preprocess, ColumnTransformer):
            return None
        index, kinds = {n: i for i, n in enumerate(schema.names)}, dict(zip(schema.names, schema.kinds))
        blocks, width = [], 0
        for name, transformer, columns in preprocess.transformers_:
            if isinstance(transformer, str) and transformer == "drop":
                continue
            columns = list(columns)
            if any(c not in index for c in columns):
                return None
            if isinstance(transformer, str) and transformer == "passthrough":
                if any(kinds[c] != NUMERIC for c in columns):
                    return None
                blocks.append(("numbers", [index[c] for c in columns], None))
            elif cls._plain_ordinal(transformer):
                tables = [{c: float(code) for code, c in enumerate(cats)} for cats in transformer.categories_]
                blocks.append(("codes", [index[c] for c in columns], (tables, float(transformer.unknown_value))))
            else:
                return None
            width += len(columns)
        return cls(blocks, width, schema.names)

    @staticmethod
    def _plain_ordinal(transformer):
        return (
            isinstance(transformer, OrdinalEncoder)
            and transformer.handle_unknown == "use_encoded_value"
            and np.dtype(transformer.dtype) == np.float64
            and all(isinstance(c, str) for cats in transformer.categories_ for c in cats)
        )

    def encode_rows(self, rows):
        """Encode a few records given row-wise (raw strings or JSON values, schema order)."""
        X = np.empty((len(rows), self.width), dtype=np.float64)
        plan = self.plan
        for i, row in enumerate(rows):
            X[i] = [
                _number(row[c], i, name) if table is None else table.get(row[c], unknown)
                for c, name, table, unknown in plan
            ]
        return X

    def encode_columns(self, columns, n_rows):
        """The encoded matrix from raw string columns in schema order (CsvRecords.columns):
        every numeric field of the batch converted at once (see _numbers), each categorical
        field coded by one dict lookup. Raises BadValue as the row-wise paths do (first bad
        column in schema order)."""
        XT = np.empty((self.width, n_rows), dtype=np.float64)  # row j = output column j
        if self.numeric:
            numbers = self._numbers(list(chain.from_iterable(columns[c] for c, _, _ in self.numeric)))
            if numbers is None:  # a blank (missing) or bad field somewhere: parse column by column
                for c, j, name in self.numeric:
                    XT[j] = parse_column(name, columns[c], NUMERIC)
            else:
                XT[self.numeric_rows] = numbers.reshape(len(self.numeric), n_rows)
        if self.categorical:
            codes = []
            for c, _, table, unknown in self.categorical:
                codes += map(table.get, columns[c], repeat(unknown))
            XT[self.categorical_rows] = _float64(codes).reshape(-1, n_rows)
        return XT.T

    def _numbers(self, fields):
        """float64 of every field, or None if one is blank or not a finite number.

        Parsed by the call parse_numbers makes (np.array of the strings), so the very same
        floats. Tabular numbers repeat (ages, counts, rates with few decimals), so the floats
        of the strings seen are kept per worker (NUMBER_CACHE entries at most) and a batch
        whose numbers are all known is a dict lookup per field instead of a parse. Once the
        cache is full and a batch still brings unknown numbers, the cache is not consulted
        any more (numbers that do not repeat would only pay the lookups)."""
        cache = self.number_cache
        if cache is not None:
            known = list(map(cache.get, fields))
            if None not in known:
                return _float64(known)
        try:
            numbers = np.array(fields, dtype=np.float64)
        except (ValueError, TypeError, OverflowError):
            return None
        if numbers.shape != (len(fields),) or not np.isfinite(numbers).all():
            return None
        if cache is not None:
            if len(cache) < NUMBER_CACHE:
                cache.update(zip(fields, numbers.tolist()))
            else:
                self.number_cache = None
        return numbers

    def encode(self, parsed, n_rows):
        """parsed: per schema column, a float64 array (numeric) or object array of str."""
        X = np.empty((n_rows, self.width), dtype=np.float64)
        j = 0
        for kind, columns, extra in self.blocks:
            if kind == "numbers":
                for c in columns:
                    X[:, j] = parsed[c]
                    j += 1
            else:
                tables, unknown = extra
                for c, table in zip(columns, tables):
                    X[:, j] = [table.get(v, unknown) for v in parsed[c]]
                    j += 1
        return X


class Scorer:
    def __init__(self, model):
        self.pipeline, self.schema = model.pipeline, model.schema
        self.names, self.kinds = model.schema.names, model.schema.kinds
        self.positions = {name: i for i, name in enumerate(self.names)}
        classes = list(self.pipeline.classes_)
        if sorted(classes) != [0, 1]:
            raise UserError(f"the model's classes are {classes}; a binary 0/1 classifier is expected")
        self.positive = classes.index(1)
        self.classifier = self.pipeline[-1]
        self.encoder = FastEncoder.for_pipeline(self.pipeline, self.schema)
        self.forest = FlatForest(self.classifier) if self.encoder and FlatForest.supports(self.classifier) else None
        self.batch = BatchForest.try_build(self.classifier) if self.encoder else None
        self.native = self._native_encoder()

    def _native_encoder(self):
        if self.encoder is None or len(self.names) < 2:
            return None
        encode = native.library()
        return native.NativeEncoder.for_encoder(self.encoder, len(self.names), encode) if encode else None

    @property
    def mode(self):
        return "fast+flat-forest" if self.forest else "fast" if self.encoder else "generic"

    # --- scoring -----------------------------------------------------------------------------
    def score_rows(self, rows):
        """Probabilities of y=1 for records given row-wise as raw values in schema order."""
        if isinstance(rows, EncodedRecords) and self.encoder is not None:
            if self.forest is not None and len(rows) <= SMALL_BATCH:
                return self.forest.predict_positive(np.ascontiguousarray(rows.matrix), self._classifier_positive)
            return self._batch_positive(rows.matrix)
        columnar = isinstance(rows, CsvRecords)
        try:
            if self.forest is not None and len(rows) <= SMALL_BATCH:
                rows = rows.rows() if columnar else rows
                return self.forest.predict_positive(self.encoder.encode_rows(rows), self._classifier_positive)
            if columnar and self.encoder is not None:
                return self._batch_positive(self.encoder.encode_columns(rows.columns, len(rows)))
            parsed = self._parse(rows.columns if columnar else [list(c) for c in zip(*rows)])
        except BadValue as bad:
            raise self._bad_value(bad) from None
        if self.encoder is None:
            frame = pd.DataFrame(dict(zip(self.names, parsed)), columns=self.names)
            return self.pipeline.predict_proba(frame)[:, self.positive]
        return self._batch_positive(self.encoder.encode(parsed, len(rows)))

    def _batch_positive(self, X):
        if self.batch is not None:
            return self.batch.predict_positive(X, self._classifier_positive)
        return self._classifier_positive(X)

    def _classifier_positive(self, X):
        return self.classifier.predict_proba(np.ascontiguousarray(X))[:, self.positive]

    def _bad_value(self, bad):
        position = self.positions[bad.column] + 1
        return RequestError(
            400,
            f"row {bad.row + 1}, column '{bad.column}' ({_ordinal(position)}): {_echo(bad.value)} is not a "
            "number; send a decimal number, or an empty field for a missing value",
        )

    def _parse(self, columns):
        return [parse_column(name, raw, kind) for name, raw, kind in zip(self.names, columns, self.kinds)]

    # --- CSV ---------------------------------------------------------------------------------
    def csv_rows(self, body):
        """The records of a CSV body, in schema order: a CsvRecords for a plain body, else a
        list of rows. Raises RequestError for a body that is not such records.

        A plain ASCII body is encoded by the native step when it loaded (EncodedRecords); any
        body it does not take (see native/csvencode.c) goes the Python way below, unchanged."""
        if self.native is not None:
            records = self._native_rows(body)
            if records is not None:
                return records
        return self._python_csv_rows(body)

    def _native_rows(self, body):
        """EncodedRecords of a plain ASCII CSV body (header row optional), or None."""
        if not isinstance(body, bytes):
            return None
        end = body.find(b"\n")
        first = body if end < 0 else body[:end]
        if first.endswith(b"\r"):
            first = first[:-1]
        if b'"' in first or b"\r" in first:
            return None
        try:
            fields = first.decode("ascii").split(",")
        except UnicodeDecodeError:
            return None
        if len(fields) != len(self.names):
            return None
        try:
            order = self._header_order(fields)
        except RequestError:
            return None  # the Python path words it (after the checks it makes first)
        start = 0
        if order is not None:
            if end < 0:
                return None
            start = end + 1
            if order == list(range(len(order))):
                order = None
        n_rows = self.native.lines(body, start)
        if n_rows < 1:
            return None
        matrix, _ = self.native.matrix(body, start, n_rows, order)
        if matrix is None:
            return None
        return EncodedRecords(matrix, lambda: self._python_csv_rows(body))

    def _python_csv_rows(self, body):
        text = _decode(body)
        columns = _plain_csv_columns(text, len(self.names))
        if columns is not None:
            order = self._header_order([column[0] for column in columns])
            if order is None:
                return CsvRecords(columns)
            if len(columns[0]) == 1:
                raise RequestError(400, "the body has a header row but no records")
            return CsvRecords([columns[i][1:] for i in order])
        rows = _csv_rows(text)
        if not rows:
            raise RequestError(400, "empty body: send one or more CSV records (header row optional)")
        order = self._header_order(rows[0][1])
        if order is not None:
            rows = rows[1:]
            if not rows:
                raise RequestError(400, "the body has a header row but no records")
        width = len(self.names)
        for number, (line, fields) in enumerate(rows, start=1):
            if len(fields) != width:
                raise RequestError(
                    400,
                    f"row {number} (line {line}): {len(fields)} values, expected {width} "
                    f"({self._names_hint()}); a field with a comma must be double-quoted",
                )
        if order is None:
            return [fields for _, fields in rows]
        return [[fields[i] for i in order] for _, fields in rows]

    def _header_order(self, fields):
        """Column order when the first row is a header, None when it is a record."""
        names = [f.strip() for f in fields]
        known = [n for n in names if n in self.positions]
        if not known or len(known) * 2 < len(names):
            return None
        if len(names) == len(self.names) and set(names) == set(self.names):
            index = {n: i for i, n in enumerate(names)}
            return [index[n] for n in self.names]
        # Linear in the number of fields (a hostile header row may have hundreds of thousands).
        counts = Counter(names)
        unknown = [n for n in names if n not in self.positions]
        missing = [n for n in self.names if n not in counts]
        duplicated = sorted(n for n, c in counts.items() if c > 1)
        problems = [
            f"{label} {_listed(cols)}"
            for label, cols in (("unknown column(s)", unknown), ("missing column(s)", missing),
                                ("repeated column(s)", duplicated))
            if cols
        ]
        raise RequestError(400, f"row 1 (header): {'; '.join(problems)}; expected {self._names_hint()}")

    def _names_hint(self):
        return "columns " + ", ".join(self.names) + " (label excluded)"

    # --- JSON --------------------------------------------------------------------------------
    def json_rows(self, body):
        text = _decode(body)
        if not text.strip():
            raise RequestError(400, "empty body: send a JSON object or a list of objects")
        try:
            data = json.loads(text)
        except ValueError as error:
            raise RequestError(400, f"body is not valid JSON: {error}") from None
        except RecursionError:
            raise RequestError(400, "body is not a flat JSON object or list of objects (nested too deep)") from None
        records = [data] if isinstance(data, dict) else data
        if not isinstance(records, list) or not records:
            raise RequestError(400, "send one JSON object of column: value, or a non-empty list of them")
        converters = list(zip(self.names, [_JSON_CONVERTERS[kind] for kind in self.kinds]))
        rows = []
        for number, record in enumerate(records, start=1):
            self._check_record(number, record)
            rows.append([convert(record[name], number, name) for name, convert in converters])
        return rows

    def _check_record(self, number, record):
        if not isinstance(record, dict):
            raise RequestError(400, f"row {number}: expected a JSON object of column: value, got {type(record).__name__}")
        if len(record) != len(self.names) or any(k not in self.positions for k in record):
            unknown = [k for k in record if k not in self.positions]
            missing = [n for n in self.names if n not in record]
            problems = []
            if missing:
                problems.append("missing column(s) " + ", ".join(repr(c) for c in missing))
            if unknown:
                problems.append("unknown column(s) " + ", ".join(repr(c) for c in unknown))
            raise RequestError(400, f"row {number}: {'; '.join(problems)}; expected {self._names_hint()}")

    # --- self-check --------------------------------------------------------------------------
    def verify(self, check):
        """Replay model-check.json: the generic path must reproduce training's probabilities
        exactly (else the libraries drifted: refuse to serve), the fast path the generic one
        (else fall back to the generic path)."""
        records, expected = check.get("records"), check.get("probabilities")
        if not records:
            log.warning("model has no model-check.json: serving without the start-up self-check")
            return
        columns = [list(c) for c in zip(*records)]
        frame = to_frame(self.names, columns, self.kinds)
        generic = self.pipeline.predict_proba(frame)[:, self.positive]
        if not np.array_equal(generic, np.array(expected, dtype=np.float64)):
            raise UserError(
                "the model scores its check records differently than at training time: the libraries in "
                f"this image differ from the training image ({check.get('versions')}); retrain with this image"
            )
        if self.encoder is None:
            return
        fast_batch = self.score_rows(records)
        fast_columns = self.score_rows(CsvRecords([[str(v) for v in c] for c in columns]))
        fast_single = np.concatenate([self.score_rows([r]) for r in records])
        if not all(np.array_equal(fast, generic) for fast in (fast_batch, fast_columns, fast_single)):
            log.warning("fast scoring path differs from pipeline.predict_proba: using the generic path")
            self.encoder = self.forest = self.batch = self.native = None
            return
        if self.native is not None:
            body = "\n".join(",".join(str(v) for v in record) for record in records).encode("utf-8")
            if not np.array_equal(self.score_rows(self.csv_rows(body)), generic):
                log.warning("native CSV encoder differs from pipeline.predict_proba: CSV batches take the Python path")
                self.native = None


def _float64(floats):
    """A list of Python floats as a float64 array (array('d') converts them faster than numpy)."""
    return np.frombuffer(array("d", floats), dtype=np.float64)


def _decode(body):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(400, f"body is not UTF-8 text (invalid byte at offset {error.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


_NOT_SEPARATORS = bytes(b for b in range(256) if b not in b",\n")


def _plain_csv_columns(text, width):
    """The columns (lists of raw strings, body order) of a CSV body without quotes, blank lines
    or stray carriage returns, each line with exactly `width` fields: the body split once.
    None for any other body (the csv module path handles it and words the errors)."""
    if '"' in text or width < 2:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if text.endswith("\n"):
        text = text[:-1]
    # every line exactly width - 1 commas (a blank line has none): the commas and line breaks
    # of the body, in order, must be that pattern (UTF-8 never has these bytes inside a character)
    separators = text.encode().translate(None, _NOT_SEPARATORS) + b"\n"
    line = b"," * (width - 1) + b"\n"
    if separators != line * (len(separators) // len(line)):
        return None
    fields = text.replace("\n", ",").split(",")
    return [fields[j::width] for j in range(width)]


def _csv_rows(text):
    """[(line number, fields)] without blank lines; quotes handled by the csv module."""
    if '"' not in text:
        lines = text.split("\n")
        return [(i, line.rstrip("\r").split(",")) for i, line in enumerate(lines, start=1) if line.strip()]
    rows, reader = [], csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for fields in reader:
            if fields and not (len(fields) == 1 and not fields[0].strip()):
                rows.append((reader.line_num, fields))
    except csv.Error as error:
        raise RequestError(
            400,
            f"row {len(rows) + 1} (line {reader.line_num}): malformed CSV ({error}); quote a field "
            'containing commas or line breaks with "..." and double any quote inside it',
        ) from None
    return rows


def _number(value, row, name):
    """float(value) as the CSV/JSON paths agree on: blank or null = NaN; else a finite number."""
    try:
        number = float(value)
    except (ValueError, TypeError, OverflowError):
        if is_blank(value):
            return math.nan
        raise BadValue(row, name, value) from None
    if not math.isfinite(number) or isinstance(value, bool):
        raise BadValue(row, name, value)
    return number


def _json_number(value, row, name):
    if isinstance(value, bool) or not (value is None or isinstance(value, (int, float, str))):
        raise RequestError(400, f"row {row}, column '{name}': {json.dumps(value)} is not a number")
    return value


def _json_category(value, row, name):
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise RequestError(400, f"row {row}, column '{name}': {json.dumps(value)} is not a category (string)")


_JSON_CONVERTERS = {NUMERIC: _json_number, CATEGORICAL: _json_category}


def format_csv(probabilities):
    return ("\n".join(map(repr, probabilities.tolist())) + "\n").encode()


def format_json(probabilities):
    return json.dumps({"predictions": probabilities.tolist()}).encode()

