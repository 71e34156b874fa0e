"""Settings of `monitor`: the drift thresholds and the window, their defaults and their checks.

The thresholds travel with the model: `train` accepts them as hyperparameters named `monitor_<setting>`
(the pipeline passes the run settings' `monitoring` section that way) and writes the resolved set into
profile.json, so the scheduled job judges a window by the thresholds of the run that trained the model that
serves. A Processing job may still override them (processing/input/settings/*.json, MONITOR_SETTINGS).
"""
from . import capture
from .errors import UserError

# name: (default, what it means); every threshold is inclusive (value >= threshold trips it)
THRESHOLDS = {
    "psi_threshold": (0.2, "a feature has drifted when its PSI >= this"),
    "ks_statistic_threshold": (0.1, "a numeric feature has also drifted when KS D >= this and p < ks_p_value"),
    "ks_p_value": (0.01, "see ks_statistic_threshold"),
    "drifted_feature_share": (0.3, "alarm when the share of drifted features >= this"),
    "score_psi_threshold": (0.2, "alarm when the PSI of the score distribution >= this"),
    "max_schema_violation_rate": (0.01, "alarm when the schema violation rate > this"),
    "min_rows": (100, "fewer usable rows than this: drift is reported but not judged (no drift alarm)"),
}
WINDOW = {
    "endpoint": (None, "endpoint name for the report and metrics; default: from the capture path"),
    "window_start": (None, "ISO 8601 time: records with an earlier inferenceTime are left out (counted)"),
    "window_end": (None, "ISO 8601 time: records at or after it are left out (counted)"),
}
SETTINGS = {**THRESHOLDS, **WINDOW}
SHARES = ("drifted_feature_share", "max_schema_violation_rate", "ks_p_value")
HYPERPARAMETER_PREFIX = "monitor_"


def defaults():
    return {name: default for name, (default, _) in SETTINGS.items()}


def threshold_defaults():
    return {name: default for name, (default, _) in THRESHOLDS.items()}


def apply(settings, data, where, allowed=SETTINGS):
    """settings updated by the JSON object `data` from `where`; unknown names and bad values fail."""
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected a JSON object of settings, got {type(data).__name__}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise UserError(f"{where}: unknown setting(s) {unknown}; valid: {sorted(allowed)}")
    for name, value in data.items():
        settings[name] = check(name, value, where)
    return settings


def check(name, value, where):
    if name == "endpoint":
        if value is not None and not isinstance(value, str):
            raise UserError(f"{where}: endpoint must be a string, got {value!r}")
        return value
    if name in ("window_start", "window_end"):
        if value is not None and (not isinstance(value, str) or capture.parse_time(value) is None):
            raise UserError(f"{where}: {name} must be an ISO 8601 time such as 2026-12-03T10:00:00Z, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (
            float("inf"), float("-inf")) or value < 0:
        raise UserError(f"{where}: {name} must be a number >= 0, got {value!r}")
    if name in SHARES and value > 1:
        raise UserError(f"{where}: {name} is a share within [0, 1], got {value!r}")
    if name == "min_rows" and value != int(value):
        raise UserError(f"{where}: min_rows must be a whole number, got {value!r}")
    return int(value) if name == "min_rows" else value


def from_hyperparameters(raw):
    """The thresholds given as `monitor_<name>` hyperparameters (strings on SageMaker), checked."""
    given = {}
    for key, text in raw.items():
        if not key.startswith(HYPERPARAMETER_PREFIX):
            continue
        name = key[len(HYPERPARAMETER_PREFIX):]
        where = f"hyperparameter {key}={text!r}"
        if name not in THRESHOLDS:
            valid = ", ".join(HYPERPARAMETER_PREFIX + n for n in THRESHOLDS)
            raise UserError(f"unknown monitor hyperparameter {key}; valid: {valid} (set them in config/"
                            "run-settings.json under monitoring)")
        value = text
        if isinstance(text, str):
            try:
                value = float(text.strip())
            except ValueError:
                raise UserError(f"{where}: expected a number >= 0") from None
        given[name] = check(name, value, where)
    return given
