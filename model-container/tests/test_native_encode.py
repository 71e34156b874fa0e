"""The native CSV parse + encode step (native/csvencode.c, mlcontainer/native.py, issue 15): the
matrix it builds must be the Python path's bit for bit, and every body it does not take must go
the Python path with the very same result or error message.

The library is built by `make -C model-container/native` (Maven runs it before pytest). With
MLC_REQUIRE_NATIVE=1 (CI) a library that did not load fails test_native_library_loads; without it
the tests that need the library are skipped with the reason."""
import os

import numpy as np
import pytest
from conftest import MODULE
from test_batch_scoring import body_of, edge_rows, want_of

from mlcontainer import native
from mlcontainer.scoring import CsvRecords, EncodedRecords, RequestError, Scorer

REQUIRED = os.environ.get("MLC_REQUIRE_NATIVE") == "1"


def test_native_library_loads():
    encode = native.library()
    if encode is None and not REQUIRED:
        pytest.skip(f"native library not loaded ({native.why_not_loaded()}); MLC_REQUIRE_NATIVE=1 makes this fail")
    assert encode is not None, (
        f"MLC_REQUIRE_NATIVE=1 but the native CSV encoder did not load: {native.why_not_loaded()}"
    )
    assert encode.path in native.candidates()


@pytest.fixture(scope="module")
def scorer(model):
    if native.library() is None:
        if REQUIRED:
            pytest.fail(f"MLC_REQUIRE_NATIVE=1 but the native CSV encoder did not load: {native.why_not_loaded()}")
        pytest.skip(f"native library not loaded ({native.why_not_loaded()})")
    instance = Scorer(model)
    instance.verify(model.check)
    assert instance.native is not None, "the start-up self-check turned the native step off"
    return instance


@pytest.fixture(scope="module")
def python_scorer(model):
    instance = Scorer(model)
    instance.verify(model.check)
    instance.native = None
    return instance


def bits(matrix):
    return np.ascontiguousarray(matrix).view(np.uint64)


def python_matrix(python_scorer, body):
    records = python_scorer.csv_rows(body)
    assert isinstance(records, CsvRecords), "the Python path did not take the columnar way"
    return python_scorer.encoder.encode_columns(records.columns, len(records))


def native_matrix(scorer, body):
    records = scorer.csv_rows(body)
    assert isinstance(records, EncodedRecords), "the native step declined the body"
    return records.matrix


def assert_same_matrix(scorer, python_scorer, body):
    got, want = native_matrix(scorer, body), python_matrix(python_scorer, body)
    assert got.shape == want.shape
    assert np.array_equal(bits(got), bits(want)), np.argwhere(bits(got) != bits(want))[:5]


def test_full_test_split_as_one_body_is_the_python_matrix_and_predict_proba(scorer, python_scorer, test_lines, expected):
    body = ("\n".join(test_lines) + "\n").encode()
    assert_same_matrix(scorer, python_scorer, body)
    assert np.array_equal(scorer.score_rows(scorer.csv_rows(body)), expected)


def test_batches_of_every_size_equal_predict_proba(scorer, test_lines, expected):
    for size in (1, 2, 16, 17, 100, 1000):
        parts = []
        for i in range(0, 3000, size):
            records = scorer.csv_rows("\n".join(test_lines[i:i + size]).encode())
            assert isinstance(records, EncodedRecords)
            parts.append(scorer.score_rows(records))
        got = np.concatenate(parts)
        assert np.array_equal(got, expected[:len(got)]), size


def test_header_rows_in_schema_and_in_another_order_crlf_and_no_final_newline(scorer, python_scorer, model, test_lines):
    names = model.schema.names
    rows = [line.split(",") for line in test_lines[:300]]
    for order in (list(range(len(names))), list(reversed(range(len(names)))), [3, 0, 1, 2, *range(4, len(names))]):
        table = [[names[i] for i in order]] + [[row[i] for i in order] for row in rows]
        for end in ("", "\n", "\r\n"):
            body = ("\r\n".join(",".join(r) for r in table) + end).encode()
            assert_same_matrix(scorer, python_scorer, body)
            assert np.array_equal(scorer.score_rows(scorer.csv_rows(body)), want_of(model, rows))
    spaced = ",".join(f" {n} " for n in names) + "\n" + "\n".join(test_lines[:10])
    assert_same_matrix(scorer, python_scorer, spaced.encode())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edge_values_give_the_python_matrix_or_the_python_path(scorer, python_scorer, model, test_lines, seed):
    rows = edge_rows(model, test_lines, seed)
    ascii_plain = [row for row in rows if all("_" not in v for v in row)]  # 1_000: float() only
    assert_same_matrix(scorer, python_scorer, body_of(ascii_plain))
    assert np.array_equal(scorer.score_rows(scorer.csv_rows(body_of(rows))), want_of(model, rows))


