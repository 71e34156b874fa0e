"""`monitor` (SageMaker Processing): drift of one window of endpoint data capture against the model's
reference profile.

Inputs: <prefix>/processing/input/capture/ (capture JSON Lines files, searched recursively, as
SageMaker writes them under <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/), <prefix>/processing/input/model/
(model.tar.gz or the extracted model directory, with schema.json and profile.json from `train`), and
optional settings (<prefix>/processing/input/settings/*.json, then the environment variable
MONITOR_SETTINGS holding a JSON object; see SETTINGS). Outputs in <prefix>/processing/monitoring/:
report.json (top-level `alarm` and `reasons`), report.html and metrics.json (CloudWatch
PutMetricData MetricData). With MONITOR_CLOUDWATCH_NAMESPACE set, the metrics are also sent to
CloudWatch (cloudwatch.py); with MONITOR_EMF_NAMESPACE set, also printed as Embedded Metric Format lines. An alarm is a result, not an error: the job exits 0 either way.
"""
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from . import capture, cloudwatch, drift, monitor_report, monitor_settings
from .artifact import PROFILE_FILE, SCHEMA_FILE, extract_model_archive, find_model_dir, write_json
from .cli import run_job, setup_logging
from .errors import UserError
from .paths import MLPaths
from .schema import NUMERIC, Schema

SETTINGS = monitor_settings.SETTINGS

log = logging.getLogger("monitor")

def load_settings(paths, environ=None, model_settings=None):
    """Defaults, then the thresholds stored with the model (profile.json `settings`, from `train`), then
    processing/input/settings/*.json in name order, then MONITOR_SETTINGS; a later source wins."""
    environ = os.environ if environ is None else environ
    settings = monitor_settings.defaults()
    sources = []
    if model_settings:
        sources.append(("the model's profile.json settings", model_settings, monitor_settings.THRESHOLDS))
    directory = paths.processing_settings
    if directory.is_dir():
        for path in sorted(directory.glob("*.json")):
            try:
                sources.append((str(path), json.loads(path.read_text(encoding="utf-8")), SETTINGS))
            except (OSError, ValueError) as error:
                raise UserError(f"{path}: not a readable JSON object ({error}); fix or remove the file") from None
    if environ.get("MONITOR_SETTINGS"):
        try:
            sources.append(("MONITOR_SETTINGS", json.loads(environ["MONITOR_SETTINGS"]), SETTINGS))
        except ValueError as error:
            raise UserError(f"MONITOR_SETTINGS is not JSON ({error}): set it to an object such as "
                            '{"psi_threshold": 0.25}') from None
    for where, data, allowed in sources:
        monitor_settings.apply(settings, data, where, allowed)
    return settings


def parse_numeric(raw):
    """(float array, missing mask, invalid mask): blank = missing, text or inf/nan = invalid (NaN in both)."""
    try:
        numbers = np.array(raw, dtype=np.float64)
        finite = np.isfinite(numbers)
        if finite.all():
            none = np.zeros(len(raw), dtype=bool)
            return numbers, none, none
    except (ValueError, TypeError):
        pass
    numbers = np.full(len(raw), np.nan)
    missing = np.zeros(len(raw), dtype=bool)
    invalid = np.zeros(len(raw), dtype=bool)
    for i, value in enumerate(raw):
        text = value.strip()
        if not text:
            missing[i] = True
            continue
        try:
            number = float(text)
        except ValueError:
            invalid[i] = True
            continue
        if np.isfinite(number):
            numbers[i] = number
        else:
            invalid[i] = True
    return numbers, missing, invalid


def _bin_labels(cuts):
    if not cuts:
        return ["all values"]
    labels = [f"<= {cuts[0]:.4g}"]
    labels += [f"({a:.4g}, {b:.4g}]" for a, b in zip(cuts, cuts[1:])]
    return labels + [f"> {cuts[-1]:.4g}"]


def numeric_drift(reference, numbers, missing, settings):
    present = numbers[~np.isnan(numbers)]
    n_missing = int(missing.sum())
    ref_missing = reference["missing_rate"]
    live_counts = np.append(drift.bin_counts(reference["cuts"], present), n_missing)
    ref_fractions = np.append(np.asarray(reference["fractions"]) * (1 - ref_missing), ref_missing)
    total = len(present) + n_missing
    ks_d, ks_p = (drift.ks_against_quantiles(reference["quantiles"], reference["count"], present)
                  if reference.get("quantiles") else (None, None))
    result = {
        "psi": drift.psi(ref_fractions, live_counts),
        "ks_statistic": ks_d, "ks_p_value": ks_p,
        "missing_rate": n_missing / total if total else None,
        "reference_missing_rate": ref_missing,
        "live_mean": float(present.mean()) if len(present) else None,
        "reference_mean": reference.get("mean"),
        "buckets": _buckets(_bin_labels(reference["cuts"]) + ["missing"], ref_fractions, live_counts),
    }
    result["drifted"] = bool(
        (result["psi"] is not None and result["psi"] >= settings["psi_threshold"])
        or (ks_d is not None and ks_d >= settings["ks_statistic_threshold"] and ks_p < settings["ks_p_value"])
    )
    return result


