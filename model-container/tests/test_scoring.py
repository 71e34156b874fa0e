"""Scoring in-process: the fast paths give exactly pipeline.predict_proba's floats."""
import json

import numpy as np
import pytest
from conftest import FAST_HYPERPARAMETERS, layout, train_here

from mlcontainer.artifact import load_model
from mlcontainer.errors import UserError
from mlcontainer.scoring import SMALL_BATCH, RequestError, Scorer


@pytest.fixture(scope="module")
def scorer(model):
    instance = Scorer(model)
    instance.verify(model.check)
    return instance


def rows_of(lines):
    return [line.split(",") for line in lines]


def test_default_model_uses_the_fast_paths(scorer):
    assert scorer.mode == "fast+flat-forest"


def test_single_records_equal_predict_proba_bit_for_bit(scorer, test_lines, expected):
    got = np.concatenate([scorer.score_rows([row]) for row in rows_of(test_lines[:3000])])
    assert np.array_equal(got, expected[:3000])


def test_batches_of_every_path_equal_predict_proba_bit_for_bit(scorer, test_lines, expected):
    rows = rows_of(test_lines)
    for size in (SMALL_BATCH, SMALL_BATCH + 1, 100, 1000, len(rows)):
        got = np.concatenate([scorer.score_rows(rows[i:i + size]) for i in range(0, len(rows), size)])
        assert np.array_equal(got, expected), size


def test_unknown_categories_and_missing_numbers_equal_predict_proba(scorer, model, test_lines):
    from mlcontainer.dataio import to_frame

    rows = rows_of(test_lines[:200])
    for i, row in enumerate(rows):
        column = i % len(row)
        row[column] = "" if model.schema.kinds[column] == "numeric" else "never-seen"
    frame = to_frame(model.schema.names, [list(c) for c in zip(*rows)], model.schema.kinds)
    want = model.pipeline.predict_proba(frame)[:, 1]
    single = np.concatenate([scorer.score_rows([r]) for r in rows])
    assert np.array_equal(single, want) and np.array_equal(scorer.score_rows(rows), want)


def test_other_algorithms_score_exactly_through_the_generic_path(other_trained, splits, test_lines):
    from mlcontainer.dataio import read_labelled_csv, to_frame

    other = load_model(other_trained[0] / "model")
    scorer = Scorer(other)
    scorer.verify(other.check)
    assert scorer.mode == "generic"
    table = read_labelled_csv([splits["test"]])
    frame = to_frame(other.schema.names, [v[:500] for v in table.values], other.schema.kinds)
    want = other.pipeline.predict_proba(frame)[:, 1]
    rows = rows_of(test_lines[:500])
    assert np.array_equal(scorer.score_rows(rows), want)
    # one record at a time equals predict_proba of that one record (BLAS may round a matrix-vector
    # product differently from a matrix-matrix one, so single rows are compared with single rows)
    for i in range(0, 50):
        assert np.array_equal(scorer.score_rows([rows[i]]), other.pipeline.predict_proba(frame.iloc[i:i + 1])[:, 1])


def test_start_up_check_refuses_a_model_that_scores_differently_than_at_training(model):
    tampered = json.loads(json.dumps(model.check))
    tampered["probabilities"][0] = np.nextafter(tampered["probabilities"][0], 1.0)
    with pytest.raises(UserError, match="differently than at training time"):
        Scorer(model).verify(tampered)


def test_start_up_check_falls_back_when_the_fast_path_differs(model, monkeypatch):
    scorer = Scorer(model)
    real = scorer.forest.raw_prediction
    monkeypatch.setattr(scorer.forest, "raw_prediction", lambda row: real(row) + 1e-12)
    scorer.verify(model.check)
    assert scorer.mode == "generic"


def test_category_codes_out_of_the_8_bit_range_go_to_sklearn(scorer):
    row = np.zeros(scorer.encoder.width)
    row[0] = 300.0  # a code sklearn would wrap: FlatForest declines it
    assert scorer.forest.raw_prediction(row) is None
    got = scorer.forest.predict_positive(row[None, :], scorer._classifier_positive)
    assert np.array_equal(got, scorer.classifier.predict_proba(row[None, :])[:, 1])


@pytest.mark.parametrize("body, message", [
    (b"", "empty body"),
    (b"1,2,3\n", "row 1 (line 1): 3 values, expected 19"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_csv_errors_name_the_row(scorer, body, message):
    with pytest.raises(RequestError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        scorer.csv_rows(body)
    assert error.value.status == 400


def test_fast_trains_are_quick_enough_for_tests(tmp_path, splits, monkeypatch):
    prefix = layout(tmp_path, splits, FAST_HYPERPARAMETERS)
    assert train_here(prefix, monkeypatch) == 0
    assert load_model(prefix / "model").pipeline[-1].n_iter_ == 40


def test_fails_on_a_huge_hostile_header_row_in_linear_time_and_quotes_little(scorer):
    """A header row of 100,000 repeated names and one huge unknown one is answered fast, with a short message."""
    import time
    names = list(scorer.names)
    fields = (names * 5000) + ["x" * 10_000]
    start = time.perf_counter()
    try:
        scorer._header_order(fields)
        raise AssertionError("a header with repeated and unknown columns must fail")
    except RequestError as error:
        message = str(error)
    assert time.perf_counter() - start < 2.0
    assert "repeated column(s)" in message and "unknown column(s)" in message
    assert "x" * 100 not in message and len(message) < 4000