def random_number(rng):
    """Decimal strings of the plain grammar: every shape, many digits, near the fast path's limits."""
    sign = ["", "-", "+"][rng.integers(3)]
    shape = rng.integers(9)
    digits = "".join(rng.choice(list("0123456789"), size=rng.integers(1, 26)))
    if shape == 0:
        text = digits
    elif shape == 1:
        text = f"{digits[:rng.integers(1, len(digits) + 1)]}.{digits}"
    elif shape == 2:
        text = f".{digits}"
    elif shape == 3:
        text = f"{digits}."
    elif shape == 4:
        text = f"{digits}{'eE'[rng.integers(2)]}{['', '-', '+'][rng.integers(3)]}{rng.integers(0, 330)}"
    elif shape == 5:  # around 2^53 and 10^22
        text = str(int(rng.choice([2**53 - 1, 2**53, 2**53 + 1, 10**22, 10**23, 2**64, 2**63 - 1])) + int(rng.integers(-3, 4)))
    elif shape == 6:  # shortest reprs of random doubles, tiny to huge
        text = repr(float(rng.normal() * 10.0 ** rng.integers(-320, 300)))
    elif shape == 7:
        text = f"{'0' * int(rng.integers(0, 30))}{digits}e-{rng.integers(0, 30)}"
    else:
        text = "0." + "0" * int(rng.integers(0, 25)) + digits
    pad = " " * int(rng.integers(0, 2))
    return pad + sign + text.lstrip("+-") + pad


def test_random_plain_numbers_are_floats_parse_bit_for_bit(scorer, python_scorer, model, test_lines):
    rng = np.random.default_rng(11)
    kinds = model.schema.kinds
    numeric = [i for i, k in enumerate(kinds) if k == "numeric"]
    rows = [line.split(",") for line in test_lines[:2000]]
    for row in rows:
        for column in numeric:
            row[column] = random_number(rng)
    finite = [row for row in rows if all(np.isfinite(float(row[c])) for c in numeric)]
    assert len(finite) > 1000
    body = body_of(finite)
    got = native_matrix(scorer, body)
    encoder = scorer.encoder
    for c, j, _ in encoder.numeric:
        want = np.array([float(row[c]) for row in finite], dtype=np.float64)
        assert np.array_equal(bits(got[:, j]), bits(want)), [finite[i][c] for i in np.flatnonzero(bits(got[:, j]) != bits(want))[:5]]
    assert np.array_equal(bits(got), bits(python_matrix(python_scorer, body)))


def body_with(model, test_lines, column_kind, value, n=20, row=7):
    rows = [line.split(",") for line in test_lines[:n]]
    column = model.schema.kinds.index(column_kind, 1 if column_kind == "numeric" else 0)
    rows[row][column] = value
    return body_of(rows)


def same_outcome(scorer, python_scorer, body):
    """Native-enabled and Python-only scorers answer a body alike: same scores or same error."""
    def outcome(s):
        try:
            return "scores", s.score_rows(s.csv_rows(body)).tolist()
        except RequestError as error:
            return "error", (error.status, error.message)
    got, want = outcome(scorer), outcome(python_scorer)
    assert got == want
    return got


FALLBACK_NUMBERS = ["inf", "-inf", "nan", "NaN", "1_000", "0x10", "1e400", "-1e400", "1e99999999", "\t5", "5\t",
                    "1e", "e5", ".", "-", "+", "1.2.3", "12abc", "\u0665", "1" * 64, "0." + "1" * 70]


