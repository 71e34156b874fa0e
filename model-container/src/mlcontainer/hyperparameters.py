"""Hyperparameters: which classifier, and its settings.

SageMaker passes every value as a string ({"learning_rate": "0.05"}); local runs may pass JSON
numbers or booleans. Unknown keys fail the run with the list of valid ones, so a typo never
passes silently. Keys starting with '_' or 'sagemaker_' are SageMaker's own and are ignored.
Keys starting with 'monitor_' are drift thresholds for `monitor` (monitor_settings.py): checked here,
stored with the model by `train`, not passed to the classifier.
"""
import json
import math
from dataclasses import dataclass

from . import monitor_settings
from .errors import UserError

DEFAULT_ALGORITHM = "hist_gradient_boosting"


@dataclass(frozen=True)
class Param:
    kind: str  # int | float | bool | choice | int_or_none | max_features
    default: object
    low: float = None
    high: float = None
    low_open: bool = False
    choices: tuple = ()
    help: str = ""

    def parse(self, key, raw):
        text = str(raw).lower() if isinstance(raw, bool) else str(raw).strip()
        try:
            value = _PARSERS[self.kind](self, text)
        except ValueError:
            raise UserError(f"hyperparameter {key}={raw!r} is invalid: expected {self.describe()}") from None
        if not self._in_range(value):
            raise UserError(f"hyperparameter {key}={raw!r} is out of range: expected {self.describe()}")
        return value

    def _in_range(self, value):
        if isinstance(value, (str, bool)) or value is None:
            return True
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return self.high is None or value <= self.high

    def describe(self):
        if self.kind in ("choice", "bool"):
            options = self.choices or ("true", "false")
            return "one of " + ", ".join(options) + f" (default {_show(self.default)})"
        lower = "" if self.low is None else ("> " if self.low_open else ">= ") + _show(self.low)
        upper = "" if self.high is None else f"<= {_show(self.high)}"
        bounds = " and ".join(b for b in (lower, upper) if b)
        if self.kind == "max_features":
            return f"a fraction of the features in (0, 1], 'sqrt' or 'log2' (default {_show(self.default)})"
        kind = "int" if self.kind == "int_or_none" else self.kind
        none = " or 'none'" if self.kind == "int_or_none" else ""
        return f"{kind} {bounds}{none} (default {_show(self.default)})"


def _show(value):
    return "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _parse_int(param, text):
    number = float(text)
    if not math.isfinite(number) or number != int(number):
        raise ValueError(text)
    return int(number)


def _parse_float(param, text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _parse_bool(param, text):
    words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if text.lower() not in words:
        raise ValueError(text)
    return words[text.lower()]


def _parse_choice(param, text):
    if text.lower() not in param.choices:
        raise ValueError(text)
    return text.lower()


def _parse_int_or_none(param, text):
    return None if text.lower() in ("none", "null", "") else _parse_int(param, text)


def _parse_max_features(param, text):
    if text.lower() in ("sqrt", "log2"):
        return text.lower()
    number = _parse_float(param, text)
    if not 0 < number <= 1:
        raise ValueError(text)
    return number


_PARSERS = {
    "int": _parse_int, "float": _parse_float, "bool": _parse_bool, "choice": _parse_choice,
    "int_or_none": _parse_int_or_none, "max_features": _parse_max_features,
}

COMMON = {
    "algorithm": Param("choice", DEFAULT_ALGORITHM,
                       choices=("hist_gradient_boosting", "random_forest", "logistic_regression")),
    "seed": Param("int", 42, low=0, high=2**32 - 1),
    "class_weight": Param("choice", "none", choices=("none", "balanced")),
    "max_categories": Param("int", 200, low=2, high=254),
}

ALGORITHMS = {
    "hist_gradient_boosting": {
        "learning_rate": Param("float", 0.05, low=0, high=1, low_open=True),
        "max_iter": Param("int", 500, low=1, high=10000),
        "max_leaf_nodes": Param("int", 15, low=2, high=4096),
        "max_depth": Param("int_or_none", None, low=1, high=256),
        "min_samples_leaf": Param("int", 50, low=1),
        "l2_regularization": Param("float", 1.0, low=0),
        "max_bins": Param("int", 255, low=2, high=255),
        "early_stopping": Param("bool", True),
        "n_iter_no_change": Param("int", 20, low=1),
        "validation_fraction": Param("float", 0.1, low=0, high=0.5, low_open=True),
    },
    "random_forest": {
        "n_estimators": Param("int", 300, low=1, high=5000),
        "max_depth": Param("int_or_none", None, low=1, high=1000),
        "min_samples_leaf": Param("int", 10, low=1),
        "max_features": Param("max_features", "sqrt"),
    },
    "logistic_regression": {
        "C": Param("float", 1.0, low=0, low_open=True),
        "max_iter": Param("int", 2000, low=1, high=100000),
        "tol": Param("float", 1e-4, low=0, low_open=True),
    },
}


def is_platform_key(key):
    return key.startswith("_") or key.startswith("sagemaker_")


def is_monitor_key(key):
    return key.startswith(monitor_settings.HYPERPARAMETER_PREFIX)


def parse(raw):
    """Validated hyperparameters with every default filled in, from the raw dict."""
    if not isinstance(raw, dict):
        raise UserError("hyperparameters.json must be a JSON object of name: value")
    monitor_settings.from_hyperparameters(raw)  # fails early on a bad threshold
    raw = {k: v for k, v in raw.items() if not is_platform_key(k) and not is_monitor_key(k)}
    algorithm = COMMON["algorithm"].parse("algorithm", raw.get("algorithm", DEFAULT_ALGORITHM))
    spec = {**COMMON, **ALGORITHMS[algorithm]}
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        raise UserError(
            f"unknown hyperparameter(s) {', '.join(unknown)} for algorithm {algorithm}; "
            f"valid: {', '.join(sorted(spec))}"
        )
    values = {key: param.default for key, param in spec.items()}
    values.update({key: spec[key].parse(key, value) for key, value in raw.items()})
    _check_combination(values, given=set(raw))
    return values


def _check_combination(values, given):
    if values["algorithm"] != "hist_gradient_boosting":
        return
    if "max_categories" not in given:  # the trees split at most max_bins categories
        values["max_categories"] = min(values["max_categories"], values["max_bins"])
    if values["max_categories"] > values["max_bins"]:
        raise UserError(
            f"max_categories={values['max_categories']} must not exceed max_bins={values['max_bins']} "
            "for hist_gradient_boosting: lower max_categories or raise max_bins"
        )


def read(path):
    """The raw hyperparameters.json object (absent file = {})."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        raw = json.loads(text) if text.strip() else {}
    except ValueError as error:
        raise UserError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(raw, dict):
        raise UserError(f"{path}: hyperparameters.json must be a JSON object of name: value")
    return raw


def load(path):
    """Parse hyperparameters.json (absent file = all defaults)."""
    return parse(read(path))


def reference():
    """Markdown table of every hyperparameter (for the README)."""
    lines = ["| algorithm | name | expected |", "|---|---|---|"]
    for name, param in COMMON.items():
        lines.append(f"| all | `{name}` | {param.describe()} |")
    for algorithm, spec in ALGORITHMS.items():
        for name, param in spec.items():
            lines.append(f"| {algorithm} | `{name}` | {param.describe()} |")
    return "\n".join(lines)
