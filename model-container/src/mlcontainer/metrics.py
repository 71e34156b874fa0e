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