def categorical_drift(reference, raw, model_categories, settings):
    counts = Counter(raw)
    n_missing = sum(c for v, c in counts.items() if not v.strip())
    ref_fractions = dict(reference["fractions"])
    pooled = ref_fractions.pop("__other__", 0.0)
    known = list(ref_fractions)
    present = len(raw) - n_missing
    live_known = [counts.get(v, 0) for v in known]
    unseen = present - sum(live_known)
    ref_missing = reference["missing_rate"]
    fractions = np.array([ref_fractions[v] for v in known] + [pooled]) * (1 - ref_missing)
    fractions = np.append(fractions, ref_missing)
    live_counts = np.array(live_known + [unseen, n_missing])
    model_known = set(model_categories)
    unknown_to_model = sum(c for v, c in counts.items() if v.strip() and v not in model_known)
    result = {
        "psi": drift.psi(fractions, live_counts),
        "missing_rate": n_missing / len(raw) if raw else None,
        "reference_missing_rate": ref_missing,
        "unknown_category_rate": unseen / present if present else None,
        "unknown_to_model_rate": unknown_to_model / present if present else None,
        "unseen_values": [v for v, _ in Counter({v: c for v, c in counts.items()
                                                  if v.strip() and v not in ref_fractions}).most_common(10)],
        "buckets": _buckets(known + ["(unseen)", "missing"], fractions, live_counts),
    }
    result["drifted"] = bool(result["psi"] is not None and result["psi"] >= settings["psi_threshold"])
    return result


def _buckets(labels, reference, live_counts):
    total = float(np.sum(live_counts))
    return [{"bucket": str(label), "reference": float(r), "live": (float(c) / total) if total else 0.0}
            for label, r, c in zip(labels, reference, live_counts)]


def score_drift(reference, scores):
    scores = np.asarray(scores, dtype=np.float64)
    scores = scores[np.isfinite(scores)]
    counts = drift.bin_counts(reference["cuts"], scores)
    ks_d, ks_p = drift.ks_against_quantiles(reference["quantiles"], reference["count"], scores)
    return {
        "count": int(len(scores)),
        "psi": drift.psi(reference["fractions"], counts),
        "ks_statistic": ks_d, "ks_p_value": ks_p,
        "reference_mean": reference.get("mean"),
        "live_mean": float(scores.mean()) if len(scores) else None,
        "buckets": _buckets(_bin_labels(reference["cuts"]), reference["fractions"], counts),
    }


def analyse(window, schema, profile, settings):
    """report.json's content for a window read by capture.read_window."""
    references = {f["name"]: f for f in profile["features"]}
    missing = [n for n in schema.names if n not in references]
    if missing:
        raise UserError(f"profile.json has no reference for {missing}: the profile does not belong to this "
                        "model; retrain so train writes both")
    features, invalid_rows = [], np.zeros(window.good_rows, dtype=bool)
    for feature, raw in zip(schema.features, window.columns):
        reference = references[feature.name]
        if feature.kind == NUMERIC:
            numbers, missing_mask, invalid = parse_numeric(raw)
            invalid_rows |= invalid
            result = numeric_drift(reference, numbers, missing_mask, settings)
            result["not_a_number_rate"] = float(invalid.mean()) if len(raw) else None
        else:
            result = categorical_drift(reference, raw, feature.categories, settings)
        features.append({"name": feature.name, "kind": feature.kind, **result})
    bad_records = sum(window.bad_records.values())
    bad_rows = sum(window.bad_rows.values())
    violating = bad_records + bad_rows + int(invalid_rows.sum())
    units = bad_records + window.rows
    violation_rate = violating / units if units else 0.0
    usable = window.good_rows - int(invalid_rows.sum())
    judged = usable >= settings["min_rows"]
    drifted = [f["name"] for f in features if f["drifted"]]
    share = len(drifted) / len(features) if features else 0.0
    score = score_drift(profile["score"], window.scores)
    reasons, notes = [], []
    if violation_rate > settings["max_schema_violation_rate"]:
        reasons.append(f"schema violation rate {violation_rate:.4f} > max_schema_violation_rate "
                       f"{settings['max_schema_violation_rate']} ({violating} of {units} records/rows unusable)")
    if judged:
        if share >= settings["drifted_feature_share"]:
            reasons.append(f"{len(drifted)} of {len(features)} features drifted ({share:.2f} >= drifted_feature_share "
                           f"{settings['drifted_feature_share']}): {', '.join(drifted)}")
        if score["psi"] is not None and score["count"] >= settings["min_rows"] \
                and score["psi"] >= settings["score_psi_threshold"]:
            reasons.append(f"score distribution PSI {score['psi']:.4f} >= score_psi_threshold "
                           f"{settings['score_psi_threshold']} (mean {score['live_mean']:.4f}, "
                           f"reference {score['reference_mean']:.4f})")
    else:
        notes.append(f"{usable} usable rows < min_rows {settings['min_rows']}: drift reported but not judged")
    if window.records == 0:
        notes.append("no capture records in the window (no traffic, or the capture input is empty)")
    endpoint, variant = _endpoint(window, settings)
    return {
        "alarm": bool(reasons),
        "reasons": reasons,
        "notes": notes,
        "endpoint": endpoint,
        "variant": variant,
        "window": {"first_inference_time": window.first_time, "last_inference_time": window.last_time,
                   "files": window.files, "records": window.records, "rows": window.rows,
                   "outside_window": window.outside_window},
        "request_count": window.good_records,
        "schema_violations": {
            "rate": violation_rate,
            "bad_records": dict(window.bad_records), "bad_rows": dict(window.bad_rows),
            "rows_with_non_numbers": int(invalid_rows.sum()),
            "bad_files": window.bad_files, "examples": window.examples,
        },
        "drift": {"judged": judged, "features_checked": len(features), "drifted_features": drifted,
                  "drifted_share": share},
        "score": {**score, "problems": dict(window.score_problems)},
        "features": features,
        "settings": settings,
    }


