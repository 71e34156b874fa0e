"""The real `monitor` entry point end to end: train on the bank splits, replay the test split as capture
files (tools/capture_replay.py), unshifted -> no alarm, shifted -> alarm; corrupt files in the window."""
import json
import re
import shutil
import tarfile

import pytest
from conftest import run_entry

import capture_replay

# a macro-economic shift (rates up, employment down) plus more students and older clients
SHIFTS = ["euribor3m*1.5", "emp.var.rate+-1.5", "nr.employed+-150", "cons.conf.idx*1.2", "age+8", "job:student=0.4"]


def monitor_layout(root, trained, splits, shifts=(), encoding="CSV", batch=1, corrupt=True, archive=True):
    model_input = root / "processing" / "input" / "model"
    model_input.mkdir(parents=True)
    if archive:
        with tarfile.open(model_input / "model.tar.gz", "w:gz") as tar:
            for path in sorted((trained[0] / "model").iterdir()):
                tar.add(path, arcname=path.name)
    else:
        shutil.copytree(trained[0] / "model", model_input, dirs_exist_ok=True)
    capture_replay.replay(splits["test"], root / "processing" / "input" / "capture", model=trained[0] / "model",
                          shifts=shifts, encoding=encoding, batch=batch, corrupt=corrupt, endpoint="mlops-prd",
                          records_per_file=2000)
    return root


