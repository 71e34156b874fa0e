#!/usr/bin/python3
"""Turn labelled CSV rows (a split: header, label first) + scores into SageMaker data capture files,
optionally shifted, for the drift monitor's tests, benchmark and local runs.

usage: capture_replay.py SPLIT_CSV OUT_DIR (--model MODEL_DIR | --scores FILE) [options]

Writes OUT_DIR/<endpoint>/<variant>/yyyy/mm/dd/hh/<time>-<n>.jsonl, one capture record per request
(JSON Lines as SageMaker's data capture writes them: captureData.endpointInput/endpointOutput with
observedContentType, mode, data, encoding; eventMetadata.eventId/inferenceTime; eventVersion "0"),
the requests spread evenly over --duration seconds from --start.

Scores: --model scores the (shifted) rows with the model directory's pipeline, as the endpoint would;
--scores takes one score per row from a file (not shifted).
Shifts (--shift, repeatable, applied in order, seeded by --seed):
  NAME*F        multiply numeric column NAME by F          e.g. --shift euribor3m*1.5
  NAME+D        add D to numeric column NAME (D may be <0)  e.g. --shift age+10, --shift age+-5
  NAME:VALUE=P  set a random share P of the rows to VALUE   e.g. --shift job:student=0.4
Encodings (--encoding): CSV (text/csv body as text), BASE64 (text/csv body base64-encoded), JSON
(application/json request {"f": v, ...} or a list of them, response {"predictions": [...]}).
--corrupt also writes corrupt.jsonl into the same hour: a truncated line, an unknown content type,
base64 that does not decode, and a row with the wrong column count (4 bad records, 1 bad row).
"""
import argparse
import base64
import csv
import datetime
import json
import re
import sys
import uuid
from pathlib import Path

import numpy as np

MODULE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(MODULE / "src"))

SHIFT = re.compile(r"^(?P<name>[^*+:=]+)(?:\*(?P<factor>[-+0-9.eE]+)|\+(?P<delta>[-+0-9.eE]+)|:(?P<value>[^=]*)=(?P<share>[0-9.eE]+))$")


def parse_shift(text):
    match = SHIFT.match(text)
    if not match:
        raise SystemExit(f"--shift {text!r}: use NAME*F, NAME+D or NAME:VALUE=P (e.g. euribor3m*1.5, job:student=0.4)")
    return match.groupdict()


def read_split(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0][1:], [r[1:] for r in rows[1:] if r]


def apply_shifts(header, rows, shifts, seed):
    random = np.random.default_rng(seed)
    for text in shifts:
        shift = parse_shift(text)
        if shift["name"] not in header:
            raise SystemExit(f"--shift {text!r}: no column {shift['name']!r}; columns: {header}")
        i = header.index(shift["name"])
        if shift["value"] is not None:
            share = float(shift["share"])
            for row in (rows[j] for j in np.flatnonzero(random.random(len(rows)) < share)):
                row[i] = shift["value"]
            continue
        for row in rows:
            if row[i].strip():
                number = float(row[i])
                number = number * float(shift["factor"]) if shift["factor"] is not None else number + float(shift["delta"])
                row[i] = repr(round(number, 6))
    return rows


def model_scores(model_dir, header, rows):
    from mlcontainer.artifact import load_model
    from mlcontainer.dataio import to_frame
    from mlcontainer.modeling import positive_probability

    model = load_model(model_dir)
    columns = [list(c) for c in zip(*rows)]
    by_name = dict(zip(header, columns))
    frame = to_frame(model.schema.names, [by_name[n] for n in model.schema.names], model.schema.kinds)
    return positive_probability(model.pipeline, frame).tolist()


def body_of(header, rows, scores, encoding):
    """(input part, output part) of one capture record."""
    if encoding == "JSON":
        objects = [dict(zip(header, r)) for r in rows]
        request = json.dumps(objects[0] if len(objects) == 1 else objects)
        response = json.dumps({"predictions": scores})
        return ({"observedContentType": "application/json", "mode": "INPUT", "data": request, "encoding": "JSON"},
                {"observedContentType": "application/json", "mode": "OUTPUT", "data": response, "encoding": "JSON"})
    request = "".join(",".join(r) + "\n" for r in rows)
    response = "".join(f"{s!r}\n" for s in scores)
    if encoding == "BASE64":
        request = base64.b64encode(request.encode("utf-8")).decode("ascii")
        response = base64.b64encode(response.encode("utf-8")).decode("ascii")
    return ({"observedContentType": "text/csv", "mode": "INPUT", "data": request, "encoding": encoding},
            {"observedContentType": "text/csv", "mode": "OUTPUT", "data": response, "encoding": encoding})


