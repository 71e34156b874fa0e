"""`train`: fit the model on the train split, measure it on the validation split, write /opt/ml/model.

Prints `METRIC <name>=<value>` lines for SageMaker's metric definitions. On any error, writes
the reason to <prefix>/output/failure and exits non-zero.
"""
import json
import logging
import sys
import time

import numpy as np

from . import hyperparameters, monitor_settings
from .artifact import Model, runtime_versions, save_model, single_threaded
from .cli import run_job, setup_logging
from .dataio import BadValue, csv_files, read_labelled_csv, to_frame
from .errors import UserError
from .metrics import binary_metrics
from .modeling import build_pipeline, positive_probability
from .paths import MLPaths
from .profile import build_profile
from .schema import NUMERIC, hint_files, infer_schema, load_hints

log = logging.getLogger("train")
CHECK_ROWS = 300
UNSEEN = "__category_never_seen_in_training__"
METRIC_NAMES = {
    "train:roc_auc": ("train", "auc"), "train:pr_auc": ("train", "pr_auc"),
    "validation:roc_auc": ("validation", "auc"), "validation:pr_auc": ("validation", "pr_auc"),
    "validation:f1": ("validation", "f1"), "validation:accuracy": ("validation", "accuracy"),
    "validation:precision": ("validation", "precision"), "validation:recall": ("validation", "recall"),
    "validation:threshold": ("validation", "threshold"),
}


def read_split(paths, channel):
    directory = paths.channel(channel)
    if not directory.is_dir():
        raise UserError(
            f"channel directory {directory} is missing: the training job needs the '{channel}' channel "
            "(CSV, header row, 0/1 label first)"
        )
    return read_labelled_csv(csv_files(directory, f"the {channel} channel"), base=directory)


def frame_of(table, schema):
    try:
        return to_frame(schema.names, table.values, schema.kinds)
    except BadValue as bad:
        raise UserError(
            f"{table.where(bad.row)}, column '{bad.column}': {bad.value!r} is not a number but the column is "
            "numeric in the training split: fix the value (empty = missing)"
        ) from None


def check_same_columns(train, validation):
    if validation.columns != train.columns or validation.label_name != train.label_name:
        raise UserError(
            f"validation columns {[validation.label_name] + validation.columns} differ from train columns "
            f"{[train.label_name] + train.columns}: both splits must come from the same ETL run"
        )


def check_records(table, schema, count=CHECK_ROWS):
    """Raw records for the serving self-check: real rows, plus unseen categories and missing numbers."""
    rows = [list(r) for r in zip(*(values[:count] for values in table.values))]
    edge = []
    for i, feature in enumerate(schema.features):
        row = list(rows[i % len(rows)])
        row[i] = "" if feature.kind == NUMERIC else UNSEEN
        edge.append(row)
    edge.append(["" if f.kind == NUMERIC else UNSEEN for f in schema.features])
    return rows + edge


def fit(hp, schema, X_train, y_train):
    pipeline = build_pipeline(schema, hp)
    started = time.monotonic()
    pipeline.fit(X_train, y_train)
    single_threaded(pipeline)  # before any scoring: the check records must score as served
    classifier = pipeline[-1]
    log.info(
        "fitted %s in %.1f s%s", hp["algorithm"], time.monotonic() - started,
        f" ({classifier.n_iter_} iterations)" if hasattr(classifier, "n_iter_") else "",
    )
    return pipeline


def read_inputs(paths, hp):
    """(train table, validation table, schema)."""
    train_table, validation_table = read_split(paths, "train"), read_split(paths, "validation")
    check_same_columns(train_table, validation_table)
    if len(np.unique(train_table.labels)) < 2:
        raise UserError("the train split holds a single class: the ETL split must contain both 0 and 1 labels")
    schema = infer_schema(train_table, load_hints(hint_files(paths), train_table.columns), hp["max_categories"])
    log.info(
        "train %d rows (%d positive), validation %d rows; features: %s",
        train_table.rows, int(train_table.labels.sum()), validation_table.rows,
        ", ".join(f"{f.name}:{f.kind[:3]}" for f in schema.features),
    )
    return train_table, validation_table, schema


def model_check(pipeline, table, schema):
    """model-check.json: records and the probabilities the pipeline gives them now."""
    records = check_records(table, schema)
    frame = to_frame(schema.names, [list(c) for c in zip(*records)], schema.kinds)
    return {"versions": runtime_versions(), "columns": schema.names, "records": records,
            "probabilities": positive_probability(pipeline, frame).tolist()}


def train(paths):
    raw = hyperparameters.read(paths.hyperparameters)
    hp = hyperparameters.parse(raw)
    log.info("hyperparameters: %s", json.dumps(hp, sort_keys=True))
    train_table, validation_table, schema = read_inputs(paths, hp)
    X_train, X_validation = frame_of(train_table, schema), frame_of(validation_table, schema)
    pipeline = fit(hp, schema, X_train, train_table.labels)
    validation_scores = positive_probability(pipeline, X_validation)
    validation = binary_metrics(validation_table.labels, validation_scores, what="validation split")
    metrics = {
        "algorithm": hp["algorithm"],
        "hyperparameters": hp,
        "threshold": validation["threshold"],
        "threshold_rule": "maximises F1 on the validation split (predict 1 when score >= threshold)",
        "train": binary_metrics(train_table.labels, positive_probability(pipeline, X_train),
                                threshold=validation["threshold"], what="train split"),
        "validation": validation,
        "versions": runtime_versions(),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    profile = build_profile(schema, train_table.columns, train_table.values, validation_scores)
    given = monitor_settings.from_hyperparameters(raw)
    profile["settings"] = {**monitor_settings.threshold_defaults(), **given}
    profile["settings_from"] = ("defaults" if not given else
                                "hyperparameters " + ", ".join(sorted(monitor_settings.HYPERPARAMETER_PREFIX + k
                                                                      for k in given)) + "; defaults for the rest")
    check = model_check(pipeline, validation_table, schema)
    save_model(paths.model_dir, Model(pipeline, schema, metrics, check, profile))
    log.info("model written to %s", paths.model_dir)
    for name, (split, key) in METRIC_NAMES.items():
        print(f"METRIC {name}={metrics[split][key]!r}", flush=True)


def main():
    setup_logging()
    paths = MLPaths.from_env()
    return run_job(lambda: train(paths), paths.failure_file, "training")


if __name__ == "__main__":
    sys.exit(main())
