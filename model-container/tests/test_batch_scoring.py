"""Batch scoring (issue 15): CSV bodies kept as columns, numbers parsed at once, BatchForest over
all trees. Every answer must be the very floats of pipeline.predict_proba."""
import numpy as np
import pytest
from conftest import FAST_HYPERPARAMETERS, layout, train_here

from mlcontainer.artifact import load_model
from mlcontainer.dataio import to_frame
from mlcontainer.fastforest import MISSING, BatchForest
from mlcontainer.scoring import CsvRecords, RequestError, Scorer


@pytest.fixture(scope="module")
def scorer(model):
    instance = Scorer(model)
    instance.verify(model.check)
    instance.native = None  # this module tests the Python path; test_native_encode.py the native step against it
    return instance


def body_of(rows, end="\n"):
    return ("\n".join(",".join(row) for row in rows) + end).encode()


def want_of(model, rows):
    frame = to_frame(model.schema.names, [list(c) for c in zip(*rows)], model.schema.kinds)
    return model.pipeline.predict_proba(frame)[:, 1]


def score_csv(scorer, body):
    return scorer.score_rows(scorer.csv_rows(body))


def test_default_model_has_a_batch_forest(scorer):
    assert scorer.batch is not None and scorer.mode == "fast+flat-forest"


def test_full_test_split_as_one_csv_body_equals_predict_proba_bit_for_bit(scorer, test_lines, expected):
    body = ("\n".join(test_lines) + "\n").encode()
    records = scorer.csv_rows(body)
    assert isinstance(records, CsvRecords) and len(records) == len(test_lines)
    assert np.array_equal(score_csv(scorer, body), expected)


def test_csv_batches_of_every_size_equal_predict_proba(scorer, test_lines, expected):
    for size in (1, 2, 17, 100, 1000):
        got = np.concatenate([
            score_csv(scorer, ("\n".join(test_lines[i:i + size])).encode()) for i in range(0, 3000, size)
        ])
        assert np.array_equal(got, expected[:len(got)]), size


def test_header_in_another_order_crlf_and_no_final_newline_take_the_columnar_path(scorer, model, test_lines):
    names = model.schema.names
    order = list(reversed(range(len(names))))
    rows = [line.split(",") for line in test_lines[:300]]
    shuffled = [[names[i] for i in order]] + [[row[i] for i in order] for row in rows]
    body = "\r\n".join(",".join(r) for r in shuffled).encode()
    records = scorer.csv_rows(body)
    assert isinstance(records, CsvRecords)
    assert records[0] == rows[0] and records[1:3] == rows[1:3]
    assert np.array_equal(scorer.score_rows(records), want_of(model, rows))


def test_non_ascii_fields_and_a_byte_order_mark_take_the_columnar_path(scorer, model, test_lines):
    rows = [line.split(",") for line in test_lines[:50]]
    column = model.schema.kinds.index("categorical")
    rows[3][column], rows[7][column] = "caf\u00e9", "\u4e2d,\u6587".replace(",", "")  # unknown categories
    body = "\ufeff".encode() + body_of(rows)
    records = scorer.csv_rows(body)
    assert isinstance(records, CsvRecords) and records[3][column] == "caf\u00e9"
    assert np.array_equal(scorer.score_rows(records), want_of(model, rows))


def test_fails_on_a_line_with_one_field_too_many_after_a_line_with_one_too_few(scorer, test_lines):
    rows = [line.split(",") for line in test_lines[:20]]
    rows[5], rows[6] = rows[5][:-1], rows[6] + ["x"]
    with pytest.raises(RequestError, match=r"row 6 \(line 6\): 18 values, expected 19"):
        scorer.csv_rows(body_of(rows, end=""))


def test_bodies_the_columnar_path_declines_still_score_exactly(scorer, model, test_lines):
    rows = [line.split(",") for line in test_lines[:200]]
    want = want_of(model, rows)
    blank_line = ("\n".join(test_lines[:100]) + "\n\n" + "\n".join(test_lines[100:200])).encode()
    quoted = body_of([[f'"{v}"' for v in row] for row in rows])
    for body in (blank_line, quoted):
        records = scorer.csv_rows(body)
        assert not isinstance(records, CsvRecords)
        assert np.array_equal(scorer.score_rows(records), want)


