"""PSI and KS against hand-computed values; the reference profile's bins."""
import numpy as np
import pytest

from mlcontainer import drift, monitor, profile

SETTINGS = {name: default for name, (default, _) in monitor.SETTINGS.items()}


def test_psi_matches_the_hand_computed_value():
    # e = (0.5, 0.3, 0.2), a = (0.3, 0.3, 0.4):
    # (0.3-0.5) ln(0.3/0.5) + 0 + (0.4-0.2) ln(0.4/0.2) = 0.1021651 + 0.1386294 = 0.2407946
    assert drift.psi([0.5, 0.3, 0.2], [30, 30, 40]) == pytest.approx(0.2407946, abs=1e-7)


def test_psi_floors_empty_buckets_at_epsilon():
    # e = (0.5, 0.5, 0 -> 1e-4), a = (0.5, 0.4, 0.1):
    # 0 + (-0.1) ln(0.8) + (0.1 - 0.0001) ln(0.1/0.0001) = 0.0223144 + 0.6900848 = 0.7123992
    assert drift.psi([0.5, 0.5, 0.0], [50, 40, 10]) == pytest.approx(0.7123992, abs=1e-7)


def test_psi_is_zero_for_the_same_distribution_and_none_without_data():
    assert drift.psi([0.25, 0.25, 0.5], [1, 1, 2]) == pytest.approx(0.0, abs=1e-15)
    assert drift.psi([0.5, 0.5], [0, 0]) is None


def test_bins_put_a_value_equal_to_a_cut_in_the_lower_bin():
    assert drift.bin_counts([1, 2, 3], np.array([0.5, 1, 1.5, 2, 2.5, 3, 3.5])).tolist() == [2, 2, 2, 1]


def test_numeric_psi_includes_a_missing_bucket():
    # reference: cut 10, 60 % <= 10, 40 % above, 10 % missing -> buckets (0.54, 0.36, 0.10)
    # live: 4 <= 10, 4 above, 2 missing -> (0.4, 0.4, 0.2)
    # (-0.14) ln(0.4/0.54) + 0.04 ln(0.4/0.36) + 0.1 ln 2 = 0.0420146 + 0.0042144 + 0.0693147 = 0.1155438
    reference = {"cuts": [10.0], "fractions": [0.6, 0.4], "missing_rate": 0.1, "quantiles": [], "count": 100}
    numbers, missing, invalid = monitor.parse_numeric(["1", "5", "10", "3", "11", "20", "30", "12", "", " "])
    assert missing.sum() == 2 and not invalid.any()
    result = monitor.numeric_drift(reference, numbers, missing, SETTINGS)
    assert result["psi"] == pytest.approx(0.1155438, abs=1e-7)
    assert result["missing_rate"] == pytest.approx(0.2)
    assert [b["live"] for b in result["buckets"]] == pytest.approx([0.4, 0.4, 0.2])


def test_categorical_psi_counts_unseen_values_in_their_own_bucket():
    # buckets a, b, unseen, missing: e = (0.5, 0.5, 0, 0), a = (0.5, 0.3, 0.2, 0)
    # 0 + (-0.2) ln(0.6) + (0.2 - 0.0001) ln(0.2/0.0001) + 0 = 0.1021651 + 1.5194204 = 1.6215855
    reference = {"fractions": {"a": 0.5, "b": 0.5}, "missing_rate": 0.0}
    result = monitor.categorical_drift(reference, ["a"] * 5 + ["b"] * 3 + ["z"] * 2, ["a"], SETTINGS)
    assert result["psi"] == pytest.approx(1.6215855, abs=1e-7)
    assert result["unknown_category_rate"] == pytest.approx(0.2)
    assert result["unknown_to_model_rate"] == pytest.approx(0.5)  # the model's encoder knows only "a"
    assert result["unseen_values"] == ["z"] and result["drifted"]


def test_parse_numeric_tells_missing_from_invalid():
    numbers, missing, invalid = monitor.parse_numeric(["1.5", "", "abc", "inf", "2"])
    assert missing.tolist() == [False, True, False, False, False]
    assert invalid.tolist() == [False, False, True, True, False]
    assert numbers[0] == 1.5 and numbers[4] == 2 and np.isnan(numbers[1:4]).all()


def test_ks_against_the_quantile_table_matches_scipy_two_sample_ks():
    from scipy.stats import ks_2samp

    random = np.random.default_rng(3)
    reference, live = random.normal(0, 1, 20000), random.normal(0.15, 1, 3000)
    table = np.quantile(reference, np.linspace(0, 1, profile.QUANTILE_POINTS))
    statistic, p_value = drift.ks_against_quantiles(table, len(reference), live)
    exact = ks_2samp(reference, live)
    assert statistic == pytest.approx(exact.statistic, abs=0.002)
    assert p_value < 1e-6 and exact.pvalue < 1e-6
    same, p_same = drift.ks_against_quantiles(table, len(reference), random.normal(0, 1, 3000))
    assert same < 0.03 and p_same > 0.01


def test_profile_bins_hold_deciles_and_merge_ties():
    values = [str(v) for v in range(1, 101)] + [""] * 25
    numeric = profile.numeric_profile("x", values)
    assert numeric["missing_rate"] == pytest.approx(0.2)
    assert len(numeric["cuts"]) == 9 and numeric["fractions"] == pytest.approx([0.1] * 10)
    tied = profile.numeric_profile("pdays", ["999"] * 95 + ["3"] * 5)
    assert tied["cuts"] == [999.0] and tied["fractions"] == pytest.approx([1.0, 0.0])
    categorical = profile.categorical_profile("job", ["a", "a", "b", ""])
    assert categorical["fractions"] == pytest.approx({"a": 2 / 3, "b": 1 / 3})
    assert categorical["missing_rate"] == pytest.approx(0.25)
