"""`evaluate` (SageMaker Processing): score the test split with the trained model.

Reads <prefix>/processing/input/model/ (model.tar.gz, or an extracted model directory) and
<prefix>/processing/input/test/*.csv (header row, 0/1 label first); writes
<prefix>/processing/evaluation/evaluation.json (SageMaker model-quality style) and report.html.
F1, precision, recall, accuracy and the confusion matrix are at the decision threshold `train` chose
on the validation split (metrics.json `threshold`), never one chosen on the test split; a model
without one is measured at 0.5 and evaluation.json says so (`threshold_choice`).
On error: the reason goes to <prefix>/output/message (the job's ExitMessage), exit non-zero.
"""
import json
import logging
import sys
import tempfile
from pathlib import Path

from .artifact import extract_model_archive, find_model_dir, load_model, write_json
from .cli import run_job, setup_logging
from .dataio import BadValue, csv_files, read_labelled_csv, to_frame
from .errors import UserError
from .metrics import binary_metrics, calibration, lift_table
from .modeling import positive_probability
from .paths import MLPaths

log = logging.getLogger("evaluate")
WITH_DEVIATION = ("auc", "pr_auc", "accuracy", "precision", "recall", "f1")
DEFAULT_THRESHOLD = 0.5


def evaluation_document(metrics, choice=None, quality=None):
    """evaluation.json: the keys of docs/contracts/model-container.md, plus brier_score,
    threshold_choice, calibration and lift (the contract's additions)."""
    body = {key: {"value": metrics[key], "standard_deviation": "NaN"} for key in WITH_DEVIATION}
    body["threshold"] = {"value": metrics["threshold"]}
    body["rows"] = {"value": metrics["rows"]}
    body["confusion_matrix"] = metrics["confusion_matrix"]
    document = {"binary_classification_metrics": body}
    if quality is not None:
        body["brier_score"] = {"value": quality["calibration"]["brier_score"], "standard_deviation": "NaN"}
    if choice is not None:
        document["threshold_choice"] = choice
    if quality is not None:
        document["calibration"] = quality["calibration"]
        document["lift"] = quality["lift"]
    return document


def decision_threshold(training):
    """(threshold, threshold_choice) from the model's metrics.json: chosen on validation at training."""
    value = training.get("threshold")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value), {"source": "training", "value": float(value),
                              "rule": training.get("threshold_rule", "maximises F1 on the validation split")}
    return DEFAULT_THRESHOLD, {
        "source": "default", "value": DEFAULT_THRESHOLD,
        "rule": "the model's metrics.json has no threshold (trained by an older image): 0.5 used; retrain to "
                "get the threshold chosen on the validation split",
    }


def model_directory(input_dir, scratch):
    """The model directory inside the Processing input: extract model.tar.gz if that is what came."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise UserError(f"model input {input_dir} is missing: map the training job's model.tar.gz there")
    archives = sorted(input_dir.rglob("*.tar.gz"))
    if archives:
        return find_model_dir(extract_model_archive(archives[0], scratch))
    return find_model_dir(input_dir)


def feature_values(table, schema):
    """The test split's feature columns in the model's order (any file order is fine)."""
    columns = dict(zip(table.columns, table.values))
    missing = [n for n in schema.names if n not in columns]
    extra = [n for n in table.columns if n not in schema.names]
    if missing or extra:
        raise UserError(
            f"test split columns do not match the model: missing {missing}, unexpected {extra}; "
            "evaluate with a test split from the same ETL run as the training data"
        )
    return [columns[n] for n in schema.names]


def score_test_split(model, table):
    try:
        frame = to_frame(model.schema.names, feature_values(table, model.schema), model.schema.kinds)
    except BadValue as bad:
        raise UserError(f"{table.where(bad.row)}, column '{bad.column}': {bad.value!r} is not a number") from None
    return positive_probability(model.pipeline, frame)


def evaluate(paths):
    with tempfile.TemporaryDirectory(prefix="model-") as scratch:
        model_dir = model_directory(paths.processing_model, scratch)
        model = load_model(model_dir)
        test_dir = paths.processing_test
        table = read_labelled_csv(csv_files(test_dir, "the test input"), base=test_dir)
        scores = score_test_split(model, table)
    threshold, choice = decision_threshold(model.metrics)
    if choice["source"] == "default":
        log.warning("%s", choice["rule"])
    metrics = binary_metrics(table.labels, scores, threshold=threshold, what="test split")
    quality = {"calibration": calibration(table.labels, scores), "lift": lift_table(table.labels, scores)}
    out = paths.evaluation_dir
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "evaluation.json", evaluation_document(metrics, choice, quality))
    from .report import write_report  # matplotlib only when it is needed

    write_report(out / "report.html", metrics, table.labels, scores, model.metrics, choice, quality)
    log.info("test split: %s", json.dumps({**{k: metrics[k] for k in ("auc", "pr_auc", "f1", "threshold", "rows")},
                                            "brier_score": quality["calibration"]["brier_score"],
                                            "top_decile_lift": quality["lift"][0]["lift"]}))
    log.info("wrote %s and %s", out / "evaluation.json", out / "report.html")


def main():
    setup_logging()
    paths = MLPaths.from_env()
    return run_job(lambda: evaluate(paths), paths.output_dir / "message", "evaluation")


if __name__ == "__main__":
    sys.exit(main())