def edge_rows(model, test_lines, seed):
    """Real rows with fields replaced: blanks, unknown categories, extreme and odd-looking numbers."""
    rng = np.random.default_rng(seed)
    numbers = ["", " ", "0", "-0", "+3", " 7 ", "1e3", "2.5E-3", "1.7976931348623157e308", "-1.7976931348623157e308",
               "5e-324", "0.1000000000000000055511151231257827", "123456789012345678901234567890", "999", "-1",
               ".5", "5.", "1_000"]
    rows = [line.split(",") for line in test_lines[:1000]]
    kinds = model.schema.kinds
    for row in rows:
        for column in rng.choice(len(row), size=rng.integers(1, 6), replace=False):
            if kinds[column] == "numeric":
                row[column] = numbers[rng.integers(len(numbers))] if rng.random() < 0.6 else repr(rng.normal() * 10.0 ** rng.integers(-5, 6))
            else:
                row[column] = ["never-seen", "", " ", "unknown", "Admin.", row[column] + " "][rng.integers(6)]
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edge_values_equal_predict_proba_on_every_path(scorer, model, test_lines, seed):
    rows = edge_rows(model, test_lines, seed)
    want = want_of(model, rows)
    assert np.array_equal(score_csv(scorer, body_of(rows)), want)  # columnar, numbers per column (blanks)
    assert np.array_equal(scorer.score_rows(rows), want)  # row lists (as JSON bodies give)
    no_blanks = [row for row in rows if all(v.strip() for v in row)]
    assert np.array_equal(score_csv(scorer, body_of(no_blanks)), want_of(model, no_blanks))  # one parse
    single = np.concatenate([scorer.score_rows([row]) for row in rows[:100]])
    assert np.array_equal(single, want[:100])


def test_numbers_from_the_cache_are_the_parsed_ones(scorer, model, test_lines):
    rows = [line.split(",") for line in test_lines[:500]]
    body = body_of(rows)
    first = score_csv(scorer, body)
    assert scorer.encoder.number_cache, "the first batch fills the cache"
    assert all(scorer.encoder.number_cache[v] == float(v) for row in rows for v, kind in zip(row, model.schema.kinds)
               if kind == "numeric")
    assert np.array_equal(score_csv(scorer, body), first) and np.array_equal(first, want_of(model, rows))


def test_fails_with_the_row_and_column_of_a_bad_number_even_when_the_others_are_cached(scorer, model, test_lines):
    rows = [line.split(",") for line in test_lines[:50]]
    score_csv(scorer, body_of(rows))
    column = model.schema.kinds.index("numeric", 1)
    rows[30][column] = "12abc"
    with pytest.raises(RequestError, match=rf"row 31, column '{model.schema.names[column]}'.*'12abc' is not a number"):
        score_csv(scorer, body_of(rows))
    rows[30][column] = "inf"
    with pytest.raises(RequestError, match="'inf' is not a number"):
        score_csv(scorer, body_of(rows))


def test_fails_on_lines_whose_wrong_field_counts_add_up(scorer, test_lines):
    first, second = test_lines[0].split(","), test_lines[1].split(",")
    body = (",".join(first[:-1]) + "\n" + ",".join(second + [first[-1]]) + "\n").encode()
    with pytest.raises(RequestError, match=r"row 1 \(line 1\): 18 values, expected 19"):
        scorer.csv_rows(body)


def test_fails_on_a_header_without_records(scorer, model):
    with pytest.raises(RequestError, match="header row but no records"):
        scorer.csv_rows((",".join(model.schema.names) + "\n").encode())


