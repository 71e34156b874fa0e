#!/usr/bin/python3
"""Benchmark of the `monitor` entry point: one hour of PRD traffic at the autoscaling maximum
(4 instances x 750 invocations a minute x 60 = 180,000 capture records), one process on one core.

usage: benchmark/monitor_bench.py [WORK_DIR] [--records 180000] [--keep]

Trains the default model on the bank splits (tools/bank_splits.py), writes the records with
tools/capture_replay.py (test split rows cycled, scored by the model, single-row CSV requests, plus
the corrupt file), then runs bin/monitor under `taskset -c 0` (when available) and prints records/s,
seconds, CPU seconds and the load average. Goal: under 60 s.

Side by side, on the same core and the same files, it times a floor: a process that only reads every
capture line, parses its JSON, decodes the input and output payloads (base64 where so encoded) and splits
them into rows and fields, which any monitor must do. monitor / floor says what the statistics, the profile
comparison and the report cost on top of reading the capture.
"""
import argparse
import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(MODULE / "tools"))
sys.path.insert(0, str(MODULE / "src"))

import bank_splits  # noqa: E402
import capture_replay  # noqa: E402

GOAL_SECONDS = 60


def floor(capture_dir):
    """Reads and splits every capture record under capture_dir; prints the record and field counts."""
    records = fields = bad = 0
    for path in sorted(Path(capture_dir).rglob("*.jsonl")):
        with open(path, "rb") as f:
            for line in f:
                try:
                    data = json.loads(line)["captureData"]
                    for part in ("endpointInput", "endpointOutput"):
                        body = data[part]
                        text = body["data"]
                        if body.get("encoding") == "BASE64":
                            text = base64.b64decode(text, validate=True).decode("utf-8")
                        for row in text.splitlines():
                            fields += len(row.split(","))
                    records += 1
                except (ValueError, KeyError, TypeError):
                    bad += 1
    print(json.dumps({"records": records, "fields": fields, "bad": bad}))


def timed(command, env=None):
    """Runs command; returns (wall seconds, CPU seconds of the child, result)."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return seconds, cpu, result


def train(work, splits):
    prefix = work / "train"
    for channel in ("train", "validation"):
        (prefix / "input" / "data" / channel).mkdir(parents=True, exist_ok=True)
        shutil.copy(splits[channel], prefix / "input" / "data" / channel / "part-00000.csv")
    (prefix / "input" / "config").mkdir(parents=True, exist_ok=True)
    (prefix / "input" / "config" / "hyperparameters.json").write_text("{}")
    result = subprocess.run([str(MODULE / "bin" / "train")], env={**os.environ, "ML_PREFIX": str(prefix)},
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"train failed:\n{result.stdout}\n{result.stderr}")
    return prefix / "model"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work_dir", nargs="?")
    parser.add_argument("--records", type=int, default=180_000)
    parser.add_argument("--keep", action="store_true", help="keep WORK_DIR (default: removed when it was a temp dir)")
    parser.add_argument("--floor", metavar="CAPTURE_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        floor(args.floor)
        return 0
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="monitor-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    splits = bank_splits.write_splits(work / "splits")
    model = train(work, splits)
    prefix = work / "monitor"
    shutil.rmtree(prefix, ignore_errors=True)
    shutil.copytree(model, prefix / "processing" / "input" / "model")
    written = capture_replay.replay(splits["test"], prefix / "processing" / "input" / "capture", model=model,
                                    records=args.records, corrupt=True)
    size = sum(p.stat().st_size for p in written["files"])
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    command = pin + [str(MODULE / "bin" / "monitor")]
    capture_dir = prefix / "processing" / "input" / "capture"
    load_before = os.getloadavg()
    floor_seconds, floor_cpu, floor_result = timed(pin + [sys.executable, str(Path(__file__).resolve()), "--floor",
                                                          str(capture_dir)])
    if floor_result.returncode != 0:
        raise SystemExit(f"floor failed:\n{floor_result.stdout}\n{floor_result.stderr}")
    seconds, cpu, result = timed(command, env={**os.environ, "ML_PREFIX": str(prefix)})
    load_after = os.getloadavg()
    if result.returncode != 0:
        raise SystemExit(f"monitor failed:\n{result.stdout}\n{result.stderr}")
    report = json.loads((prefix / "processing" / "monitoring" / "report.json").read_text())
    records = report["window"]["records"]
    print(f"records: {records} in {len(written['files'])} files ({size / 1e6:.1f} MB), "
          f"{report['window']['rows']} rows, alarm {report['alarm']}")
    print(f"monitor: {seconds:.2f} s wall ({' '.join(command[:3]) if command[0] == 'taskset' else 'no taskset'}), "
          f"{records / seconds:,.0f} records/s; in-process {report['seconds']:.2f} s; "
          f"CPU time {cpu:.2f} s ({records / cpu:,.0f} records per CPU second, independent of the load)")
    counted = json.loads(floor_result.stdout)
    print(f"floor (read + JSON + decode + split, {counted['records']} records, {counted['bad']} unusable): "
          f"{floor_seconds:.2f} s wall, CPU time {floor_cpu:.2f} s")
    print(f"monitor / floor: {seconds / floor_seconds:.2f} wall, {cpu / floor_cpu:.2f} CPU")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} ({os.cpu_count()} CPUs)")
    print(f"goal: 180,000 records in < {GOAL_SECONDS} s: {'met' if seconds < GOAL_SECONDS else 'NOT met'}"
          + ("" if records >= 180_000 else f" (only {records} records measured)"))
    if not args.work_dir and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
