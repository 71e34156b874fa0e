"""Reading the labelled CSV splits (header row, label first) and turning raw strings into a frame.

The same number parser is used here (train, evaluate) and by the server, so a record scores
the same whichever way it arrives.
"""
import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import UserError


def parse_numbers(values):
    """Parse strings (or JSON numbers) into float64.

    Returns (array, index of the first invalid value or None). An empty or blank field is a
    missing value (NaN); text that is not a finite number is invalid.
    """
    try:
        numbers = np.array(values, dtype=np.float64)
        if numbers.shape != (len(values),):
            raise ValueError("not a flat list of numbers")
    except (ValueError, TypeError, OverflowError):
        numbers = np.empty(len(values), dtype=np.float64)
        for i, value in enumerate(values):
            if is_blank(value):
                numbers[i] = np.nan
                continue
            try:
                numbers[i] = float(value)
            except (ValueError, TypeError, OverflowError):
                return numbers, i
    finite = np.isfinite(numbers)
    if not finite.all():
        for i in np.flatnonzero(~finite):
            if not is_blank(values[i]):
                return numbers, int(i)
    return numbers, None


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class LabelledTable:
    """A labelled split as raw strings, with where each row came from (for error messages)."""

    label_name: str
    columns: list
    labels: np.ndarray
    values: list  # one list of raw strings per feature column
    origins: list = field(default_factory=list)  # (file name, first row index) per file
    lines: np.ndarray = None  # line number of each row in its file

    @property
    def rows(self):
        return len(self.labels)

    def where(self, row):
        """'train/part-0.csv line 12' for a row index."""
        name = self.origins[0][0]
        for file_name, first_row in self.origins:
            if first_row > row:
                break
            name = file_name
        return f"{name} line {int(self.lines[row])}"


def csv_files(directory, what):
    """The CSV files of a channel, sorted; fails when there are none."""
    directory = Path(directory)
    files = sorted(p for p in directory.rglob("*.csv") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise UserError(
            f"no *.csv files in {directory} ({what}): provide the split as CSV files with a header "
            "row and the 0/1 label first"
        )
    return files


def read_labelled_csv(files, base=None):
    """Read one split from one or more CSV files with identical headers."""
    header, labels, rows, lines, origins = None, [], [], [], []
    for path in files:
        shown = _shown_name(path, base)
        file_header, file_rows, file_lines = _read_file(path, shown)
        if file_header is None:
            continue  # an empty part file, as Spark writes for empty partitions
        if header is None:
            header = file_header
        elif file_header != header:
            raise UserError(
                f"{shown}: header {file_header} differs from {origins[0][0]}'s {header}: "
                "all files of a split must have the same columns in the same order"
            )
        origins.append((shown, len(rows)))
        rows.extend(file_rows)
        lines.extend(file_lines)
    if header is None:
        raise UserError(f"{', '.join(str(f) for f in files)}: no header row found: the split is empty")
    if len(header) < 2:
        raise UserError(f"{origins[0][0]}: header {header} has no feature columns after the label")
    table = LabelledTable(header[0], header[1:], None, None, origins, np.array(lines, dtype=np.int64))
    if not rows:
        raise UserError(f"{origins[0][0]}: the split has a header but no rows")
    columns = list(zip(*rows))
    table.labels = _parse_labels(columns[0], table)
    table.values = [list(c) for c in columns[1:]]
    return table


def _shown_name(path, base):
    path = Path(path)
    if base is not None:
        try:
            return str(path.relative_to(Path(base).parent))
        except ValueError:
            pass
    return str(path)


def _read_file(path, shown):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header, rows, lines = None, [], []
        try:
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                if header is None:
                    header = [name.strip() for name in record]
                    continue
                if len(record) != len(header):
                    raise UserError(
                        f"{shown} line {reader.line_num}: {len(record)} fields, the header has "
                        f"{len(header)}: fix the row or the delimiter (comma-separated expected)"
                    )
                rows.append(record)
                lines.append(reader.line_num)
        except UnicodeDecodeError as error:
            raise UserError(f"{shown}: not UTF-8 text ({error.reason} at byte {error.start})") from None
        except csv.Error as error:
            raise UserError(f"{shown} line {reader.line_num}: malformed CSV ({error})") from None
    return header, rows, lines


def _parse_labels(raw, table):
    numbers, bad = parse_numbers(list(raw))
    if bad is None:
        missing = np.flatnonzero(np.isnan(numbers))
        bad = int(missing[0]) if len(missing) else None
    if bad is None:
        not_binary = np.flatnonzero((numbers != 0) & (numbers != 1))
        bad = int(not_binary[0]) if len(not_binary) else None
    if bad is not None:
        raise UserError(
            f"{table.where(bad)}: label '{table.label_name}' is {raw[bad]!r}; the first column must "
            "be the label as 0 or 1 (map yes/no to 1/0 in the ETL)"
        )
    return numbers.astype(np.int64)


class BadValue(ValueError):
    """A field that does not fit its column: which row (0-based), column and value."""

    def __init__(self, row, column, value):
        super().__init__(f"row {row}, column {column!r}: {value!r} is not a number")
        self.row, self.column, self.value = row, column, value


def parse_column(name, raw, kind):
    """Numeric columns become float64 (blank = NaN), categorical ones an object array of str."""
    if kind == "numeric":
        numbers, bad = parse_numbers(raw)
        if bad is not None:
            raise BadValue(bad, name, raw[bad])
        return numbers
    return np.array(raw, dtype=object)


def to_frame(columns, values, kinds):
    """The frame the pipeline is fitted on and scores: one column per feature, schema order.

    Raises BadValue for a numeric field that is not a number.
    """
    data = {name: parse_column(name, raw, kind) for name, raw, kind in zip(columns, values, kinds)}
    return pd.DataFrame(data, columns=list(columns))