def record_line(header, rows, scores, encoding, when):
    source, output = body_of(header, rows, scores, encoding)
    return json.dumps({
        "captureData": {"endpointInput": source, "endpointOutput": output},
        "eventMetadata": {"eventId": str(uuid.uuid4()), "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "eventVersion": "0",
    }, separators=(",", ":"))


def corrupt_lines(header, row):
    good = record_line(header, [row], [0.5], "CSV", datetime.datetime(2026, 1, 1))
    unknown = json.loads(good)
    unknown["captureData"]["endpointInput"]["observedContentType"] = "application/x-protobuf"
    bad64 = json.loads(good)
    bad64["captureData"]["endpointInput"].update(encoding="BASE64", data="not base64!!")
    short = json.loads(good)
    short["captureData"]["endpointInput"]["data"] = ",".join(row[:-2]) + "\n"
    return [good[: len(good) // 2], json.dumps(unknown), json.dumps(bad64), "{not json at all", json.dumps(short)]


def replay(split, out_dir, model=None, scores_file=None, shifts=(), seed=7, endpoint="prd-endpoint",
           variant="AllTraffic", start="2026-12-03T10:00:00Z", duration=3600, encoding="CSV", batch=1,
           records=None, records_per_file=5000, corrupt=False):
    """Write the capture files; returns {'records': n, 'rows': n, 'files': [paths]}."""
    header, rows = read_split(split)
    if records:  # cycle the rows up to `records` requests
        need = records * batch
        rows = [list(rows[i % len(rows)]) for i in range(need)]
    rows = apply_shifts(header, rows, shifts, seed)
    if model:
        scores = model_scores(model, header, rows)
    elif scores_file:
        scores = [float(v) for v in Path(scores_file).read_text().split()]
        scores = [scores[i % len(scores)] for i in range(len(rows))]
    else:
        raise SystemExit("pass --model MODEL_DIR (scores the rows) or --scores FILE")
    begin = datetime.datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ")
    requests = [(rows[i:i + batch], scores[i:i + batch]) for i in range(0, len(rows), batch)]
    step = duration / max(len(requests), 1)
    files, handle, written_in_file, current = [], None, 0, None
    for n, (chunk, chunk_scores) in enumerate(requests):
        when = begin + datetime.timedelta(seconds=n * step)
        hour_dir = Path(out_dir) / endpoint / variant / when.strftime("%Y/%m/%d/%H")
        if handle is None or written_in_file >= records_per_file or hour_dir != current:
            if handle:
                handle.close()
            current = hour_dir
            hour_dir.mkdir(parents=True, exist_ok=True)
            path = hour_dir / f"{when.strftime('%M-%S')}-{n:07d}-{uuid.uuid4().hex[:8]}.jsonl"
            handle, written_in_file = open(path, "w", encoding="utf-8"), 0
            files.append(path)
        handle.write(record_line(header, chunk, chunk_scores, encoding, when) + "\n")
        written_in_file += 1
    if handle:
        handle.close()
    if corrupt:
        path = (current or Path(out_dir) / endpoint / variant / begin.strftime("%Y/%m/%d/%H")) / "corrupt.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(corrupt_lines(header, rows[0])) + "\n", encoding="utf-8")
        files.append(path)
    return {"records": len(requests), "rows": len(rows), "files": files}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("split", help="CSV split: header row, label first")
    parser.add_argument("out_dir")
    parser.add_argument("--model", help="model directory: score the rows with its pipeline")
    parser.add_argument("--scores", help="file with one score per row")
    parser.add_argument("--shift", action="append", default=[], help="NAME*F | NAME+D | NAME:VALUE=P (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--endpoint", default="prd-endpoint")
    parser.add_argument("--variant", default="AllTraffic")
    parser.add_argument("--start", default="2026-12-03T10:00:00Z", help="first inferenceTime (UTC, ...Z)")
    parser.add_argument("--duration", type=float, default=3600, help="seconds the requests spread over")
    parser.add_argument("--encoding", choices=("CSV", "BASE64", "JSON"), default="CSV")
    parser.add_argument("--batch", type=int, default=1, help="rows per request")
    parser.add_argument("--records", type=int, help="number of requests (cycles the rows); default: all rows once")
    parser.add_argument("--records-per-file", type=int, default=5000)
    parser.add_argument("--corrupt", action="store_true", help="also write corrupt.jsonl (see above)")
    args = parser.parse_args(argv)
    result = replay(args.split, args.out_dir, args.model, args.scores, args.shift, args.seed, args.endpoint,
                    args.variant, args.start, args.duration, args.encoding, args.batch, args.records,
                    args.records_per_file, args.corrupt)
    print(f"{result['records']} records ({result['rows']} rows) in {len(result['files'])} files under {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