@pytest.mark.parametrize("value", FALLBACK_NUMBERS)
def test_numbers_outside_the_plain_grammar_take_the_python_path(scorer, python_scorer, model, test_lines, value):
    body = body_with(model, test_lines, "numeric", value)
    assert scorer._native_rows(body) is None
    same_outcome(scorer, python_scorer, body)


def test_fails_with_the_python_message_for_a_bad_number(scorer, model, test_lines):
    body = body_with(model, test_lines, "numeric", "12abc")
    with pytest.raises(RequestError, match=r"row 8, column .*'12abc' is not a number"):
        scorer.score_rows(scorer.csv_rows(body))


@pytest.mark.parametrize("value", ["", " ", "   ", "-0", "+0", "0e999", "00012.5000", " 7 ", "5e-324", "2.4e-320", "1e-400", "-1e-99999999", "1e22", "1e23",
                                   "9007199254740993", "1.7976931348623157e308", "123456789012345678901234567890"])
def test_blank_and_unusual_plain_numbers_are_native_and_equal(scorer, python_scorer, model, test_lines, value):
    body = body_with(model, test_lines, "numeric", value)
    assert_same_matrix(scorer, python_scorer, body)
    same_outcome(scorer, python_scorer, body)


@pytest.mark.parametrize("value", ["never-seen", "", " ", "Admin.", "admin. ", "a\x00b", "x" * 300])
def test_unknown_categories_are_native_and_get_the_unknown_code(scorer, python_scorer, model, test_lines, value):
    body = body_with(model, test_lines, "categorical", value)
    assert_same_matrix(scorer, python_scorer, body)


BODIES = {
    "quoted field": lambda lines: lines[0].replace(",", ',"', 1).replace(",", '",', 2) + "\n" + "\n".join(lines[1:5]),
    "byte order mark": lambda lines: "\ufeff" + "\n".join(lines[:5]),
    "non-ascii category": lambda lines: lines[0].replace(",", "\u00e9,", 2) + "\n" + "\n".join(lines[1:5]),
    "stray carriage return": lambda lines: "\n".join(lines[:5]).replace("\n", "\r", 1),
    "carriage return at the end": lambda lines: "\n".join(lines[:5]) + "\r",
    "blank line": lambda lines: "\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:6]),
    "blank final lines": lambda lines: "\n".join(lines[:3]) + "\n\n",
    "one field too many": lambda lines: "\n".join(lines[:3]) + ",1\n" + lines[4],
    "one field too few": lambda lines: lines[0].rsplit(",", 1)[0] + "\n" + "\n".join(lines[1:4]),
    "too few then too many": lambda lines: lines[0].rsplit(",", 1)[0] + "\n" + lines[1] + ",5\n",
    "empty": lambda lines: "",
    "only a line break": lambda lines: "\n",
}


@pytest.mark.parametrize("case", sorted(BODIES))
def test_bodies_the_native_step_declines_answer_as_the_python_path(scorer, python_scorer, test_lines, case):
    body = BODIES[case](test_lines).encode("utf-8")
    assert scorer._native_rows(body) is None
    same_outcome(scorer, python_scorer, body)


def test_headers_the_native_step_declines_answer_as_the_python_path(scorer, python_scorer, model, test_lines):
    names = model.schema.names
    header_only = ",".join(names)
    bodies = [
        header_only, header_only + "\n", header_only + "\r\n",
        ",".join(names[:-1] + ["nope"]) + "\n" + test_lines[0],
        ",".join(names[:-1] + [names[0]]) + "\n" + test_lines[0],
        ",".join(f'"{n}"' for n in names) + "\n" + test_lines[0],
    ]
    for text in bodies:
        body = text.encode()
        assert scorer._native_rows(body) is None, text
        kind, _ = same_outcome(scorer, python_scorer, body)
        assert kind == "error" or '"' in text


def test_fails_with_the_python_messages_for_field_counts_and_headers(scorer, model, test_lines):
    with pytest.raises(RequestError, match=r"row 1 \(line 1\): 18 values, expected 19"):
        scorer.csv_rows(BODIES["too few then too many"](test_lines).encode())
    with pytest.raises(RequestError, match="header row but no records"):
        scorer.csv_rows((",".join(model.schema.names) + "\n").encode())


