"""The data capture parser: AWS's documented example, every encoding, corrupt lines and files."""
import base64
import json
from pathlib import Path

import pytest

from mlcontainer import capture

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAMES = ["age", "job", "rate"]


def record(data, encoding="CSV", content_type="text/csv", output="0.5\n", output_type="text/csv",
           output_encoding="CSV", time="2026-12-03T10:00:00Z"):
    return json.dumps({
        "captureData": {
            "endpointInput": {"observedContentType": content_type, "mode": "INPUT", "data": data, "encoding": encoding},
            "endpointOutput": {"observedContentType": output_type, "mode": "OUTPUT", "data": output,
                               "encoding": output_encoding},
        },
        "eventMetadata": {"eventId": "e", "inferenceTime": time}, "eventVersion": "0",
    })


def window_of(tmp_path, lines, names=NAMES, path="ep/AllTraffic/2026/12/03/10/a.jsonl"):
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n")
    return capture.read_window(tmp_path, names)


def b64(text):
    return base64.b64encode(text.encode()).decode()


def test_reads_the_aws_documented_example_records(tmp_path):
    """The two records of 'Capture data from real-time endpoint' (SageMaker Developer Guide), verbatim."""
    names = [f"f{i}" for i in range(69)]
    target = tmp_path / "endpoint" / "AllTraffic" / "2022" / "02" / "14" / "17" / "capture.jsonl"
    target.parent.mkdir(parents=True)
    target.write_bytes((FIXTURES / "aws_capture_example.jsonl").read_bytes())
    window = capture.read_window(tmp_path, names)
    assert (window.records, window.good_records, window.rows, window.good_rows) == (2, 2, 2, 1)
    assert [c[0] for c in window.columns[:4]] == ["69", "0", "153.7", "109"] and window.columns[-1] == ["0"]
    assert window.scores == [0.0254181120544672]  # the second record's row has 67 fields, so its score goes too
    assert dict(window.bad_rows) == {capture.WRONG_COLUMN_COUNT: 1} and not window.bad_records
    assert window.first_time == window.last_time == "2022-02-14T17:25:49Z"
    assert dict(window.endpoints) == {("endpoint", "AllTraffic"): 1}


def test_csv_json_and_base64_encodings_give_the_same_rows(tmp_path):
    csv_body = "35,admin.,1.5\n"
    lines = [
        record(csv_body),
        record(b64(csv_body), encoding="BASE64", output=b64("0.5\n"), output_encoding="BASE64"),
        record(json.dumps({"age": 35, "job": "admin.", "rate": 1.5}), encoding="JSON", content_type="application/json",
               output=json.dumps({"predictions": [0.5]}), output_type="application/json", output_encoding="JSON"),
        record(b64(json.dumps([{"age": "35", "job": "admin.", "rate": "1.5"}])), encoding="BASE64",
               content_type="application/json; charset=utf-8", output=b64('{"predictions": [0.5]}'),
               output_type="application/json", output_encoding="BASE64"),
    ]
    window = window_of(tmp_path, lines)
    assert window.good_records == 4 and not window.bad_records and not window.score_problems
    assert window.columns == [["35"] * 4, ["admin."] * 4, ["1.5"] * 4]
    assert window.scores == [0.5] * 4


def test_a_batch_request_is_several_rows_and_a_header_row_maps_columns(tmp_path):
    lines = [
        record("1,a,0.1\n2,b,0.2\n3,c,0.3\n", output="0.1\n0.2\n0.3\n"),
        record("rate,age,job\n0.4,4,d\n", output="0.4\n"),  # header in another order, as serve accepts
        record('5,"e, quoted",0.5\n', output="0.5\n"),
    ]
    window = window_of(tmp_path, lines)
    assert window.records == 3 and window.rows == 5
    assert window.columns == [["1", "2", "3", "4", "5"], ["a", "b", "c", "d", "e, quoted"], ["0.1", "0.2", "0.3", "0.4", "0.5"]]
    assert window.scores == [0.1, 0.2, 0.3, 0.4, 0.5]