def _endpoint(window, settings):
    if window.endpoints:
        (endpoint, variant), _ = window.endpoints.most_common(1)[0]
    else:
        endpoint, variant = "unknown", None
    return settings["endpoint"] or endpoint, variant


def load_reference(input_dir, scratch):
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise UserError(f"model input {input_dir} is missing: map the model's model.tar.gz there")
    archives = sorted(input_dir.rglob("*.tar.gz"))
    model_dir = find_model_dir(extract_model_archive(archives[0], scratch) if archives else input_dir)
    if not (model_dir / PROFILE_FILE).is_file():
        raise UserError(f"{model_dir} has no {PROFILE_FILE}: the model was trained before `train` wrote the drift "
                        "reference; retrain it with this image")
    schema = Schema.load(model_dir / SCHEMA_FILE)
    profile = json.loads((model_dir / PROFILE_FILE).read_text(encoding="utf-8"))
    metrics_path = model_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    return schema, profile, metrics


def monitor(paths, environ=None):
    environ = os.environ if environ is None else environ
    started = time.monotonic()
    capture_dir = paths.processing_capture
    if not capture_dir.is_dir():
        raise UserError(f"capture input {capture_dir} is missing: map the window's data capture prefix "
                        "(s3://.../<endpoint>/<variant>/yyyy/mm/dd/hh/) there")
    with tempfile.TemporaryDirectory(prefix="model-") as scratch:
        schema, profile, metrics = load_reference(paths.processing_model, scratch)
    settings = load_settings(paths, environ, profile.get("settings"))
    start, end = (capture.parse_time(settings[k]) if settings[k] else None for k in ("window_start", "window_end"))
    window = capture.read_window(capture_dir, schema.names, start, end)
    report = analyse(window, schema, profile, settings)
    report["model"] = {k: metrics.get(k) for k in ("algorithm", "trained_at", "threshold")}
    report["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = paths.monitoring_dir
    out.mkdir(parents=True, exist_ok=True)
    data = cloudwatch.metric_data(report)
    write_json(out / "metrics.json", {"Namespace": environ.get("MONITOR_CLOUDWATCH_NAMESPACE"), "MetricData": data})
    monitor_report.write_report(out / "report.html", report)
    report["seconds"] = round(time.monotonic() - started, 3)
    write_json(out / "report.json", report)
    log.info("window: %d records (%d bad), %d rows; drifted %s; score PSI %s; alarm %s %s",
             window.records, sum(window.bad_records.values()), window.rows, report["drift"]["drifted_features"],
             report["score"]["psi"], report["alarm"], report["reasons"])
    if environ.get("MONITOR_EMF_NAMESPACE"):
        for line in cloudwatch.emf_lines(environ["MONITOR_EMF_NAMESPACE"], data):
            print(line, flush=True)
    namespace = environ.get("MONITOR_CLOUDWATCH_NAMESPACE")
    if namespace:
        cloudwatch.put_metric_data(namespace, data, environ)
        log.info("sent %d metrics to CloudWatch namespace %s", len(data), namespace)
    return report


def main():
    setup_logging()
    paths = MLPaths.from_env()
    return run_job(lambda: monitor(paths), paths.output_dir / "message", "monitoring")


if __name__ == "__main__":
    sys.exit(main())
