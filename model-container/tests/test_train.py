"""The real `train` entry point on splits cut from the bank data."""
import json
import re

import numpy as np
import pytest
from conftest import FAST_HYPERPARAMETERS, layout, run_entry, train_here

CONTRACT_METRICS = ["train:roc_auc", "validation:roc_auc", "validation:pr_auc", "validation:f1", "validation:accuracy"]


def metric_lines(stdout):
    """What SageMaker's MetricDefinitions extract: regex `METRIC <name>=([-+0-9.eE]+)` per name."""
    return {
        name: float(match.group(1))
        for name in CONTRACT_METRICS
        for match in [re.search(f"METRIC {re.escape(name)}=([-+0-9.eE]+)", stdout)]
        if match
    }


def test_prints_every_contract_metric_once(trained):
    _, result = trained
    found = metric_lines(result.stdout)
    assert sorted(found) == sorted(CONTRACT_METRICS)
    for name in CONTRACT_METRICS:
        assert result.stdout.count(f"METRIC {name}=") == 1
    assert 0.75 < found["validation:roc_auc"] < 1
    assert 0 < found["validation:f1"] < 1


def test_writes_model_schema_metrics_and_check(trained):
    model_dir = trained[0] / "model"
    assert {p.name for p in model_dir.iterdir()} >= {"model.joblib", "schema.json", "metrics.json", "model-check.json"}
    schema = json.loads((model_dir / "schema.json").read_text())
    kinds = {f["name"]: f["kind"] for f in schema["features"]}
    assert schema["label"] == "y"
    assert "duration" not in kinds and "y" not in kinds
    assert kinds["age"] == kinds["emp.var.rate"] == kinds["pdays"] == "numeric"
    assert kinds["job"] == kinds["month"] == kinds["poutcome"] == "categorical"
    job = next(f for f in schema["features"] if f["name"] == "job")
    assert "admin." in job["categories"] and job["categories_seen"] == len(job["categories"]) == 12
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["algorithm"] == "hist_gradient_boosting"
    assert 0 < metrics["threshold"] < 1
    assert metrics["versions"]["scikit-learn"] == "1.2.1"


def test_default_model_reaches_roc_auc_080_on_the_test_split(model, test_table, expected):
    from sklearn.metrics import roc_auc_score

    auc = roc_auc_score(test_table.labels, expected)
    print(f"test split ROC AUC {auc:.4f}")
    assert auc >= 0.80


def test_no_output_failure_file_on_success(trained):
    assert not (trained[0] / "output" / "failure").exists()


def test_hyperparameters_select_and_tune_the_classifier(other_trained):
    import joblib

    prefix, hyperparameters, stdout = other_trained
    pipeline = joblib.load(prefix / "model" / "model.joblib")
    expected_class = {"random_forest": "RandomForestClassifier", "logistic_regression": "LogisticRegression"}
    assert type(pipeline[-1]).__name__ == expected_class[hyperparameters["algorithm"]]
    params = pipeline[-1].get_params()
    for key, value in hyperparameters.items():
        if key in params:
            assert str(params[key]).lower() == value or float(params[key]) == float(value), key
    assert params.get("n_jobs") in (None, 1)  # scoring single-threaded, see artifact.single_threaded
    assert metric_lines(stdout)["validation:roc_auc"] > 0.75


def test_gradient_boosting_settings_reach_the_classifier(tmp_path, splits, monkeypatch):
    import joblib

    hyperparameters = {**FAST_HYPERPARAMETERS, "max_leaf_nodes": "7", "class_weight": "balanced", "max_bins": "100"}
    prefix = layout(tmp_path, splits, hyperparameters)
    assert train_here(prefix, monkeypatch) == 0
    params = joblib.load(prefix / "model" / "model.joblib")[-1].get_params()
    assert (params["max_leaf_nodes"], params["class_weight"], params["max_bins"], params["max_iter"]) == (7, "balanced", 100, 40)
    assert json.loads((prefix / "model" / "metrics.json").read_text())["hyperparameters"]["max_categories"] == 100
    assert params["early_stopping"] is False and params["learning_rate"] == 0.2


