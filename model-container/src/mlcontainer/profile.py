"""profile.json: the reference the drift monitor compares live traffic with, written by `train`.

Features come from the TRAINING split: numeric ones as quantile bins (cuts at the deciles, ties
merged) with the reference share per bin, the missing rate and a 1001-point quantile table for KS;
categorical ones as the share of every value (the most frequent MAX_CATEGORIES, the rest pooled
into OTHER) and the missing (empty) rate. The score distribution comes from the VALIDATION split
(the model's scores on data it was not fitted on), binned the same way.
"""
from collections import Counter

import numpy as np

from .dataio import is_blank
from .schema import NUMERIC

PROFILE_VERSION = 1
BINS = 10
QUANTILE_POINTS = 1001
MAX_CATEGORIES = 200
OTHER = "__other__"


def numeric_values(raw):
    """(finite floats, missing count, not-a-number count) of raw strings (blank = missing)."""
    try:
        numbers = np.array(raw, dtype=np.float64)
        finite = np.isfinite(numbers)
        if finite.all():
            return numbers, 0, 0
    except (ValueError, TypeError):
        numbers = None
    values, missing, invalid = [], 0, 0
    for value in raw:
        if is_blank(value):
            missing += 1
            continue
        try:
            number = float(value)
        except (ValueError, TypeError):
            invalid += 1
            continue
        if np.isfinite(number):
            values.append(number)
        else:
            invalid += 1
    return np.array(values, dtype=np.float64), missing, invalid


def numeric_profile(name, raw, bins=BINS):
    values, missing, _ = numeric_values(raw)
    total = len(raw)
    profile = {"name": name, "kind": NUMERIC, "count": total, "missing_rate": missing / total if total else 0.0}
    if len(values) == 0:
        profile.update(cuts=[], fractions=[1.0], quantiles=[])
        return profile
    cuts = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(cuts, values, side="left"), minlength=len(cuts) + 1)
    profile.update(
        cuts=cuts.tolist(), fractions=(counts / len(values)).tolist(),
        quantiles=np.quantile(values, np.linspace(0, 1, QUANTILE_POINTS)).tolist(),
        min=float(values.min()), max=float(values.max()), mean=float(values.mean()),
    )
    return profile


def categorical_profile(name, raw):
    counts = Counter(v for v in raw if not is_blank(v))
    total, present = len(raw), sum(counts.values())
    kept = sorted(counts, key=lambda v: (-counts[v], v))[:MAX_CATEGORIES]
    fractions = {v: counts[v] / present for v in kept}
    other = present - sum(counts[v] for v in kept)
    if other:
        fractions[OTHER] = other / present
    return {"name": name, "kind": "categorical", "count": total,
            "missing_rate": (total - present) / total if total else 0.0, "fractions": fractions}


def score_profile(scores, bins=BINS):
    scores = np.asarray(scores, dtype=np.float64)
    profile = numeric_profile("score", scores.tolist(), bins)
    profile.pop("missing_rate")
    return profile


def build_profile(schema, columns, values, validation_scores):
    """profile.json's content: columns/values are the training split's raw columns (any order)."""
    by_name = dict(zip(columns, values))
    features = []
    for feature in schema.features:
        raw = by_name[feature.name]
        features.append(numeric_profile(feature.name, raw) if feature.kind == NUMERIC
                        else categorical_profile(feature.name, raw))
    return {
        "profile_version": PROFILE_VERSION,
        "features_from": "train split",
        "score_from": "validation split",
        "psi_bins": BINS,
        "features": features,
        "score": score_profile(validation_scores),
    }
