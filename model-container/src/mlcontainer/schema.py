"""The model's input schema: feature columns, their order and kinds, and the categories seen.

Kinds are inferred from the training data (a column is numeric when every non-empty value
parses as a finite number) and can be pinned by a schema hint file (see load_hints).
"""
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .dataio import parse_numbers
from .errors import UserError

NUMERIC, CATEGORICAL = "numeric", "categorical"
SCHEMA_VERSION = 1
_KIND_ALIASES = {
    "numeric": NUMERIC, "number": NUMERIC, "double": NUMERIC, "float": NUMERIC,
    "integer": NUMERIC, "int": NUMERIC, "long": NUMERIC,
    "categorical": CATEGORICAL, "category": CATEGORICAL, "string": CATEGORICAL,
}


@dataclass
class Feature:
    name: str
    kind: str
    categories: list = field(default_factory=list)  # values the encoder knows, sorted
    categories_seen: int = 0  # distinct values in training, before the max_categories cap

    def to_json(self):
        out = {"name": self.name, "kind": self.kind}
        if self.kind == CATEGORICAL:
            out["categories"] = self.categories
            out["categories_seen"] = self.categories_seen
        return out


@dataclass
class Schema:
    label: str
    features: list

    @property
    def names(self):
        return [f.name for f in self.features]

    @property
    def kinds(self):
        return [f.kind for f in self.features]

    def of_kind(self, kind):
        return [f for f in self.features if f.kind == kind]

    def to_json(self):
        return {
            "schema_version": SCHEMA_VERSION,
            "label": self.label,
            "features": [f.to_json() for f in self.features],
            "unknown_categories": "scored as unknown (the encoder ignores them)",
            "missing_numbers": "an empty field is a missing value",
        }

    @classmethod
    def from_json(cls, data):
        features = [
            Feature(f["name"], f["kind"], list(f.get("categories", [])), int(f.get("categories_seen", 0)))
            for f in data["features"]
        ]
        return cls(data.get("label", "y"), features)

    def save(self, path):
        Path(path).write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path):
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def infer_schema(table, hints, max_categories):
    """Schema of a LabelledTable; hints ({name: kind}) override the inferred kinds."""
    features = []
    for name, raw in zip(table.columns, table.values):
        kind = hints.get(name)
        if kind is None:
            kind = _infer_kind(raw)
        elif kind == NUMERIC:
            _check_numeric(name, raw, table)
        if kind == NUMERIC:
            features.append(Feature(name, NUMERIC))
        else:
            features.append(_categorical(name, raw, max_categories))
    return Schema(table.label_name, features)


def _infer_kind(raw):
    numbers, bad = parse_numbers(raw)
    if bad is None and not np.isnan(numbers).all():  # all empty: nothing says it is a number
        return NUMERIC
    return CATEGORICAL


def _check_numeric(name, raw, table):
    _, bad = parse_numbers(raw)
    if bad is not None:
        raise UserError(
            f"{table.where(bad)}, column '{name}': {raw[bad]!r} is not a number, but the schema "
            "hint says the column is numeric: fix the value or declare the column categorical"
        )


def _categorical(name, raw, max_categories):
    counts = Counter(raw)
    kept = sorted(counts, key=lambda v: (-counts[v], v))[:max_categories]
    return Feature(name, CATEGORICAL, sorted(kept), len(counts))


def hint_files(paths):
    """Where schema hints may be: a 'schema' channel, or manifest.json/schema.json beside the train split."""
    schema_channel = paths.channel("schema")
    found = sorted(schema_channel.glob("*.json")) if schema_channel.is_dir() else []
    train = paths.channel("train")
    found += [train / n for n in ("manifest.json", "schema.json") if (train / n).is_file()]
    return found


def load_hints(files, columns):
    """{column: kind} from the ETL manifest ('columns': [{name, type}]) or a schema.json ('features')."""
    hints = {}
    for path in files:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise UserError(f"{path}: not a readable JSON schema hint ({error}); fix or remove the file") from None
        entries = (data.get("columns") or data.get("features") or []) if isinstance(data, dict) else []
        for entry in entries:
            name, kind = _hint_entry(entry, path)
            if name in columns:
                hints[name] = kind
    return hints


def _hint_entry(entry, path):
    if not isinstance(entry, dict) or "name" not in entry:
        raise UserError(f"{path}: each column entry must be an object with 'name' and 'type' (or 'kind')")
    raw_kind = str(entry.get("type", entry.get("kind", ""))).lower()
    kind = _KIND_ALIASES.get(raw_kind)
    if kind is None:
        raise UserError(
            f"{path}: column '{entry['name']}' has type {raw_kind!r}; use 'numeric' or 'categorical'"
        )
    return entry["name"], kind
