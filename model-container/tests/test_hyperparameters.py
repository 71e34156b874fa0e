"""Hyperparameters as SageMaker passes them: every value a string."""
import pytest

from mlcontainer import hyperparameters
from mlcontainer.errors import UserError


def test_defaults_are_hist_gradient_boosting():
    values = hyperparameters.parse({})
    assert values["algorithm"] == "hist_gradient_boosting"
    assert values["learning_rate"] == 0.05 and values["early_stopping"] is True and values["max_depth"] is None


def test_strings_are_converted_per_type():
    values = hyperparameters.parse({
        "algorithm": "random_forest", "n_estimators": "200", "max_depth": "12", "max_features": "0.5",
        "class_weight": "Balanced", "seed": "7",
    })
    assert values == {
        "algorithm": "random_forest", "seed": 7, "class_weight": "balanced", "max_categories": 200,
        "n_estimators": 200, "max_depth": 12, "min_samples_leaf": 10, "max_features": 0.5,
    }


def test_json_numbers_and_booleans_work_too():
    values = hyperparameters.parse({"max_iter": 100, "early_stopping": False, "l2_regularization": 0})
    assert values["max_iter"] == 100 and values["early_stopping"] is False and values["l2_regularization"] == 0.0


def test_sagemaker_keys_are_ignored():
    values = hyperparameters.parse({"_tuning_objective_metric": "validation:roc_auc", "sagemaker_program": "x"})
    assert "_tuning_objective_metric" not in values


@pytest.mark.parametrize("raw, words", [
    ({"algorithm": "svm"}, ["algorithm='svm'", "random_forest"]),
    ({"n_estimators": "10"}, ["n_estimators", "hist_gradient_boosting", "learning_rate"]),
    ({"learning_rate": "0"}, ["learning_rate='0'", "> 0"]),
    ({"learning_rate": "fast"}, ["learning_rate='fast'", "float"]),
    ({"max_iter": "2.5"}, ["max_iter='2.5'", "int"]),
    ({"early_stopping": "perhaps"}, ["early_stopping", "true, false"]),
    ({"algorithm": "logistic_regression", "C": "-1"}, ["C='-1'"]),
    ({"max_categories": "255"}, ["max_categories='255'", "<= 254"]),
    ({"max_bins": "100", "max_categories": "150"}, ["max_categories=150", "max_bins=100"]),
])
def test_fails_on_bad_values_with_the_rule(raw, words):
    with pytest.raises(UserError) as error:
        hyperparameters.parse(raw)
    for word in words:
        assert word in str(error.value)


def test_max_categories_follows_a_smaller_max_bins_unless_set():
    assert hyperparameters.parse({"max_bins": "100"})["max_categories"] == 100
    assert hyperparameters.parse({"max_bins": "100", "max_categories": "50"})["max_categories"] == 50


def test_fails_on_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "hyperparameters.json"
    path.write_text("{oops")
    with pytest.raises(UserError, match="not valid JSON"):
        hyperparameters.load(path)


def test_absent_file_means_defaults(tmp_path):
    assert hyperparameters.load(tmp_path / "none.json") == hyperparameters.parse({})


def test_reference_table_lists_every_key():
    table = hyperparameters.reference()
    for spec in (hyperparameters.COMMON, *hyperparameters.ALGORITHMS.values()):
        for name in spec:
            assert f"`{name}`" in table


def test_monitor_thresholds_are_checked_and_not_passed_to_the_classifier():
    raw = {"monitor_psi_threshold": "0.25", "monitor_min_rows": "500", "max_iter": "10"}
    values = hyperparameters.parse(raw)
    assert not any(k.startswith("monitor_") for k in values) and values["max_iter"] == 10
    from mlcontainer import monitor_settings
    assert monitor_settings.from_hyperparameters(raw) == {"psi_threshold": 0.25, "min_rows": 500}


@pytest.mark.parametrize("raw, words", [
    ({"monitor_psi_treshold": "0.2"}, ["monitor_psi_treshold", "monitor_psi_threshold", "monitoring"]),
    ({"monitor_psi_threshold": "high"}, ["monitor_psi_threshold='high'", "number"]),
    ({"monitor_drifted_feature_share": "1.5"}, ["drifted_feature_share", "[0, 1]", "1.5"]),
    ({"monitor_min_rows": "10.5"}, ["min_rows", "whole number", "10.5"]),
    ({"monitor_ks_p_value": "-1"}, ["ks_p_value", ">= 0", "-1"]),
])
def test_fails_on_a_bad_monitor_threshold_naming_it(raw, words):
    with pytest.raises(UserError) as error:
        hyperparameters.parse(raw)
    assert all(w in str(error.value) for w in words), str(error.value)
