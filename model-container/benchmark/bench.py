#!/usr/bin/python3
"""Helpers for run.sh: request bodies, the numerical-identity check, and the results table.

  bench.py bodies ML_PREFIX OUT_DIR        one.csv, batch100.csv, batch1000.csv from the test split
  bench.py check ML_PREFIX URL...          answers of each server vs pipeline.predict_proba
  bench.py summary WORK_DIR                markdown table + results.json from the wrk outputs
  bench.py wait URL SECONDS                until GET URL/ping answers 200
  bench.py cpu PID...                      CPU seconds used so far by the PIDs and their descendants
  bench.py latency URL BODY_FILE SECONDS OUT   sequential requests on one connection, timed with the
                                           monotonic clock (a cross-check of wrk's latency figures)
"""
import http.client
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

MODULE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(MODULE / "src"))

CASES = [  # (name, body, connections, wrk threads)
    ("single row, 1 connection", "one", 1, 1),
    ("single row, 8 connections", "one", 8, 2),
    ("100-row batch, 1 connection", "batch100", 1, 1),
    ("1,000-row batch, 1 connection", "batch1000", 1, 1),
]
SERVERS = [("ours", "this module's `serve`"), ("reference", "nginx → gunicorn → Flask → read_csv")]
ROWS = {"one": 1, "batch100": 100, "batch1000": 1000}  # records per request body


def test_lines(prefix):
    lines = (Path(prefix) / "input" / "data" / "test" / "part-00000.csv").read_text().splitlines()
    return [line.split(",", 1)[1] for line in lines[1:]]


def bodies(prefix, out_dir):
    lines, out = test_lines(prefix), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, count in (("one", 1), ("batch100", 100), ("batch1000", 1000)):
        (out / f"{name}.csv").write_text("\n".join(lines[:count]) + "\n")


def expected(prefix, count):
    import numpy as np

    from mlcontainer.artifact import load_model
    from mlcontainer.dataio import read_labelled_csv, to_frame

    model = load_model(Path(prefix) / "model")
    table = read_labelled_csv([Path(prefix) / "input" / "data" / "test" / "part-00000.csv"])
    frame = to_frame(model.schema.names, [v[:count] for v in table.values], model.schema.kinds)
    return np.asarray(model.pipeline.predict_proba(frame)[:, 1])


def ask(url, body):
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    connection.request("POST", "/invocations", body=body, headers={"Content-Type": "text/csv"})
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return [float(v) for v in text.split()]