def test_corrupt_lines_are_counted_and_the_rest_of_the_file_is_read(tmp_path):
    good = record("1,a,0.1\n")
    lines = [
        good,
        good[: len(good) // 2],  # truncated JSON
        record("1,a,0.1\n", content_type="application/x-protobuf"),
        record("not base64!!", encoding="BASE64"),
        record(base64.b64encode(b"\xff\xfe,\x00").decode(), encoding="BASE64"),
        record("1,a,0.1\n", encoding="GZIP"),
        json.dumps({"hello": "world"}),
        "[1, 2",
        record("1,a\n"),  # wrong column count
        record('{"age": 1}', encoding="JSON", content_type="application/json"),  # a feature missing
        record("1,a,0.1\n2,b,0.2\n", output="0.3\n"),  # one score for two rows
        record("1,a,0.1\n", output="abc"),
        good,
    ]
    window = window_of(tmp_path, lines)
    assert window.records == 13 and window.good_records == 6
    assert dict(window.bad_records) == {
        capture.INVALID_JSON: 2, capture.UNKNOWN_CONTENT_TYPE: 1, capture.BAD_BASE64: 1, capture.NOT_UTF8: 1,
        capture.UNKNOWN_ENCODING: 1, capture.NOT_A_CAPTURE_RECORD: 1,
    }
    assert dict(window.bad_rows) == {capture.WRONG_COLUMN_COUNT: 1, capture.MISSING_FEATURE: 1}
    assert dict(window.score_problems) == {"score_count_mismatch": 1, "unreadable_scores": 1}
    assert window.good_rows == 5 and window.scores == [0.5, 0.5]
    assert window.examples[0]["where"] == "ep/AllTraffic/2026/12/03/10/a.jsonl line 2"
    assert window.examples[0]["reason"] == capture.INVALID_JSON


def test_a_file_that_is_not_text_and_a_truncated_last_line_do_not_hide_other_files(tmp_path):
    hour = tmp_path / "ep" / "AllTraffic" / "2026" / "12" / "03" / "10"
    hour.mkdir(parents=True)
    (hour / "a-binary.jsonl").write_bytes(b"\x1f\x8b\x08\x00garbage\xff\xfe\n\x00\x01")
    (hour / "b-truncated.jsonl").write_text(record("1,a,0.1\n") + "\n" + record("2,b,0.2\n")[:40])
    (hour / "c-good.jsonl").write_text(record("3,c,0.3\n") + "\n\n")
    window = capture.read_window(tmp_path, NAMES)
    assert window.files == 3 and window.good_records == 2
    assert window.columns[0] == ["1", "3"]
    assert window.bad_records[capture.INVALID_JSON] == 3


def test_blank_lines_and_hidden_files_are_not_records(tmp_path):
    window = window_of(tmp_path, ["", record("1,a,0.1\n"), "   "])
    (tmp_path / ".hidden").write_text("garbage")
    assert window.records == 1 and not window.bad_records


@pytest.mark.parametrize("value, expected", [("text/csv", "text/csv"), ("text/csv; charset=utf-8", "text/csv"),
                                             ("Application/JSON", "application/json"), (None, "")])
def test_media_type_ignores_parameters_and_case(value, expected):
    assert capture.media_type(value) == expected


def test_a_record_without_output_still_counts_its_rows(tmp_path):
    line = json.loads(record("1,a,0.1\n"))
    del line["captureData"]["endpointOutput"]  # capture mode Input only
    window = window_of(tmp_path, [json.dumps(line)])
    assert window.good_rows == 1 and window.scores == [] and dict(window.score_problems) == {"no_output": 1}


def test_records_outside_the_window_are_counted_and_left_out(tmp_path):
    lines = [record("1,a,0.1\n", time="2026-12-03T09:59:59Z"), record("2,b,0.2\n", time="2026-12-03T10:00:00Z"),
             record("3,c,0.3\n", time="2026-12-03T10:59:59.999Z"), record("4,d,0.4\n", time="2026-12-03T11:00:00Z"),
             record("5,e,0.5\n", time="not a time")]
    target = tmp_path / "a.jsonl"
    target.write_text("\n".join(lines) + "\n")
    start, end = capture.parse_time("2026-12-03T10:00:00Z"), capture.parse_time("2026-12-03T11:00:00+00:00")
    window = capture.read_window(tmp_path, NAMES, start, end)
    assert window.outside_window == 2 and window.columns[0] == ["2", "3", "5"]
    assert window.first_time == "2026-12-03T10:00:00Z"
