#!/usr/bin/python3
"""Does `serve` fit SageMaker Serverless Inference (issue 13 §4)? Prints, for the model in ML_PREFIX/model:

- cold start: wall time from starting `bin/serve` (SERVE_WORKERS=1, as the serverless DEV model runs it) to the
  first GET /ping 200, and to the first answered 1,000-row POST /invocations (a cold start's first request);
- memory: peak resident set (VmHWM) of the master and its worker after ROUNDS 1,000-row requests, summed, against
  the configured memory size (2048 MB default, `mlops:dev:serverless:memorySizeMb`) and the 1024 MB minimum;
- image: the installed size of the Dockerfile's Debian packages and their dependencies (dpkg on this machine, the
  same Debian release), the figure to hold against the serverless 10 GB image limit. The base image's own files
  are not included (bookworm-slim is small next to these).

  serverless_fit.py ML_PREFIX [ROUNDS=200] [RUNS=3]
Prints the load average with every figure. Not a test: it measures this machine.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

MODULE = Path(__file__).resolve().parents[1]
SERVERLESS_MIN_MB, SERVERLESS_MAX_MB, CONFIGURED_MB = 1024, 6144, 2048
IMAGE_LIMIT_GB = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body(prefix, rows=1000):
    """The first `rows` test rows without the label: input/data/test (benchmark layout) or processing/input/test
    (the local run's layout)."""
    candidates = [Path(prefix) / "input" / "data" / "test", Path(prefix) / "processing" / "input" / "test"]
    found = next((d / "part-00000.csv" for d in candidates if (d / "part-00000.csv").is_file()), None)
    if found is None:
        raise SystemExit(f"no test split under {prefix}: expected {' or '.join(map(str, candidates))}/part-00000.csv")
    lines = found.read_text().splitlines()[1:rows + 1]
    return ("\n".join(line.split(",", 1)[1] for line in lines) + "\n").encode()


def request(port, method, path, payload=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=payload, headers={"Content-Type": "text/csv"} if payload else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def tree(pid):
    """pid and its descendants (from /proc)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(re.search(r"^PPid:\s+(\d+)", (entry / "status").read_text(), re.M).group(1))
            except (OSError, AttributeError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def peak_rss_mb(pid):
    total = 0
    for member in tree(pid):
        try:
            total += int(re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{member}/status").read_text(), re.M).group(1))
        except (OSError, AttributeError):
            pass
    return total / 1024


def one_run(prefix, payload, rounds):
    port = free_port()
    env = {**os.environ, "ML_PREFIX": str(prefix), "SERVE_WORKERS": "1", "SAGEMAKER_BIND_TO_PORT": str(port),
           "SERVE_HOST": "127.0.0.1"}
    started = time.monotonic()
    process = subprocess.Popen(["/usr/bin/python3", str(MODULE / "bin" / "serve")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        ready = None
        while time.monotonic() - started < 120:
            if process.poll() is not None:
                raise SystemExit(f"serve exited with {process.returncode} before answering /ping")
            try:
                if request(port, "GET", "/ping", timeout=2)[0] == 200:
                    ready = time.monotonic() - started
                    break
            except OSError:
                time.sleep(0.02)
        if ready is None:
            raise SystemExit("serve did not answer /ping within 120 s")
        status, _ = request(port, "POST", "/invocations", payload)
        first = time.monotonic() - started
        if status != 200:
            raise SystemExit(f"first request answered {status}")
        for _ in range(rounds):
            request(port, "POST", "/invocations", payload)
        return ready, first, peak_rss_mb(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def dockerfile_packages():
    text = (MODULE / "Dockerfile").read_text()
    return re.findall(r"^\s+(python3[\w.-]*)=\S+", text, re.M)


def installed_size_mb(packages):
    """Installed-Size of the packages and their recursive Depends/PreDepends that dpkg knows here."""
    seen, todo = set(), list(packages)
    while todo:
        name = todo.pop().split(":")[0]
        if name in seen:
            continue
        out = subprocess.run(["dpkg-query", "-W", "-f=${Status}|${Installed-Size}|${Depends},${Pre-Depends}", name],
                             capture_output=True, text=True)
        if out.returncode != 0 or "installed" not in out.stdout.split("|")[0]:
            continue
        seen.add(name)
        for alternative in out.stdout.split("|", 2)[2].split(","):
            dependency = alternative.split("|")[0].strip().split(" ")[0]
            if dependency:
                todo.append(dependency)
    total_kb = 0
    for name in seen:
        size = subprocess.run(["dpkg-query", "-W", "-f=${Installed-Size}", name], capture_output=True, text=True)
        total_kb += int(size.stdout or 0)
    return len(seen), total_kb / 1024


def main(argv):
    prefix = Path(argv[1])
    rounds = int(argv[2]) if len(argv) > 2 else 200
    runs = int(argv[3]) if len(argv) > 3 else 3
    payload = body(prefix)
    print(f"# serve on SageMaker Serverless Inference? model {prefix / 'model'}, SERVE_WORKERS=1, "
          f"{rounds} x 1,000-row requests per run")
    print("| run | load (1 min) | start -> /ping (s) | start -> first 1,000-row answer (s) | peak RSS master+worker (MB) |")
    print("|---:|---:|---:|---:|---:|")
    peaks = []
    for run in range(1, runs + 1):
        load = os.getloadavg()[0]
        ready, first, peak = one_run(prefix, payload, rounds)
        peaks.append(peak)
        print(f"| {run} | {load:.2f} | {ready:.2f} | {first:.2f} | {peak:.0f} |")
    count, size = installed_size_mb(dockerfile_packages())
    print(f"\npeak memory {max(peaks):.0f} MB = {max(peaks) / CONFIGURED_MB:.0%} of the configured {CONFIGURED_MB} MB "
          f"({max(peaks) / SERVERLESS_MIN_MB:.0%} of the {SERVERLESS_MIN_MB} MB minimum; maximum {SERVERLESS_MAX_MB} MB)")
    print(f"image: {count} Debian packages, {size:.0f} MB installed (+ bookworm-slim and /opt/program) vs the "
          f"{IMAGE_LIMIT_GB} GB serverless image limit = {size / 1024 / IMAGE_LIMIT_GB:.1%}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(sys.argv)
