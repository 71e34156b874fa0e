"""report.html: the evaluation as a person reads it, one self-contained file (charts are PNGs
embedded as data URIs)."""
import base64
import html
import io
import os
import tempfile
import time

os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def roc_chart(labels, scores, metrics):
    fpr, tpr, thresholds = roc_curve(labels, scores)
    figure, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot(fpr, tpr, lw=2, label=f"model (AUC {metrics['auc']:.3f})")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label="chance")
    cm = metrics["confusion_matrix"]
    negatives, positives = cm["0"]["0"] + cm["0"]["1"], cm["1"]["0"] + cm["1"]["1"]
    ax.scatter([cm["0"]["1"] / negatives], [cm["1"]["1"] / positives], color="crimson", zorder=3,
               label=f"threshold {metrics['threshold']:.3f}")
    ax.set(xlabel="false positive rate", ylabel="true positive rate (recall)", title="ROC curve",
           xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return _png(figure)


def pr_chart(labels, scores, metrics):
    precision, recall, _ = precision_recall_curve(labels, scores)
    figure, ax = plt.subplots(figsize=(5, 4.5))
    ax.step(recall, precision, where="post", lw=2, label=f"model (PR AUC {metrics['pr_auc']:.3f})")
    prevalence = float(np.mean(labels))
    ax.axhline(prevalence, ls="--", color="grey", label=f"chance (positive rate {prevalence:.3f})")
    ax.scatter([metrics["recall"]], [metrics["precision"]], color="crimson", zorder=3,
               label=f"threshold {metrics['threshold']:.3f} (F1 {metrics['f1']:.3f})")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall curve", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="upper right")
    ax.grid(alpha=0.3)
    return _png(figure)


def confusion_chart(metrics):
    cm = metrics["confusion_matrix"]
    matrix = np.array([[cm["0"]["0"], cm["0"]["1"]], [cm["1"]["0"], cm["1"]["1"]]])
    figure, ax = plt.subplots(figsize=(4.5, 4))
    ax.imshow(matrix, cmap="Blues")
    total = matrix.sum()
    for (i, j), count in np.ndenumerate(matrix):
        dark = count > matrix.max() / 2
        ax.text(j, i, f"{count}\n{count / total:.1%}", ha="center", va="center",
                color="white" if dark else "black", fontsize=12)
    ax.set_xticks([0, 1], labels=["predicted 0", "predicted 1"])
    ax.set_yticks([0, 1], labels=["actual 0", "actual 1"])
    ax.set_title(f"Confusion matrix at threshold {metrics['threshold']:.3f}")
    return _png(figure)


def score_chart(labels, scores, metrics):
    figure, ax = plt.subplots(figsize=(5, 4))
    bins = np.linspace(0, 1, 41)
    for value, colour in ((0, "steelblue"), (1, "darkorange")):
        ax.hist(scores[labels == value], bins=bins, alpha=0.6, color=colour, density=True, label=f"actual {value}")
    ax.axvline(metrics["threshold"], color="crimson", ls="--", label="threshold")
    ax.set(xlabel="predicted probability of y=1", ylabel="density", title="Scores by actual class")
    ax.legend()
    return _png(figure)


def reliability_chart(quality):
    bins = [b for b in quality["calibration"]["bins"] if b["count"]]
    figure, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label="perfectly calibrated")
    ax.plot([b["mean_predicted"] for b in bins], [b["fraction_positive"] for b in bins], marker="o", lw=2,
            label=f"model (Brier {quality['calibration']['brier_score']:.4f})")
    for b in bins:
        ax.annotate(str(b["count"]), (b["mean_predicted"], b["fraction_positive"]), fontsize=7,
                    textcoords="offset points", xytext=(4, -10))
    ax.set(xlabel="mean predicted probability (10 equal-width bins)", ylabel="observed share of y=1",
           title="Reliability (calibration)", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return _png(figure)


def lift_chart(quality):
    table = quality["lift"]
    figure, ax = plt.subplots(figsize=(5, 4.5))
    deciles = [row["decile"] for row in table]
    ax.bar(deciles, [row["lift"] or 0 for row in table], color="steelblue", label="lift of the decile")
    ax.plot(deciles, [row["cumulative_lift"] or 0 for row in table], color="darkorange", marker="o",
            label="cumulative lift")
    ax.axhline(1, ls="--", color="grey", label="no model")
    ax.set_xticks(deciles)
    ax.set(xlabel="score decile (1 = highest scores)", ylabel="positive rate / overall rate", title="Lift by decile")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return _png(figure)


def _table(rows):
    cells = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def render(metrics, labels, scores, training, choice=None, quality=None):
    labels, scores = np.asarray(labels), np.asarray(scores)
    charts = [
        ("ROC curve", roc_chart(labels, scores, metrics)),
        ("Precision-recall curve", pr_chart(labels, scores, metrics)),
        ("Confusion matrix", confusion_chart(metrics)),
        ("Scores by actual class", score_chart(labels, scores, metrics)),
    ]
    if quality is not None:
        charts += [("Reliability chart", reliability_chart(quality)), ("Lift by decile", lift_chart(quality))]
    choice = choice or {"source": "test split", "rule": "maximises F1 on this split"}
    where = ("chosen on the validation split at training" if choice["source"] == "training"
             else "default 0.5: the model has no stored threshold" if choice["source"] == "default"
             else choice["rule"])
    lift_rows = []
    if quality is not None:
        lift_rows = [("Brier score", f"{quality['calibration']['brier_score']:.4f}")] + [
            (f"lift, top {row['decile'] * 10} %", f"{row['cumulative_lift']:.2f} (recall {row['cumulative_recall']:.3f})")
            for row in quality["lift"][:3]]
    summary = _table([
        ("ROC AUC", f"{metrics['auc']:.4f}"), ("PR AUC (average precision)", f"{metrics['pr_auc']:.4f}"),
        (f"threshold ({where})", f"{metrics['threshold']:.4f}"),
        ("F1", f"{metrics['f1']:.4f}"), ("precision", f"{metrics['precision']:.4f}"),
        ("recall", f"{metrics['recall']:.4f}"), ("accuracy", f"{metrics['accuracy']:.4f}"),
        ("rows", metrics["rows"]), ("positives", metrics["positives"]), *lift_rows,
    ])
    validation = training.get("validation", {})
    model = _table([
        ("algorithm", training.get("algorithm", "?")),
        ("hyperparameters", ", ".join(f"{k}={v}" for k, v in sorted(training.get("hyperparameters", {}).items()))),
        ("validation ROC AUC at training", f"{validation.get('auc', float('nan')):.4f}"),
        ("threshold chosen at training (validation F1)", f"{training.get('threshold', float('nan')):.4f}"),
        ("trained at", training.get("trained_at", "?")),
        ("libraries", ", ".join(f"{k} {v}" for k, v in training.get("versions", {}).items())),
    ])
    images = "".join(f'<img src="{uri}" alt="{html.escape(title)}">' for title, uri in charts)
    generated = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Model evaluation</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}}
table{{border-collapse:collapse;margin:1em 0}} th,td{{border:1px solid #ccc;padding:4px 10px;text-align:left}}
th{{background:#f4f4f4;font-weight:normal}} img{{margin:0.5em;border:1px solid #eee}}
</style></head><body>
<h1>Model evaluation on the test split</h1>
<p>Generated {generated}. Positive class: y=1. F1, precision, recall, accuracy and the confusion matrix at the
threshold {html.escape(where)}.</p>
<h2>Metrics</h2>{summary}
<h2>Charts</h2><div>{images}</div>
<h2>Model</h2>{model}
</body></html>
"""


def write_report(path, metrics, labels, scores, training, choice=None, quality=None):
    path.write_text(render(metrics, labels, scores, training, choice, quality), encoding="utf-8")