def run_monitor(root, env=None):
    result = run_entry("monitor", root, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = root / "processing" / "monitoring"
    return json.loads((out / "report.json").read_text()), out


@pytest.fixture(scope="module")
def unshifted(tmp_path_factory, trained, splits):
    return run_monitor(monitor_layout(tmp_path_factory.mktemp("monitor-same"), trained, splits))


@pytest.fixture(scope="module")
def shifted(tmp_path_factory, trained, splits):
    root = monitor_layout(tmp_path_factory.mktemp("monitor-shifted"), trained, splits, SHIFTS, encoding="BASE64",
                          batch=4)
    return run_monitor(root)


def test_no_alarm_on_the_unshifted_test_split(unshifted):
    report, _ = unshifted
    assert report["alarm"] is False and report["reasons"] == [], report["reasons"]
    assert report["drift"]["judged"] and report["drift"]["drifted_features"] == []
    assert all(f["psi"] < 0.02 for f in report["features"]), [(f["name"], f["psi"]) for f in report["features"]]
    assert report["score"]["psi"] < 0.02 and report["score"]["count"] == 6179
    assert report["endpoint"] == "mlops-prd" and report["variant"] == "AllTraffic"


def test_corrupt_files_are_counted_and_do_not_hide_the_window(unshifted):
    report, _ = unshifted
    assert report["request_count"] == 6179 + 1  # the corrupt file's record with a short row is still a request
    assert report["window"]["records"] == 6179 + 5
    violations = report["schema_violations"]
    assert violations["bad_records"] == {"invalid_json": 2, "unknown_content_type": 1, "bad_base64": 1}
    assert violations["bad_rows"] == {"wrong_column_count": 1}
    assert violations["rate"] == pytest.approx(5 / (4 + 6180))
    assert {e["reason"] for e in violations["examples"]} >= {"invalid_json", "bad_base64", "unknown_content_type"}


def test_alarm_on_the_shifted_test_split_names_the_drifted_features_and_the_score(shifted):
    report, _ = shifted
    assert report["alarm"] is True
    drifted = set(report["drift"]["drifted_features"])
    assert drifted == {"euribor3m", "emp.var.rate", "nr.employed", "cons.conf.idx", "age", "job"}
    assert any(r.startswith("6 of 19 features drifted") for r in report["reasons"]), report["reasons"]
    assert any(r.startswith("score distribution PSI") for r in report["reasons"]), report["reasons"]
    job = next(f for f in report["features"] if f["name"] == "job")
    student = next(b for b in job["buckets"] if b["bucket"] == "student")
    assert student["live"] == pytest.approx(0.4 + 0.6 * student["reference"], abs=0.03)
    assert report["request_count"] == 6179 // 4 + 1 + 1 and report["window"]["rows"] == 6179 + 1


def test_a_schema_violation_rate_over_the_limit_is_an_alarm(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits)
    hour = next((root / "processing" / "input" / "capture").rglob("corrupt.jsonl")).parent
    (hour / "more.jsonl").write_text("{truncated\n" * 100)
    report, _ = run_monitor(root)
    assert report["alarm"] is True and report["drift"]["drifted_features"] == []
    # 100 + 4 bad records and 1 bad row of 104 + 6180 units
    assert report["reasons"] == ["schema violation rate 0.0167 > max_schema_violation_rate 0.01 "
                                 "(105 of 6284 records/rows unusable)"]


def test_report_html_is_self_contained_with_a_chart_per_feature(unshifted, model):
    _, out = unshifted
    html = (out / "report.html").read_text()
    charts = re.findall(r'<figure data-feature="([^"]+)"><svg ', html)
    assert charts == ["score"] + model.schema.names
    assert "no alarm" in html and "<script" not in html and "<img" not in html
    import xml.etree.ElementTree as ElementTree

    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == len(charts)
    for svg in svgs:  # well-formed, with a reference and a live bar per bucket
        root = ElementTree.fromstring(svg)
        bars = root.findall("{http://www.w3.org/2000/svg}rect")
        assert len(bars) >= 2 * 3 + 2
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_metrics_json_has_window_and_feature_metrics(unshifted, model):
    report, out = unshifted
    document = json.loads((out / "metrics.json").read_text())
    data = document["MetricData"]
    window = {d["MetricName"]: d for d in data if len(d["Dimensions"]) == 1}
    assert window["RequestCount"]["Value"] == report["request_count"]
    assert window["Alarm"]["Value"] == 0.0 and window["BadCaptureRecords"]["Value"] == 4
    assert window["RequestCount"]["Dimensions"] == [{"Name": "endpoint", "Value": "mlops-prd"}]
    psi = {d["Dimensions"][1]["Value"]: d["Value"] for d in data if d["MetricName"] == "FeaturePSI"}
    assert sorted(psi) == sorted(model.schema.names)
    assert all(d["Dimensions"][0] == {"Name": "endpoint", "Value": "mlops-prd"} for d in data)


def test_settings_change_the_thresholds(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False, archive=False)
    settings = root / "processing" / "input" / "settings"
    settings.mkdir(parents=True)
    (settings / "monitor.json").write_text(json.dumps({"psi_threshold": 0.0, "drifted_feature_share": 0.5}))
    window = {"endpoint": "named", "window_start": "2026-12-03T10:00:00Z", "window_end": "2026-12-03T10:30:00Z"}
    report, _ = run_monitor(root, env={"MONITOR_SETTINGS": json.dumps(window)})
    assert report["window"]["outside_window"] == 6179 // 2  # the replay spreads the rows over 10:00-11:00
    assert report["window"]["last_inference_time"] < "2026-12-03T10:30:00Z"
    assert report["settings"]["psi_threshold"] == 0.0 and report["settings"]["drifted_feature_share"] == 0.5
    assert len(report["drift"]["drifted_features"]) == 19  # PSI >= 0 everywhere
    assert report["alarm"] is True and report["endpoint"] == "named"


def failed(root):
    result = run_entry("monitor", root)
    assert result.returncode == 2, result.stdout + result.stderr
    message = (root / "output" / "message").read_text()
    assert "Traceback" not in message
    return message


def test_fails_on_an_unknown_setting_naming_the_valid_ones(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False)
    (root / "processing" / "input" / "settings").mkdir()
    (root / "processing" / "input" / "settings" / "s.json").write_text('{"psi_treshold": 0.1}')
    message = failed(root)
    assert "psi_treshold" in message and "psi_threshold" in message


def test_fails_without_capture_input(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False)
    shutil.rmtree(root / "processing" / "input" / "capture")
    assert "capture input" in failed(root)


def test_fails_on_a_model_without_a_profile(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False, archive=False)
    (root / "processing" / "input" / "model" / "profile.json").unlink()
    assert "retrain" in failed(root)


def test_an_empty_window_is_no_alarm_and_says_why(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False)
    shutil.rmtree(root / "processing" / "input" / "capture")
    (root / "processing" / "input" / "capture").mkdir()
    report, _ = run_monitor(root)
    assert report["alarm"] is False and report["request_count"] == 0
    assert any("not judged" in n for n in report["notes"]) and any("no capture records" in n for n in report["notes"])


def test_train_writes_the_profile_from_the_train_split_and_scores_from_validation(trained, splits):
    profile = json.loads((trained[0] / "model" / "profile.json").read_text())
    assert profile["features_from"] == "train split" and profile["score_from"] == "validation split"
    rows = len((splits["train"]).read_text().splitlines()) - 1
    assert {f["count"] for f in profile["features"]} == {rows}
    assert profile["score"]["count"] == len(splits["validation"].read_text().splitlines()) - 1
    age = next(f for f in profile["features"] if f["name"] == "age")
    assert len(age["cuts"]) == 9 and sum(age["fractions"]) == pytest.approx(1.0)


def test_fails_on_a_window_start_that_is_not_a_time(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False)
    (root / "processing" / "input" / "settings").mkdir()
    (root / "processing" / "input" / "settings" / "s.json").write_text('{"window_start": "yesterday"}')
    message = failed(root)
    assert "window_start" in message and "2026-12-03T10:00:00Z" in message


def test_train_stores_the_default_thresholds_with_the_model(trained):
    profile = json.loads((trained[0] / "model" / "profile.json").read_text())
    assert profile["settings"] == {"psi_threshold": 0.2, "ks_statistic_threshold": 0.1, "ks_p_value": 0.01,
                                   "drifted_feature_share": 0.3, "score_psi_threshold": 0.2,
                                   "max_schema_violation_rate": 0.01, "min_rows": 100}
    assert profile["settings_from"] == "defaults"


@pytest.fixture(scope="module")
def strict_model(tmp_path_factory, splits, monkeypatch_module):
    """A model trained with monitor_* hyperparameters (as LaunchTraining passes the run settings' monitoring)."""
    from conftest import layout, train_here
    prefix = layout(tmp_path_factory.mktemp("ml-strict"), splits, {
        "algorithm": "logistic_regression", "monitor_psi_threshold": "0", "monitor_drifted_feature_share": "0.5",
        "monitor_min_rows": "50"})
    assert train_here(prefix, monkeypatch_module) == 0
    return (prefix, None)


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def test_the_thresholds_trained_with_the_model_judge_the_window(tmp_path, strict_model, splits):
    profile = json.loads((strict_model[0] / "model" / "profile.json").read_text())
    assert profile["settings"]["psi_threshold"] == 0.0 and profile["settings"]["min_rows"] == 50
    assert profile["settings"]["score_psi_threshold"] == 0.2  # not given: the default
    assert "monitor_psi_threshold" in profile["settings_from"]
    root = monitor_layout(tmp_path, strict_model, splits, corrupt=False)
    report, _ = run_monitor(root)
    assert report["settings"]["psi_threshold"] == 0.0 and report["settings"]["drifted_feature_share"] == 0.5
    assert len(report["drift"]["drifted_features"]) == 19 and report["alarm"] is True


def test_the_job_environment_overrides_the_thresholds_of_the_model(tmp_path, strict_model, splits):
    root = monitor_layout(tmp_path, strict_model, splits, corrupt=False)
    report, _ = run_monitor(root, env={"MONITOR_SETTINGS": json.dumps({"psi_threshold": 0.2})})
    assert report["settings"]["psi_threshold"] == 0.2 and report["settings"]["min_rows"] == 50
    assert report["alarm"] is False, report["reasons"]


def test_fails_on_a_model_whose_stored_thresholds_are_invalid(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False, archive=False)
    path = root / "processing" / "input" / "model" / "profile.json"
    profile = json.loads(path.read_text())
    profile["settings"]["drifted_feature_share"] = 3
    path.write_text(json.dumps(profile))
    message = failed(root)
    assert "profile.json settings" in message and "drifted_feature_share" in message and "3" in message
