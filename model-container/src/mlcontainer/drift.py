"""Drift statistics between a reference profile and live data: PSI and the two-sample KS statistic.

PSI (population stability index) over buckets i with reference fractions e_i and live fractions a_i:

    PSI = sum_i (a_i - e_i) * ln(a_i / e_i),   with a_i = max(live_count_i / n_live, EPSILON)
                                                    e_i = max(ref_count_i / n_ref, EPSILON)

EPSILON = 1e-4 keeps an empty bucket (reference or live) finite. Numeric buckets are the reference
quantile bins (bucket k holds cuts[k-1] < x <= cuts[k]; the first is open below, the last above),
plus one bucket for missing values; categorical buckets are the reference categories plus one
"unseen" bucket for values the reference never had, plus one for missing values.
"""
import math

import numpy as np

EPSILON = 1e-4


def psi(reference_fractions, live_counts, epsilon=EPSILON):
    """PSI of live counts against reference fractions (same bucket order); None when no live data."""
    live = np.asarray(live_counts, dtype=np.float64)
    total = live.sum()
    if total <= 0:
        return None
    expected = np.maximum(np.asarray(reference_fractions, dtype=np.float64), epsilon)
    actual = np.maximum(live / total, epsilon)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def bin_counts(cuts, values):
    """Counts per quantile bin of the finite values (len(cuts) + 1 bins; x == cut goes to the lower bin)."""
    index = np.searchsorted(np.asarray(cuts, dtype=np.float64), values, side="left")
    return np.bincount(index, minlength=len(cuts) + 1)


def ks_against_quantiles(quantiles, reference_count, live_values):
    """Two-sample KS statistic D and its asymptotic p-value, the reference given by its quantile table.

    quantiles: the reference's values at evenly spaced probabilities 0..1 (the stored profile);
    F_ref(x) is the share of the table <= x, exact to 1/(len(quantiles)-1). live_values: finite floats.
    """
    live = np.sort(np.asarray(live_values, dtype=np.float64))
    m = len(live)
    if m == 0 or reference_count <= 0:
        return None, None
    table = np.asarray(quantiles, dtype=np.float64)
    steps = len(table) - 1
    points = np.unique(np.concatenate([table, live]))
    f_ref = np.clip((np.searchsorted(table, points, side="right") - 1) / steps, 0.0, 1.0)
    f_ref[points < table[0]] = 0.0
    f_live = np.searchsorted(live, points, side="right") / m
    statistic = float(np.max(np.abs(f_live - f_ref)))
    effective = reference_count * m / (reference_count + m)
    return statistic, kolmogorov_sf(statistic * math.sqrt(effective))


def kolmogorov_sf(x):
    """P(K > x) of the Kolmogorov distribution (the asymptotic KS p-value)."""
    if x <= 0:
        return 1.0
    from scipy.special import kolmogorov

    return float(kolmogorov(x))