def check(prefix, urls, count=1000):
    """Single-row and batched answers must be the very floats of pipeline.predict_proba."""
    want = expected(prefix, count).tolist()
    lines = test_lines(prefix)[:count]
    ok = True
    for url in urls:
        batched = ask(url, "\n".join(lines))
        single = [ask(url, line)[0] for line in lines[:200]]
        same = batched == want and single == want[:200]
        ok = ok and same
        print(f"{url}: {'identical to' if same else 'DIFFERS from'} pipeline.predict_proba "
              f"({count} rows batched, 200 single)")
    return ok


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def parse_wrk(text):
    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    count = re.search(r"(\d+) requests in ([\d.]+)s", text)
    mean = re.search(r"^\s+Latency\s+([\d.]+)(us|ms|s)", text, re.MULTILINE)
    connections = re.search(r"(\d+) connections", text)
    cpu = re.search(r"^server CPU seconds: ([\d.]+)", text, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {
        "requests_per_second": float(rps.group(1)) if rps else None,
        "p50_ms": latency(50), "p99_ms": latency(99),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
        # with c connections for d seconds the latencies of the requests cannot add up to more than
        # c * d; wrk's can on this VM (see README), so its percentiles are marked when they do
        "wrk_latency_consistent": (
            float(mean.group(1)) * _UNITS[mean.group(2)] / 1000 * int(count.group(1))
            <= 1.1 * float(count.group(2)) * int(connections.group(1))
        ) if mean and count and connections else None,
        "server_cpu_ms_per_request": (
            float(cpu.group(1)) * 1000 / int(count.group(1)) if cpu and count and int(count.group(1)) else None
        ),
    }


def summary(work):
    work = Path(work)
    results = {}
    for _, body, connections, _ in CASES:
        for server, _ in SERVERS:
            path = work / f"wrk-{server}-{body}-c{connections}.txt"
            if path.exists():
                results[f"{server}/{body}/c{connections}"] = parse_wrk(path.read_text())
            timed = work / f"latency-{server}-{body}.json"
            if timed.exists() and connections == 1:
                results[f"{server}/{body}/c{connections}"]["client"] = json.loads(timed.read_text())
    (work / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = ["| case | server | wrk req/s | wrk p50 ms | wrk p99 ms | client p50 / p99 ms | server CPU ms/request | errors |",
            "|---|---|---:|---:|---:|---:|---:|---|"]
    for label, body, connections, _ in CASES:
        for server, description in SERVERS:
            r = results.get(f"{server}/{body}/c{connections}")
            if r:
                errors = (str(r["non_2xx"]) if r["non_2xx"] else "0") + (f", {r['socket_errors']}" if r["socket_errors"] else "")
                cpu = r["server_cpu_ms_per_request"]
                mark = "" if r["wrk_latency_consistent"] else "*"
                client = r.get("client")
                timed = f"{client['p50_ms']:.2f} / {client['p99_ms']:.2f}" if client else ""
                rows.append(f"| {label} | {description} | {r['requests_per_second']:.0f} | "
                            f"{r['p50_ms']:.2f}{mark} | {r['p99_ms']:.2f}{mark} | {timed} | "
                            f"{'' if cpu is None else f'{cpu:.3f}'} | {errors} |")
    print("\n".join(rows))
    print()
    print("\n".join(side_by_side(results)))
    if not all(r["wrk_latency_consistent"] for r in results.values()):
        print("\n\\* wrk's latencies add up to more than connections x duration: not trustworthy on this machine")
    print()
    print("\n".join(goals(results)))


def _latencies(r):
    """'p50 / p99' in ms: the monotonic client's when measured (trustworthy), else wrk's."""
    client = r.get("client")
    if client:
        return f"{client['p50_ms']:.2f} / {client['p99_ms']:.2f}"
    mark = "" if r["wrk_latency_consistent"] else "*"
    return f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}{mark} (wrk)"


def side_by_side(results):
    """Rows per second and latency at 1, 100 and 1,000 rows per request, one connection each."""
    lines = ["Side by side, one connection (rows/s = requests/s x rows per request; latency p50 / p99 "
             "from the monotonic client):", "",
             "| rows per request | ours rows/s | reference rows/s | ratio | ours p50 / p99 ms | "
             "reference p50 / p99 ms | server CPU ms/request ours / reference |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for body, rows in ROWS.items():
        ours, ref = results.get(f"ours/{body}/c1"), results.get(f"reference/{body}/c1")
        if not (ours and ref and ours["requests_per_second"] and ref["requests_per_second"]):
            continue
        ours_rows, ref_rows = ours["requests_per_second"] * rows, ref["requests_per_second"] * rows
        cpu = [r["server_cpu_ms_per_request"] for r in (ours, ref)]
        cpu_text = " / ".join("" if c is None else f"{c:.2f}" for c in cpu)
        lines.append(f"| {rows:,} | {ours_rows:,.0f} | {ref_rows:,.0f} | {ours_rows / ref_rows:.1f}x | "
                     f"{_latencies(ours)} | {_latencies(ref)} | {cpu_text} |")
    return lines


def goals(results):
    ours, ref = results.get("ours/one/c8"), results.get("reference/one/c8")
    lines = []
    if ours and ref:
        ratio = ours["requests_per_second"] / ref["requests_per_second"]
        lines.append(f"- single-row throughput at 8 connections: {ratio:.1f}x the reference (goal >= 5x): "
                     f"{'met' if ratio >= 5 else 'NOT met'}")
    if ours and ref and ours["server_cpu_ms_per_request"] and ref["server_cpu_ms_per_request"]:
        ratio = ref["server_cpu_ms_per_request"] / ours["server_cpu_ms_per_request"]
        lines.append(f"- server CPU per single-row request: {ratio:.1f}x less than the reference "
                     "(the capacity ratio on an otherwise idle machine)")
    one, ref_one = results.get("ours/one/c1"), results.get("reference/one/c1")
    if one and ref_one:
        ratio = one["requests_per_second"] / ref_one["requests_per_second"]
        lines.append(f"- single-row throughput at 1 connection: {ratio:.1f}x the reference")
    for body in ("batch100", "batch1000"):
        ours, ref = results.get(f"ours/{body}/c1"), results.get(f"reference/{body}/c1")
        if ours and ref and ours["requests_per_second"] and ref["requests_per_second"]:
            ratio = ours["requests_per_second"] / ref["requests_per_second"]
            lines.append(f"- {ROWS[body]:,}-row batch rows/s at 1 connection: {ratio:.1f}x the reference "
                         f"(goal >= 5x): {'met' if ratio >= 5 else 'NOT met'}")
    for key, label, goal in (("ours/one/c1", "single-row p99 at 1 connection", 5),
                             ("ours/batch1000/c1", "1,000-row batch p99", 20)):
        r = results.get(key)
        if not r:
            continue
        client = r.get("client")
        measured = f"wrk {r['p99_ms']:.2f} ms" + ("" if r["wrk_latency_consistent"] else " (inconsistent)")
        if client:
            measured += f", monotonic client {client['p99_ms']:.2f} ms"
        best = client["p99_ms"] if client else r["p99_ms"]
        lines.append(f"- {label}: {measured} (goal <= {goal} ms): {'met' if best <= goal else 'NOT met'}")
    return lines


def _stat(pid):
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])  # ppid, utime + stime (ticks)