def test_records_indexed_like_the_python_columns(scorer, test_lines):
    body = "\n".join(test_lines[:40]).encode()
    records = scorer.csv_rows(body)
    assert isinstance(records, EncodedRecords) and len(records) == 40
    assert records[0] == test_lines[0].split(",") and records[38:] == [line.split(",") for line in test_lines[38:40]]


def test_status_codes_of_the_c_step(scorer, test_lines):
    step = scorer.native
    line = test_lines[0]
    cases = {
        b"": -1, (line + '"').encode(): -2, (line + "\u00e9").encode(): -2, (line + "\r" + line).encode(): -3,
        (line + ",1").encode(): -4, (line + "\n" + line).encode(): -5,
    }
    for body, status in cases.items():
        assert step.matrix(body, 0, 1)[1] == status, body
    assert scorer.kinds[0] == "numeric"
    assert step.matrix(("x" + line).encode(), 0, 1)[1] == -6
    assert step.matrix(("1e999" + line[line.index(","):]).encode(), 0, 1)[1] == -7
    assert step.matrix(line.encode(), 0, 1)[1] == 1
    for text, start, lines in (("", 0, 0), ("a", 0, 1), ("a\n", 0, 1), ("a\nb", 0, 2), ("a\r\nb\r\n", 0, 2),
                               ("\n\n", 0, 2), ("h\na\nb", 2, 2), ("h\n", 2, 0)):
        assert step.lines(text.encode(), start) == lines, text


def test_verify_turns_a_wrong_native_step_off(model, caplog):
    if native.library() is None:
        pytest.skip("native library not loaded")
    instance = Scorer(model)

    class Wrong:
        lines = instance.native.lines

        def matrix(self, body, start, n_rows, order=None):
            return np.zeros((n_rows, instance.encoder.width)), n_rows

    instance.native = Wrong()
    instance.verify(model.check)
    assert instance.native is None and "native CSV encoder differs" in caplog.text
    assert instance.encoder is not None


def test_encoded_records_still_score_when_the_fast_path_is_turned_off_after_parsing(model, test_lines, expected):
    if native.library() is None:
        pytest.skip("native library not loaded")
    instance = Scorer(model)
    records = instance.csv_rows("\n".join(test_lines[:200]).encode())
    assert isinstance(records, EncodedRecords)
    instance.encoder = instance.forest = instance.batch = instance.native = None  # as verify does on a difference
    assert instance.mode == "generic"
    assert np.array_equal(instance.score_rows(records), expected[:200])


def test_missing_or_broken_library_is_none_with_the_reason(tmp_path):
    missing = tmp_path / "libmlcencode.so"
    encode, why = native.load([missing])
    assert encode is None and str(missing) in why and "make -C model-container/native" in why
    missing.write_bytes(b"not a shared library")
    encode, why = native.load([missing])
    assert encode is None and "does not load" in why


def test_without_the_library_csv_bodies_take_the_python_path(model, test_lines, monkeypatch, caplog):
    monkeypatch.setattr(native, "_state", {})
    monkeypatch.setenv("MLC_NATIVE_LIB", str(MODULE / "no-such-lib.so"))
    instance = Scorer(model)
    assert instance.native is None and "native CSV encoder not loaded" in caplog.text
    records = instance.csv_rows("\n".join(test_lines[:30]).encode())
    assert isinstance(records, CsvRecords) and not isinstance(records, EncodedRecords)


def test_the_server_application_takes_the_native_step_for_a_csv_body(scorer, test_lines, expected, monkeypatch):
    from mlcontainer.httpserver import Limits
    from mlcontainer.httpwire import Request
    from mlcontainer.serve import Application

    def no_python_split(body):
        raise AssertionError("the Python split ran: the request body did not take the native step")

    monkeypatch.setattr(scorer, "_python_csv_rows", no_python_split)
    app = Application(scorer, Limits(), 1)
    body = ("\n".join(test_lines[:1000]) + "\n").encode()
    response = app(Request("POST", "/invocations", "HTTP/1.1", {"content-type": "text/csv"}, body))
    assert response.status == 200
    assert np.array_equal(np.array([float(v) for v in response.body.decode().split()]), expected[:1000])
