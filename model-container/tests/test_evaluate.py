"""The real `evaluate` entry point (SageMaker Processing layout)."""
import io
import json
import re
import shutil
import tarfile

import numpy as np
import pytest
from conftest import run_entry

CONTRACT_KEYS = ["auc", "pr_auc", "accuracy", "precision", "recall", "f1", "threshold", "rows", "confusion_matrix",
                 "brier_score"]


def processing_layout(root, trained, splits, archive=True):
    model_input = root / "processing" / "input" / "model"
    model_input.mkdir(parents=True)
    if archive:
        with tarfile.open(model_input / "model.tar.gz", "w:gz") as tar:
            for path in sorted((trained[0] / "model").iterdir()):
                tar.add(path, arcname=path.name)
    else:
        shutil.copytree(trained[0] / "model", model_input, dirs_exist_ok=True)
    test_input = root / "processing" / "input" / "test"
    test_input.mkdir(parents=True)
    shutil.copy(splits["test"], test_input / "part-00000.csv")
    return root


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, trained, splits):
    root = processing_layout(tmp_path_factory.mktemp("processing"), trained, splits)
    result = run_entry("evaluate", root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "processing" / "evaluation"


def test_evaluation_json_has_exactly_the_contract_keys(evaluated):
    document = json.loads((evaluated / "evaluation.json").read_text())
    assert list(document) == ["binary_classification_metrics", "threshold_choice", "calibration", "lift"]
    metrics = document["binary_classification_metrics"]
    assert list(metrics) == CONTRACT_KEYS
    for key in ("auc", "pr_auc", "accuracy", "precision", "recall", "f1", "brier_score"):
        assert set(metrics[key]) == {"value", "standard_deviation"} and metrics[key]["standard_deviation"] == "NaN"
        assert 0 < metrics[key]["value"] < 1
    assert set(metrics["threshold"]) == {"value"} and set(metrics["rows"]) == {"value"}
    assert set(metrics["confusion_matrix"]) == {"0", "1"}
    assert all(set(row) == {"0", "1"} for row in metrics["confusion_matrix"].values())


def test_metrics_are_right_for_the_test_split(evaluated, test_table, expected):
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

    metrics = json.loads((evaluated / "evaluation.json").read_text())["binary_classification_metrics"]
    labels = test_table.labels
    assert metrics["rows"]["value"] == len(labels) == 6179
    assert metrics["auc"]["value"] == pytest.approx(roc_auc_score(labels, expected), abs=1e-12)
    assert metrics["auc"]["value"] >= 0.80
    assert metrics["pr_auc"]["value"] == pytest.approx(average_precision_score(labels, expected), abs=1e-12)
    cm = metrics["confusion_matrix"]  # [actual][predicted]
    assert cm["1"]["0"] + cm["1"]["1"] == labels.sum()
    assert sum(v for row in cm.values() for v in row.values()) == len(labels)
    threshold = metrics["threshold"]["value"]
    predicted = (expected >= threshold).astype(int)
    assert cm["1"]["1"] == int(((predicted == 1) & (labels == 1)).sum())
    assert metrics["f1"]["value"] == pytest.approx(f1_score(labels, predicted), abs=1e-12)


def test_threshold_is_the_one_chosen_on_validation_not_on_the_test_split(evaluated, trained, test_table, expected):
    document = json.loads((evaluated / "evaluation.json").read_text())
    training = json.loads((trained[0] / "model" / "metrics.json").read_text())
    assert document["binary_classification_metrics"]["threshold"]["value"] == training["threshold"]
    assert document["threshold_choice"]["source"] == "training"
    assert training["validation"]["threshold"] == training["threshold"]
    # the test split's own best-F1 threshold would do better on it: evaluate must not pick that one
    assert document["binary_classification_metrics"]["f1"]["value"] < best_f1_by_brute_force(test_table.labels, expected)


def test_calibration_and_lift_are_right(evaluated, test_table, expected):
    document = json.loads((evaluated / "evaluation.json").read_text())
    labels = test_table.labels
    brier = float(np.mean((expected - labels) ** 2))
    assert document["calibration"]["brier_score"] == pytest.approx(brier, abs=1e-12)
    assert document["binary_classification_metrics"]["brier_score"]["value"] == pytest.approx(brier, abs=1e-12)
    bins = document["calibration"]["bins"]
    assert len(bins) == 10 and sum(b["count"] for b in bins) == len(labels)
    low = expected < 0.1
    assert bins[0]["count"] == int(low.sum())
    assert bins[0]["fraction_positive"] == pytest.approx(labels[low].mean(), abs=1e-12)
    lift = document["lift"]
    assert [row["decile"] for row in lift] == list(range(1, 11)) and sum(r["rows"] for r in lift) == len(labels)
    top = np.argsort(-expected, kind="stable")[: lift[0]["rows"]]
    assert lift[0]["positives"] == int(labels[top].sum())
    assert lift[0]["lift"] == pytest.approx(labels[top].mean() / labels.mean(), abs=1e-12)
    assert lift[0]["lift"] > 3  # the bank model finds buyers: the top decile holds >3x the base rate
    assert lift[-1]["cumulative_recall"] == pytest.approx(1.0) and lift[-1]["cumulative_lift"] == pytest.approx(1.0)


def test_a_model_without_a_stored_threshold_is_measured_at_0_5_and_says_so(tmp_path, trained, splits):
    root = processing_layout(tmp_path, trained, splits, archive=False)
    metrics_path = root / "processing" / "input" / "model" / "metrics.json"
    training = json.loads(metrics_path.read_text())
    del training["threshold"]
    metrics_path.write_text(json.dumps(training))
    result = run_entry("evaluate", root)
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads((root / "processing" / "evaluation" / "evaluation.json").read_text())
    assert document["binary_classification_metrics"]["threshold"]["value"] == 0.5
    assert document["threshold_choice"]["source"] == "default" and "0.5" in document["threshold_choice"]["rule"]


def best_f1_by_brute_force(labels, scores):
    """max F1 over every threshold 'predict 1 when score >= t', t in the scores themselves."""
    thresholds = np.unique(scores)
    positives, negatives = np.sort(scores[labels == 1]), np.sort(scores[labels == 0])
    tp = len(positives) - np.searchsorted(positives, thresholds, side="left")
    fp = len(negatives) - np.searchsorted(negatives, thresholds, side="left")
    fn = len(positives) - tp
    return float(np.max(2 * tp / (2 * tp + fp + fn)))


def test_report_is_one_self_contained_html_file_with_the_charts(evaluated):
    html = (evaluated / "report.html").read_text()
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', html)
    assert [alt for _, alt in images] == ["ROC curve", "Precision-recall curve", "Confusion matrix", "Scores by actual class",
                                          "Reliability chart", "Lift by decile"]
    import base64

    for image, _ in images:
        assert base64.b64decode(image).startswith(b"\x89PNG") and len(image) > 10_000
    for words in ("ROC AUC", "PR AUC", "threshold (chosen on the validation split at training)", "Brier score",
                  "lift, top 10 %", "hist_gradient_boosting"):
        assert words in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_accepts_an_extracted_model_directory(tmp_path, trained, splits):
    root = processing_layout(tmp_path, trained, splits, archive=False)
    result = run_entry("evaluate", root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "processing" / "evaluation" / "evaluation.json").is_file()


def exit_message(root):
    message = (root / "output" / "message").read_text()
    assert message.strip() and "Traceback" not in message
    return message


def failed(root, monkeypatch):
    """evaluate's main() in this process (bin/evaluate runs the same function)."""
    from mlcontainer import evaluate

    monkeypatch.setenv("ML_PREFIX", str(root))
    assert evaluate.main() != 0
    return exit_message(root)


def test_fails_without_a_test_split(tmp_path, trained, splits):
    root = processing_layout(tmp_path, trained, splits)
    (root / "processing" / "input" / "test" / "part-00000.csv").unlink()
    result = run_entry("evaluate", root)
    assert result.returncode != 0
    assert "no *.csv files" in exit_message(root)


def test_fails_on_a_test_split_with_other_columns(tmp_path, trained, splits, monkeypatch):
    root = processing_layout(tmp_path, trained, splits)
    path = root / "processing" / "input" / "test" / "part-00000.csv"
    path.write_text(path.read_text().replace("nr.employed", "employees", 1))
    message = failed(root, monkeypatch)
    assert "employees" in message and "nr.employed" in message


def test_fails_on_an_archive_that_escapes_its_directory(tmp_path, trained, splits, monkeypatch):
    root = processing_layout(tmp_path, trained, splits)
    archive = root / "processing" / "input" / "model" / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"boom"
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    message = failed(root, monkeypatch)
    assert "refusing to extract" in message
    assert not (tmp_path / "escaped.txt").exists()


def test_fails_without_a_model(tmp_path, splits, trained, monkeypatch):
    root = processing_layout(tmp_path, trained, splits)
    shutil.rmtree(root / "processing" / "input" / "model")
    assert "model input" in failed(root, monkeypatch)
