"""Binary classification metrics, with the decision threshold that maximises F1."""
import numpy as np
from sklearn.metrics import (
    accuracy_score, average_precision_score, confusion_matrix, f1_score, precision_recall_curve,
    precision_score, recall_score, roc_auc_score,
)

from .errors import UserError


def best_f1_threshold(y_true, scores):
    """The score threshold (predict 1 when score >= threshold) with the highest F1."""
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    return float(thresholds[int(np.argmax(f1))])


def binary_metrics(y_true, scores, threshold=None, what="data"):
    """ROC AUC, PR AUC (average precision) and, at the threshold, accuracy/precision/recall/F1.

    threshold=None picks the one that maximises F1 on these labels.
    """
    y_true = np.asarray(y_true)
    classes = set(np.unique(y_true).tolist())
    if classes != {0, 1}:
        raise UserError(
            f"{what}: labels hold only class(es) {sorted(classes)}; ROC AUC needs both 0 and 1: "
            "use a larger or stratified split"
        )
    if threshold is None:
        threshold = best_f1_threshold(y_true, scores)
    predicted = (scores >= threshold).astype(int)
    matrix = confusion_matrix(y_true, predicted, labels=[0, 1])
    return {
        "auc": float(roc_auc_score(y_true, scores)),
        "pr_auc": float(average_precision_score(y_true, scores)),
        "accuracy": float(accuracy_score(y_true, predicted)),
        "precision": float(precision_score(y_true, predicted, zero_division=0)),
        "recall": float(recall_score(y_true, predicted, zero_division=0)),
        "f1": float(f1_score(y_true, predicted, zero_division=0)),
        "threshold": float(threshold),
        "rows": int(len(y_true)),
        "positives": int(y_true.sum()),
        "confusion_matrix": {
            str(actual): {str(pred): int(matrix[actual, pred]) for pred in (0, 1)} for actual in (0, 1)
        },
    }


def calibration(y_true, scores, bins=10):
    """Brier score and the reliability table: equal-width score bins with mean predicted vs observed rate."""
    y_true, scores = np.asarray(y_true, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    index = np.clip((scores * bins).astype(int), 0, bins - 1)
    table = []
    for b in range(bins):
        chosen = index == b
        count = int(chosen.sum())
        table.append({
            "lower": b / bins, "upper": (b + 1) / bins, "count": count,
            "mean_predicted": float(scores[chosen].mean()) if count else None,
            "fraction_positive": float(y_true[chosen].mean()) if count else None,
        })
    return {"brier_score": float(np.mean((scores - y_true) ** 2)), "bins": table}


def lift_table(y_true, scores, groups=10):
    """Lift per decile of score (decile 1 = highest scores): positive rate over the overall rate.

    Rows are ranked by score, highest first (ties keep file order: a stable sort), and cut into
    `groups` parts of near-equal size.
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    ranked = y_true[order]
    overall = ranked.mean()
    total_positives = ranked.sum()
    table, seen_rows, seen_positives = [], 0, 0.0
    for decile, part in enumerate(np.array_split(ranked, groups), 1):
        seen_rows += len(part)
        seen_positives += part.sum()
        rate = float(part.mean()) if len(part) else 0.0
        table.append({
            "decile": decile, "rows": int(len(part)), "positives": int(part.sum()), "positive_rate": rate,
            "lift": rate / overall if overall else None,
            "cumulative_lift": (seen_positives / seen_rows) / overall if overall else None,
            "cumulative_recall": seen_positives / total_positives if total_positives else None,
        })
    return table
