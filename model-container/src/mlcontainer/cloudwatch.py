"""CloudWatch metrics of a monitor report, and PutMetricData with the standard library only.

The image has no AWS SDK. PutMetricData is called with the Query protocol (form-encoded POST,
Action=PutMetricData, Version=2010-08-01), signed with Signature Version 4 (hmac/hashlib), with
credentials from the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN]) or
else the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on 169.254.170.2,
or AWS_CONTAINER_CREDENTIALS_FULL_URI). Region: AWS_REGION or AWS_DEFAULT_REGION. Endpoint:
https://monitoring.<region>.amazonaws.com/ unless MONITOR_CLOUDWATCH_ENDPOINT is set (tests).
At most 1000 metrics per request (API limit); NaN/infinite values are never sent (CloudWatch rejects them).
"""
import datetime
import hashlib
import hmac
import json
import math
import urllib.error
import urllib.parse
import urllib.request

from .errors import UserError

MAX_PER_CALL = 1000
WINDOW_METRICS = (  # metric name, report value, unit
    ("RequestCount", lambda r: r["request_count"], "Count"),
    ("RowCount", lambda r: r["window"]["rows"], "Count"),
    ("BadCaptureRecords", lambda r: sum(r["schema_violations"]["bad_records"].values()), "Count"),
    ("SchemaViolationRate", lambda r: r["schema_violations"]["rate"], "None"),
    ("DriftedFeatureShare", lambda r: r["drift"]["drifted_share"], "None"),
    ("ScorePSI", lambda r: r["score"]["psi"], "None"),
    ("ScoreMean", lambda r: r["score"]["live_mean"], "None"),
    ("Alarm", lambda r: 1.0 if r["alarm"] else 0.0, "None"),
)
FEATURE_METRICS = (
    ("FeaturePSI", "psi"), ("FeatureKSStatistic", "ks_statistic"), ("FeatureMissingRate", "missing_rate"),
    ("FeatureUnknownCategoryRate", "unknown_category_rate"),
)


def _finite(value):
    return value is not None and not isinstance(value, bool) and math.isfinite(float(value))


def metric_data(report, timestamp=None):
    """PutMetricData `MetricData` for a report: window metrics (dimension endpoint), feature metrics
    (dimensions endpoint, feature)."""
    timestamp = timestamp or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    endpoint = report["endpoint"] or "unknown"
    data = []
    for name, value_of, unit in WINDOW_METRICS:
        value = value_of(report)
        if _finite(value):
            data.append({"MetricName": name, "Dimensions": [{"Name": "endpoint", "Value": endpoint}],
                         "Timestamp": timestamp, "Value": float(value), "Unit": unit})
    for feature in report["features"]:
        for name, key in FEATURE_METRICS:
            value = feature.get(key)
            if _finite(value):
                data.append({"MetricName": name, "Dimensions": [{"Name": "endpoint", "Value": endpoint},
                                                                {"Name": "feature", "Value": feature["name"]}],
                             "Timestamp": timestamp, "Value": float(value), "Unit": "None"})
    return data


def query_parameters(namespace, data):
    """The Query protocol form of PutMetricData (lists are `.member.N`, 1-based)."""
    params = {"Action": "PutMetricData", "Version": "2010-08-01", "Namespace": namespace}
    for i, datum in enumerate(data, 1):
        prefix = f"MetricData.member.{i}."
        params[prefix + "MetricName"] = datum["MetricName"]
        for j, dimension in enumerate(datum.get("Dimensions", []), 1):
            params[f"{prefix}Dimensions.member.{j}.Name"] = dimension["Name"]
            params[f"{prefix}Dimensions.member.{j}.Value"] = dimension["Value"]
        params[prefix + "Timestamp"] = datum["Timestamp"]
        params[prefix + "Value"] = repr(float(datum["Value"]))
        params[prefix + "Unit"] = datum.get("Unit", "None")
    return params


def _quote(text):
    return urllib.parse.quote(text, safe="-_.~")