def test_full_cache_is_no_longer_consulted(scorer, model, test_lines, monkeypatch):
    import mlcontainer.scoring as scoring

    encoder = Scorer(model).encoder
    monkeypatch.setattr(scoring, "NUMBER_CACHE", 1)
    rows = [line.split(",") for line in test_lines[:20]]
    records = CsvRecords([list(c) for c in zip(*rows)])
    first = encoder.encode_columns(records.columns, len(rows))
    assert encoder.number_cache is not None
    rows[0][0] = "77.25"  # a number not seen: the full cache is given up
    second = encoder.encode_columns([list(c) for c in zip(*rows)], len(rows))
    assert encoder.number_cache is None and second[0, encoder.numeric[0][1]] == 77.25
    assert np.array_equal(first[1:], second[1:])


def random_matrix(scorer, rng, n):
    """Encoded records around the trees' own thresholds (equal, just above/below), NaN, and
    category codes known, unknown (up to 255), negative and NaN."""
    forest, width = scorer.batch, scorer.encoder.width
    X = rng.normal(size=(n, width)) * 100
    for features, _ in forest.groups:
        for feature, thresholds, codes, _ in features:
            if thresholds is not None:
                pick = thresholds[rng.integers(len(thresholds), size=n)]
                X[:, feature] = np.where(rng.random(n) < 0.5, pick, np.nextafter(pick, rng.choice([-np.inf, np.inf], n)))
            else:
                X[:, feature] = rng.choice([*range(codes + 3), 255, -1, -5], n).astype(np.float64)
            X[rng.random(n) < 0.1, feature] = np.nan
    return X


def test_batch_forest_equals_sklearn_on_random_matrices(scorer):
    rng = np.random.default_rng(7)
    for n in (1, 5, 333, 4000):
        X = random_matrix(scorer, rng, n)
        want = scorer.classifier.predict_proba(X)[:, 1]
        got = scorer.batch.predict_positive(X, lambda _: pytest.fail("no fallback expected"))
        assert np.array_equal(got, want), n


def test_category_codes_out_of_the_8_bit_range_go_to_sklearn_in_batches(scorer):
    X = random_matrix(scorer, np.random.default_rng(8), 50)
    categorical = next(f for features, _ in scorer.batch.groups for f, t, _, _ in features if t is None)
    X[3, categorical] = float(MISSING + 44)
    assert scorer.batch.raw_predictions(X) is None
    got = scorer.batch.predict_positive(X, scorer._classifier_positive)
    assert np.array_equal(got, scorer.classifier.predict_proba(X)[:, 1])


def test_start_up_check_falls_back_when_the_batch_forest_differs(model, monkeypatch):
    scorer = Scorer(model)
    real = scorer.batch.raw_predictions
    monkeypatch.setattr(scorer.batch, "raw_predictions", lambda X: real(X) + 1e-12)
    scorer.verify(model.check)
    assert scorer.mode == "generic" and scorer.batch is None


def test_trees_with_more_leaves_than_the_masks_hold_are_scored_by_sklearn(tmp_path, splits, monkeypatch, test_lines):
    prefix = layout(tmp_path, splits, {**FAST_HYPERPARAMETERS, "max_iter": "3", "max_leaf_nodes": "100"})
    assert train_here(prefix, monkeypatch) == 0
    big = load_model(prefix / "model")
    scorer = Scorer(big)
    scorer.verify(big.check)
    assert scorer.batch is None and scorer.mode == "fast+flat-forest"
    rows = [line.split(",") for line in test_lines[:500]]
    assert np.array_equal(score_csv(scorer, body_of(rows)), want_of(big, rows))


def test_other_algorithms_score_csv_batches_exactly(other_trained, test_lines):
    other = load_model(other_trained[0] / "model")
    scorer = Scorer(other)
    scorer.verify(other.check)
    assert scorer.mode == "generic" and scorer.batch is None
    rows = [line.split(",") for line in test_lines[:1000]]
    assert np.array_equal(score_csv(scorer, body_of(rows)), want_of(other, rows))


def test_batch_forest_declines_what_it_does_not_know(other_trained):
    assert BatchForest.try_build(load_model(other_trained[0] / "model").pipeline[-1]) is None
