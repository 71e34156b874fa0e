"""PutMetricData without an SDK: SigV4 signing against published values, the Query form, and the real
`monitor` process sending its metrics to a moto_server (moto 5.2.1) on a free loopback port."""
import datetime
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from conftest import free_port, run_entry
from test_monitor import monitor_layout

from mlcontainer import cloudwatch
from mlcontainer.errors import UserError

# AWS's Signature Version 4 test suite credentials and time
CREDENTIALS = {"access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
WHEN = datetime.datetime(2015, 8, 30, 12, 36, 0)


def test_signature_matches_the_aws_sigv4_test_suite_get_vanilla():
    headers = cloudwatch.sign("GET", "https://example.amazonaws.com/", {}, b"", CREDENTIALS, "us-east-1", "service", WHEN)
    assert headers["X-Amz-Date"] == "20150830T123600Z"
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )


def test_signature_of_a_put_metric_data_post_with_a_session_token_matches_botocore():
    # expected value computed with botocore 1.43.11 SigV4Auth (same request, credentials, time)
    body = b"Action=PutMetricData&Version=2010-08-01&Namespace=X%2FY&MetricData.member.1.MetricName=A"
    headers = cloudwatch.sign(
        "POST", "https://monitoring.eu-west-1.amazonaws.com/",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, body,
        {**CREDENTIALS, "token": "TOKEN"}, "eu-west-1", "monitoring", WHEN,
    )
    assert headers["X-Amz-Security-Token"] == "TOKEN"
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/monitoring/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
        "Signature=7f34637958ab845b2ee63209e25332a1e78a0df59043e70bdf1f19cb06b15093"
    )


def test_query_form_numbers_members_from_one():
    data = [{"MetricName": "FeaturePSI", "Dimensions": [{"Name": "endpoint", "Value": "e"}, {"Name": "feature", "Value": "age"}],
             "Timestamp": "2026-12-03T10:00:00Z", "Value": 0.25, "Unit": "None"}]
    params = cloudwatch.query_parameters("MLOps/Drift", data)
    assert params == {
        "Action": "PutMetricData", "Version": "2010-08-01", "Namespace": "MLOps/Drift",
        "MetricData.member.1.MetricName": "FeaturePSI",
        "MetricData.member.1.Dimensions.member.1.Name": "endpoint", "MetricData.member.1.Dimensions.member.1.Value": "e",
        "MetricData.member.1.Dimensions.member.2.Name": "feature", "MetricData.member.1.Dimensions.member.2.Value": "age",
        "MetricData.member.1.Timestamp": "2026-12-03T10:00:00Z", "MetricData.member.1.Value": "0.25",
        "MetricData.member.1.Unit": "None",
    }


def test_metric_data_leaves_out_values_cloudwatch_rejects():
    report = {"endpoint": "e", "request_count": 0, "window": {"rows": 0},
              "schema_violations": {"bad_records": {}, "rate": 0.0}, "drift": {"drifted_share": 0.0},
              "score": {"psi": None, "live_mean": float("nan")}, "alarm": False,
              "features": [{"name": "age", "psi": None, "ks_statistic": float("inf"), "missing_rate": 0.0}]}
    names = [(d["MetricName"], len(d["Dimensions"])) for d in cloudwatch.metric_data(report)]
    assert ("ScorePSI", 1) not in names and ("ScoreMean", 1) not in names
    assert ("FeatureKSStatistic", 2) not in names and ("FeatureMissingRate", 2) in names


def test_container_credentials_are_read_from_the_relative_uri():
    seen = {}

    class Response:
        def __init__(self, body):
            self.body = body

        def read(self):
            return self.body

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

    def opener(request, timeout):
        seen["url"] = request.full_url
        return Response(json.dumps({"AccessKeyId": "A", "SecretAccessKey": "S", "Token": "T"}).encode())

    credentials = cloudwatch.credentials_from({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"}, opener)
    assert seen["url"] == "http://169.254.170.2/v2/credentials/x"
    assert credentials == {"access_key": "A", "secret_key": "S", "token": "T"}


def test_fails_without_credentials_naming_the_fix():
    with pytest.raises(UserError, match="unset it or run with a role"):
        cloudwatch.credentials_from({})


@pytest.fixture
def moto(tmp_path):
    executable = shutil.which("moto_server")
    if executable is None:
        pytest.skip("moto_server not on PATH (pyenv Python 3.11 with moto 5.2.1, see /work/shared/TOOLCHAIN.md)")
    port = free_port()
    log = (tmp_path / "moto.log").open("w")
    process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "moto-api/", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"moto_server did not start: {(tmp_path / 'moto.log').read_text()}") from None
            time.sleep(0.2)
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(10)


def list_metrics(url, namespace):
    body = urllib.parse.urlencode({"Action": "ListMetrics", "Version": "2010-08-01", "Namespace": namespace}).encode()
    headers = cloudwatch.sign("POST", url, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, body,
                              CREDENTIALS, "eu-west-1", "monitoring", datetime.datetime.now(datetime.timezone.utc))
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=10) as response:
        return response.read().decode()


def test_monitor_sends_its_metrics_to_cloudwatch(tmp_path, trained, splits, moto):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False, archive=False)
    env = {"MONITOR_CLOUDWATCH_NAMESPACE": "MLOps/ModelMonitor", "MONITOR_CLOUDWATCH_ENDPOINT": moto,
           "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": CREDENTIALS["access_key"],
           "AWS_SECRET_ACCESS_KEY": CREDENTIALS["secret_key"], "AWS_SESSION_TOKEN": "TOKEN"}
    result = run_entry("monitor", root, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    sent = json.loads((root / "processing" / "monitoring" / "metrics.json").read_text())
    assert sent["Namespace"] == "MLOps/ModelMonitor"
    listed = list_metrics(moto, "MLOps/ModelMonitor")
    assert listed.count("<member><Namespace>MLOps/ModelMonitor</Namespace>") == len(sent["MetricData"])
    assert "<MetricName>FeaturePSI</MetricName>" in listed and "<Value>euribor3m</Value>" in listed
    assert "<MetricName>Alarm</MetricName>" in listed and "<Value>mlops-prd</Value>" in listed


def test_a_failed_put_fails_the_job_after_writing_the_report(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False, archive=False)
    env = {"MONITOR_CLOUDWATCH_NAMESPACE": "N", "MONITOR_CLOUDWATCH_ENDPOINT": f"http://127.0.0.1:{free_port()}/",
           "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"}
    result = run_entry("monitor", root, env=env)
    assert result.returncode == 2
    assert "CloudWatch PutMetricData" in (root / "output" / "message").read_text()
    assert (root / "processing" / "monitoring" / "report.json").is_file()


def test_emf_lines_group_window_and_feature_metrics(tmp_path, trained, splits):
    root = monitor_layout(tmp_path, trained, splits, corrupt=False, archive=False)
    result = run_entry("monitor", root, env={"MONITOR_EMF_NAMESPACE": "MLOps/ModelMonitor"})
    assert result.returncode == 0, result.stdout + result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"_aws"')]
    assert len(events) == 1 + 19  # the window, then one per feature
    window = events[0]
    directive = window["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "MLOps/ModelMonitor" and directive["Dimensions"] == [["endpoint"]]
    assert window["endpoint"] == "mlops-prd" and window["RequestCount"] == 6179 and window["Alarm"] == 0.0
    assert {m["Name"] for m in directive["Metrics"]} <= set(window)
    age = next(e for e in events if e.get("feature") == "age")
    assert age["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["endpoint", "feature"]] and "FeaturePSI" in age