def cpu_seconds(pids):
    """utime + stime of the given processes and all their descendants, in seconds."""
    import os

    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                table[int(entry.name)] = _stat(entry.name)
            except (OSError, IndexError, ValueError):
                pass
    wanted, total, frontier = set(), 0, [int(p) for p in pids]
    while frontier:
        pid = frontier.pop()
        if pid in wanted or pid not in table:
            continue
        wanted.add(pid)
        total += table[pid][1]
        frontier += [child for child, (parent, _) in table.items() if parent == pid]
    return total / os.sysconf("SC_CLK_TCK")


def latency(url, body_file, seconds, out):
    """One keep-alive connection, one request after the other, each timed with perf_counter."""
    import time

    parsed, body = urlparse(url), Path(body_file).read_bytes()
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    times, deadline = [], time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        connection.request("POST", "/invocations", body=body, headers={"Content-Type": "text/csv"})
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
    connection.close()
    times.sort()
    result = {"requests": len(times), "p50_ms": times[len(times) // 2] * 1000,
              "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, "max_ms": times[-1] * 1000}
    Path(out).write_text(json.dumps(result) + "\n")


def wait(url, seconds):
    import time

    parsed, deadline = urlparse(url), time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=2)
            connection.request("GET", "/ping")
            if connection.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def main(argv):
    if len(argv) >= 3 and argv[0] == "bodies":
        bodies(argv[1], argv[2])
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        return 0 if check(argv[1], argv[2:]) else 1
    if len(argv) >= 2 and argv[0] == "cpu":
        print(f"{cpu_seconds(argv[1:]):.3f}")
        return 0
    if len(argv) == 5 and argv[0] == "latency":
        latency(*argv[1:])
        return 0
    if len(argv) == 3 and argv[0] == "wait":
        return 0 if wait(argv[1], argv[2]) else 1
    if len(argv) == 2 and argv[0] == "summary":
        summary(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
