#!/usr/bin/python3
"""Where the time of one batch request goes, in-process (no HTTP): parse / encode / trees / format.

  benchmark/profile_batch.py MODEL_DIR BODY_FILE [REPEATS] [--cprofile]

MODEL_DIR is a trained model (benchmark/run.sh's prepare_model trains one into WORK/ml/model),
BODY_FILE a CSV body (WORK/bodies/batch1000.csv). Each stage is timed with time.perf_counter
around it, REPEATS times (default 200), and the median per stage is printed for two pipelines:

  before  the path up to this change: csv module-free row split (list of rows), transposed to
          columns, parse_column per column, FastEncoder.encode, classifier.predict_proba
          (sklearn walks each of the ~100 trees over all rows, one call per tree)
  after   the Python path (serve without the native library): Scorer._python_csv_rows
          (CsvRecords: the body split once into columns), FastEncoder.encode_columns (one numpy
          parse for all numbers, one dict lookup per categorical field), BatchForest (all trees
          vectorised over rows), format_csv
  native  what serve does now when native/build/libmlcencode.so loaded: Scorer.csv_rows = one C
          call from the body bytes to the encoded matrix (its time shows as "parse", "encode"
          is 0), then BatchForest and format_csv as "after"

Both must give the very floats of pipeline.predict_proba; the script checks it and fails if not.
CPU seconds (time.process_time) are printed next to wall time: on a shared machine the wall
figures grow with the load, CPU time much less. --cprofile adds cProfile's top functions.
"""
import os
import sys
import time
from pathlib import Path

MODULE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(MODULE / "src"))

import mlcontainer  # noqa: E402,F401  (first: OpenMP settings, as serve)
import numpy as np  # noqa: E402

from mlcontainer import native  # noqa: E402
from mlcontainer.artifact import load_model  # noqa: E402
from mlcontainer.dataio import to_frame  # noqa: E402
from mlcontainer.scoring import Scorer, _csv_rows, _decode, format_csv  # noqa: E402


def stages_before(scorer, body):
    """The pre-change batch path, stage by stage (same code the old score_rows ran)."""
    def parse():
        rows = [fields for _, fields in _csv_rows(_decode(body))]
        return [list(c) for c in zip(*rows)], len(rows)

    def encode(parsed):
        columns, n = parsed
        return scorer.encoder.encode(scorer._parse(columns), n)

    def trees(X):
        return scorer.classifier.predict_proba(X)[:, scorer.positive]

    return parse, encode, trees


def stages_after(scorer, body):
    """What serve does without the native step (or when it is not built): the Python split."""
    def parse():
        return scorer._python_csv_rows(body)

    def encode(records):
        return scorer.encoder.encode_columns(records.columns, len(records))

    def trees(X):
        return scorer._batch_positive(X)

    return parse, encode, trees


def stages_native(scorer, body):
    """What serve does now: Scorer.csv_rows takes the native parse+encode step (one C call, the
    matrix is ready after "parse"), then BatchForest."""
    def parse():
        return scorer.csv_rows(body)

    def encode(records):
        return records.matrix

    def trees(X):
        return scorer._batch_positive(X)

    return parse, encode, trees


def measure(stages, repeats):
    parse, encode, trees = stages
    names = ("parse", "encode", "trees", "format")
    wall, cpu = {n: [] for n in names}, []
    result = None
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        parsed = parse()
        t1 = time.perf_counter()
        X = encode(parsed)
        t2 = time.perf_counter()
        result = trees(X)
        t3 = time.perf_counter()
        format_csv(result)
        t4 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        for name, a, b in zip(names, (t0, t1, t2, t3), (t1, t2, t3, t4)):
            wall[name].append(b - a)
    return {n: float(np.median(v)) * 1000 for n, v in wall.items()}, float(np.median(cpu)) * 1000, result


def table(label, breakdown, cpu):
    total = sum(breakdown.values())
    lines = [f"{label}: {total:.2f} ms per request wall (sum of stage medians), {cpu:.2f} ms CPU (median)",
             "| stage | ms per request | share |", "|---|---:|---:|"]
    lines += [f"| {name} | {ms:.3f} | {ms / total:.0%} |" for name, ms in breakdown.items()]
    return "\n".join(lines)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    model_dir, body_file = argv[0], argv[1]
    repeats = int(argv[2]) if len(argv) > 2 and argv[2].isdigit() else 200
    model = load_model(Path(model_dir))
    scorer = Scorer(model)
    scorer.verify(model.check)
    if scorer.encoder is None or scorer.batch is None:
        print(f"scoring mode {scorer.mode}: no fast batch path for this model, nothing to profile", file=sys.stderr)
        return 1
    body = Path(body_file).read_bytes()
    lines = [line.split(",") for line in body.decode().splitlines() if line.strip()]
    frame = to_frame(scorer.names, [list(c) for c in zip(*lines)], scorer.kinds)
    want = model.pipeline.predict_proba(frame)[:, scorer.positive]
    print(f"{len(lines)} rows per request, {scorer.classifier.n_iter_} trees, {repeats} repeats, "
          f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}, {os.cpu_count()} CPUs")
    ok = True
    results = {}
    variants = [("before", stages_before(scorer, body)), ("after", stages_after(scorer, body))]
    if scorer.native is not None:
        variants.append(("native", stages_native(scorer, body)))
    else:
        print(f"native step not loaded ({native.why_not_loaded()}): only before/after")
    for label, stages in variants:
        measure(stages, 5)  # warm up
        breakdown, cpu, got = measure(stages, repeats)
        same = np.array_equal(got, want)
        ok = ok and same
        results[label] = (breakdown, cpu)
        print()
        print(table(label, breakdown, cpu))
        print(f"scores {'identical to' if same else 'DIFFER from'} pipeline.predict_proba")
    before = results["before"]
    print()
    for label in results:
        if label != "before":
            print(f"speed-up in-process, {label} vs before: {sum(before[0].values()) / sum(results[label][0].values()):.1f}x "
                  f"wall, {before[1] / results[label][1]:.1f}x CPU")
    if "--cprofile" in argv:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: [format_csv(scorer.score_rows(scorer.csv_rows(body))) for _ in range(50)])
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    print(f"load average at the end {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
