#!/usr/bin/python3
"""Compare hyperparameter sets by stratified k-fold cross-validation on train + validation.

The test split is never read: choosing a model by its test score would fit the test set.

    /usr/bin/python3 tools/model_selection.py ETL_OUTPUT_DIR [CANDIDATES.jsonl] [--folds 5] [--seed 7]

ETL_OUTPUT_DIR holds the ETL's train/ and validation/ folders (e.g. work/local-run/<ts>/etl). Each line
of CANDIDATES.jsonl is one hyperparameters.json object; without the file, a small built-in grid around
the defaults is used. Prints one JSON line per candidate: mean and standard deviation of the fold ROC
AUCs, the ROC AUC on the validation split when trained on train (what `train` reports), and the fit time.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from mlcontainer import hyperparameters  # noqa: E402
from mlcontainer.dataio import csv_files, read_labelled_csv, to_frame  # noqa: E402
from mlcontainer.modeling import build_pipeline, positive_probability  # noqa: E402
from mlcontainer.schema import infer_schema, load_hints  # noqa: E402

DEFAULT_CANDIDATES = [
    {},
    {"early_stopping": False, "max_iter": 150},
    {"early_stopping": False, "max_iter": 300},
    {"learning_rate": 0.03, "early_stopping": False, "max_iter": 300},
    {"min_samples_leaf": 100},
    {"min_samples_leaf": 200},
    {"max_leaf_nodes": 7},
    {"max_leaf_nodes": 31},
    {"l2_regularization": 10},
    {"max_leaf_nodes": 7, "min_samples_leaf": 100, "early_stopping": False, "max_iter": 300},
    {"validation_fraction": 0.2, "n_iter_no_change": 40},
    {"max_depth": 4, "early_stopping": False, "max_iter": 250},
]


def load_split(etl_dir, name):
    directory = etl_dir / name
    return read_labelled_csv(csv_files(directory, name), base=directory)


def evaluate(schema, X, y, X_train, y_train, X_val, y_val, raw, folds, seed):
    hp = hyperparameters.parse(raw)
    started = time.monotonic()
    aucs = []
    for fit_rows, score_rows in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        model = build_pipeline(schema, hp).fit(X.iloc[fit_rows], y[fit_rows])
        aucs.append(roc_auc_score(y[score_rows], positive_probability(model, X.iloc[score_rows])))
    model = build_pipeline(schema, hp).fit(X_train, y_train)
    return {
        "cv_roc_auc": round(float(np.mean(aucs)), 4),
        "cv_sd": round(float(np.std(aucs)), 4),
        "validation_roc_auc": round(float(roc_auc_score(y_val, positive_probability(model, X_val))), 4),
        "seconds": round(time.monotonic() - started, 1),
        "hyperparameters": raw,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("etl_dir", type=Path)
    parser.add_argument("candidates", type=Path, nargs="?")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    candidates = ([json.loads(line) for line in args.candidates.read_text().splitlines() if line.strip()]
                  if args.candidates else DEFAULT_CANDIDATES)
    train, validation = load_split(args.etl_dir, "train"), load_split(args.etl_dir, "validation")
    defaults = hyperparameters.parse({})
    schema = infer_schema(train, load_hints([], train.columns), defaults["max_categories"])
    X_train = to_frame(schema.names, train.values, schema.kinds)
    X_val = to_frame(schema.names, validation.values, schema.kinds)
    y_train, y_val = np.asarray(train.labels), np.asarray(validation.labels)
    X, y = pd.concat([X_train, X_val], ignore_index=True), np.concatenate([y_train, y_val])
    for raw in candidates:
        print(json.dumps(evaluate(schema, X, y, X_train, y_train, X_val, y_val, raw, args.folds, args.seed)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
