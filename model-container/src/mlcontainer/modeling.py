"""One sklearn Pipeline per model: encoding + classifier, so serving applies exactly the
training transformation.

hist_gradient_boosting: categorical columns ordinal-encoded (unknown -> NaN, which the trees
treat as missing) and split natively; numbers passed through (NaN = missing).
random_forest / logistic_regression: categorical columns one-hot encoded (unknown -> all
zeros), numbers median-imputed (and standardised for logistic regression).
"""
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from .schema import CATEGORICAL, NUMERIC

PREPROCESS, CLASSIFIER = "preprocess", "classifier"


def positive_probability(pipeline, X):
    """pipeline.predict_proba's column for class 1."""
    return pipeline.predict_proba(X)[:, list(pipeline.classes_).index(1)]


def build_pipeline(schema, hp):
    builders = {
        "hist_gradient_boosting": _hist_gradient_boosting,
        "random_forest": _random_forest,
        "logistic_regression": _logistic_regression,
    }
    return builders[hp["algorithm"]](schema, hp)


def _columns(schema):
    categorical = schema.of_kind(CATEGORICAL)
    return categorical, [f.name for f in categorical], [f.name for f in schema.of_kind(NUMERIC)]


def _transformer(parts):
    """ColumnTransformer over the non-empty parts: categorical first, then numeric."""
    parts = [(name, step, columns) for name, step, columns in parts if columns]
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


def _class_weight(hp):
    return None if hp["class_weight"] == "none" else hp["class_weight"]


def _hist_gradient_boosting(schema, hp):
    categorical, cat_names, num_names = _columns(schema)
    encoder = OrdinalEncoder(
        categories=[f.categories for f in categorical],
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        dtype=np.float64,
    )
    classifier = HistGradientBoostingClassifier(
        learning_rate=hp["learning_rate"],
        max_iter=hp["max_iter"],
        max_leaf_nodes=hp["max_leaf_nodes"],
        max_depth=hp["max_depth"],
        min_samples_leaf=hp["min_samples_leaf"],
        l2_regularization=hp["l2_regularization"],
        max_bins=hp["max_bins"],
        categorical_features=list(range(len(cat_names))) or None,
        early_stopping=hp["early_stopping"],
        n_iter_no_change=hp["n_iter_no_change"],
        validation_fraction=hp["validation_fraction"],
        class_weight=_class_weight(hp),
        random_state=hp["seed"],
    )
    preprocess = _transformer([("categorical", encoder, cat_names), ("numeric", "passthrough", num_names)])
    return Pipeline([(PREPROCESS, preprocess), (CLASSIFIER, classifier)])


def _one_hot(categorical):
    return OneHotEncoder(
        categories=[f.categories for f in categorical], handle_unknown="ignore", sparse_output=False
    )


def _random_forest(schema, hp):
    categorical, cat_names, num_names = _columns(schema)
    classifier = RandomForestClassifier(
        n_estimators=hp["n_estimators"],
        max_depth=hp["max_depth"],
        min_samples_leaf=hp["min_samples_leaf"],
        max_features=hp["max_features"],
        class_weight=_class_weight(hp),
        random_state=hp["seed"],
        n_jobs=-1,  # training only: save_model resets it to 1 (see artifact.single_threaded)
    )
    preprocess = _transformer([
        ("categorical", _one_hot(categorical), cat_names),
        ("numeric", SimpleImputer(strategy="median"), num_names),
    ])
    return Pipeline([(PREPROCESS, preprocess), (CLASSIFIER, classifier)])


def _logistic_regression(schema, hp):
    categorical, cat_names, num_names = _columns(schema)
    classifier = LogisticRegression(
        C=hp["C"], max_iter=hp["max_iter"], tol=hp["tol"], class_weight=_class_weight(hp),
        random_state=hp["seed"],
    )
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    preprocess = _transformer([
        ("categorical", _one_hot(categorical), cat_names),
        ("numeric", numeric, num_names),
    ])
    return Pipeline([(PREPROCESS, preprocess), (CLASSIFIER, classifier)])