def _hmac(key, message):
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def sign(method, url, headers, body, credentials, region, service, now):
    """Signature Version 4: returns the headers to send (with Authorization, X-Amz-Date, token)."""
    parsed = urllib.parse.urlsplit(url)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    headers = {**headers, "Host": parsed.netloc, "X-Amz-Date": amz_date}
    if credentials.get("token"):
        headers["X-Amz-Security-Token"] = credentials["token"]
    canonical_headers = sorted((k.lower(), " ".join(str(v).split())) for k, v in headers.items())
    signed_headers = ";".join(k for k, _ in canonical_headers)
    query = sorted(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
    canonical_query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in query)
    payload_hash = hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join([
        method, _quote_path(parsed.path or "/"), canonical_query,
        "".join(f"{k}:{v}\n" for k, v in canonical_headers), signed_headers, payload_hash,
    ])
    scope = f"{day}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])
    key = _hmac(("AWS4" + credentials["secret_key"]).encode("utf-8"), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={credentials['access_key']}/{scope}, "
                                f"SignedHeaders={signed_headers}, Signature={signature}")
    return headers


def _quote_path(path):
    return urllib.parse.quote(path, safe="/-_.~")


def credentials_from(environ, opener=urllib.request.urlopen):
    if environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        return {"access_key": environ["AWS_ACCESS_KEY_ID"], "secret_key": environ["AWS_SECRET_ACCESS_KEY"],
                "token": environ.get("AWS_SESSION_TOKEN")}
    if environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        url = "http://169.254.170.2" + environ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]
    elif environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        url = environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    else:
        raise UserError("MONITOR_CLOUDWATCH_NAMESPACE is set but there are no AWS credentials (no AWS_ACCESS_KEY_ID, "
                        "no AWS_CONTAINER_CREDENTIALS_RELATIVE_URI): unset it or run with a role")
    request = urllib.request.Request(url)
    if environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"):
        request.add_header("Authorization", environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
    try:
        with opener(request, timeout=10) as response:
            data = json.loads(response.read())
        return {"access_key": data["AccessKeyId"], "secret_key": data["SecretAccessKey"], "token": data.get("Token")}
    except (OSError, ValueError, KeyError) as error:
        raise UserError(f"could not read container credentials from {url}: {error}") from None


def put_metric_data(namespace, data, environ, now=None):
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise UserError("MONITOR_CLOUDWATCH_NAMESPACE is set but AWS_REGION is not: set AWS_REGION")
    url = environ.get("MONITOR_CLOUDWATCH_ENDPOINT") or f"https://monitoring.{region}.amazonaws.com/"
    credentials = credentials_from(environ)
    for start in range(0, len(data), MAX_PER_CALL):
        body = urllib.parse.urlencode(query_parameters(namespace, data[start:start + MAX_PER_CALL]),
                                      quote_via=urllib.parse.quote).encode("ascii")
        headers = sign("POST", url, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, body,
                       credentials, region, "monitoring", now or datetime.datetime.now(datetime.timezone.utc))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            raise UserError(f"CloudWatch PutMetricData to {url} failed: HTTP {error.code}: {detail}") from None
        except OSError as error:
            raise UserError(f"CloudWatch PutMetricData to {url} failed: {error}") from None


def emf_lines(namespace, data, timestamp_ms=None):
    """CloudWatch Embedded Metric Format: one JSON log line per dimension set (window, each feature).

    Opt-in second path (MONITOR_EMF_NAMESPACE): whether a Processing job's stdout is extracted as EMF is not
    verified (docs/decisions/0105-drift-monitor.md)."""
    timestamp_ms = timestamp_ms or int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
    groups = {}
    for datum in data:
        key = tuple((d["Name"], d["Value"]) for d in datum["Dimensions"])
        groups.setdefault(key, []).append(datum)
    lines = []
    for key, members in groups.items():
        event = {"_aws": {"Timestamp": timestamp_ms, "CloudWatchMetrics": [{
            "Namespace": namespace, "Dimensions": [[name for name, _ in key]],
            "Metrics": [{"Name": m["MetricName"], "Unit": m.get("Unit", "None")} for m in members],
        }]}}
        event.update({name: value for name, value in key})
        event.update({m["MetricName"]: m["Value"] for m in members})
        lines.append(json.dumps(event, separators=(",", ":")))
    return lines