def test_schema_hint_pins_a_column_kind(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    manifest = {"columns": [{"name": "previous", "type": "categorical"}, {"name": "job", "type": "categorical"}]}
    (prefix / "input" / "data" / "train" / "manifest.json").write_text(json.dumps(manifest))
    assert train_here(prefix, monkeypatch) == 0
    schema = json.loads((prefix / "model" / "schema.json").read_text())
    previous = next(f for f in schema["features"] if f["name"] == "previous")
    assert previous["kind"] == "categorical" and "0" in previous["categories"]


def test_reads_every_part_file_of_a_split(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    train_dir = prefix / "input" / "data" / "train"
    lines = (train_dir / "part-00000.csv").read_text().splitlines(keepends=True)
    half = len(lines) // 2
    (train_dir / "part-00000.csv").write_text("".join(lines[:half]))
    (train_dir / "part-00001.csv").write_text(lines[0] + "".join(lines[half:]))
    (train_dir / "part-00002.csv").write_text("")  # Spark writes empty parts for empty partitions
    assert train_here(prefix, monkeypatch) == 0
    metrics = json.loads((prefix / "model" / "metrics.json").read_text())
    assert metrics["train"]["rows"] == len(lines) - 1


def test_missing_numbers_are_learnt_as_missing(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    path = prefix / "input" / "data" / "train" / "part-00000.csv"
    lines = path.read_text().splitlines()
    lines[5] = ",".join("" if i == 1 else v for i, v in enumerate(lines[5].split(",")))  # blank age
    path.write_text("\n".join(lines) + "\n")
    assert train_here(prefix, monkeypatch) == 0


# --- failures: a reason in <prefix>/output/failure and a non-zero exit --------------------------
# One failure runs the real process; the others call the same main() in this process (the
# start-up of a Python process with scikit-learn costs seconds on a busy 2-core machine).
def failed(prefix, monkeypatch):
    assert train_here(prefix, monkeypatch) != 0
    return failure_reason(prefix)


def failure_reason(prefix):
    failure = (prefix / "output" / "failure").read_text()
    assert failure.strip() and "Traceback" not in failure
    return failure


def test_fails_on_unknown_hyperparameter(tmp_path, splits):
    prefix = layout(tmp_path, splits, {"lerning_rate": "0.1"})
    result = run_entry("train", prefix)
    assert result.returncode != 0
    failure = failure_reason(prefix)
    assert "lerning_rate" in failure and "learning_rate" in failure
    assert failure.strip() in result.stdout + result.stderr


def test_fails_on_invalid_hyperparameter_value(tmp_path, splits, monkeypatch):
    failure = failed(layout(tmp_path, splits, {"max_iter": "many"}), monkeypatch)
    assert "max_iter='many'" in failure and "int" in failure


def test_fails_on_unknown_algorithm(tmp_path, splits, monkeypatch):
    failure = failed(layout(tmp_path, splits, {"algorithm": "xgboost"}), monkeypatch)
    assert "xgboost" in failure and "hist_gradient_boosting" in failure


def test_fails_when_the_validation_channel_is_missing(tmp_path, splits, monkeypatch):
    failure = failed(layout(tmp_path, splits, channels=("train",)), monkeypatch)
    assert "validation" in failure and "channel" in failure


def test_fails_on_a_label_that_is_not_0_or_1(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    path = prefix / "input" / "data" / "train" / "part-00000.csv"
    lines = path.read_text().splitlines()
    lines[3] = "yes" + lines[3][1:]
    path.write_text("\n".join(lines) + "\n")
    failure = failed(prefix, monkeypatch)
    assert "line 4" in failure and "'yes'" in failure and "0 or 1" in failure


def test_fails_on_a_row_with_the_wrong_number_of_fields(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    path = prefix / "input" / "data" / "validation" / "part-00000.csv"
    lines = path.read_text().splitlines()
    lines[10] = lines[10] + ",extra"
    path.write_text("\n".join(lines) + "\n")
    failure = failed(prefix, monkeypatch)
    assert "validation/part-00000.csv line 11" in failure and "21 fields" in failure


def test_fails_on_text_in_a_column_hinted_numeric(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    (prefix / "input" / "data" / "train" / "schema.json").write_text(
        json.dumps({"features": [{"name": "job", "kind": "numeric"}]})
    )
    failure = failed(prefix, monkeypatch)
    assert "column 'job'" in failure and "numeric" in failure


def test_fails_when_validation_columns_differ(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    path = prefix / "input" / "data" / "validation" / "part-00000.csv"
    text = path.read_text()
    path.write_text(text.replace("euribor3m", "euribor6m", 1))
    failure = failed(prefix, monkeypatch)
    assert "euribor6m" in failure and "same ETL run" in failure


def test_fails_on_a_train_split_with_one_class(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    path = prefix / "input" / "data" / "train" / "part-00000.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [l for l in lines[1:] if l.startswith("0,")]) + "\n")
    failure = failed(prefix, monkeypatch)
    assert "single class" in failure


def test_fails_on_an_empty_channel(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    (prefix / "input" / "data" / "train" / "part-00000.csv").unlink()
    failure = failed(prefix, monkeypatch)
    assert "no *.csv files" in failure and "train" in failure


def test_model_check_records_cover_unseen_categories_and_missing_numbers(trained):
    check = json.loads((trained[0] / "model" / "model-check.json").read_text())
    records = check["records"]
    assert len(records) == len(check["probabilities"]) > 300
    assert any("__category_never_seen_in_training__" in r for r in records)
    assert any("" in r for r in records)
    assert np.all(np.isfinite(check["probabilities"]))
