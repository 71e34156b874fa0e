#!/usr/bin/python3
"""Cut train/validation/test CSV splits from the bundled UCI Bank Marketing zip, laid out as
the ETL writes them (comma-separated, header row, label y as 0/1 first, raw feature columns,
`duration` dropped), for tests, the benchmark and local runs without the ETL.

usage: bank_splits.py OUT_DIR [--zip PATH] [--seed 42]
writes OUT_DIR/{train,validation,test}/part-00000.csv (70/15/15, stratified, seeded)
"""
import argparse
import csv
import io
import os
import sys
import zipfile
from pathlib import Path

from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parents[2]
# BANK_ZIP, else the copy the etl module bundles, else the shared one beside the checkout
CANDIDATES = [REPO / "etl" / "data" / "bank-additional.zip", REPO.parent / "shared" / "data" / "bank-additional.zip"]


def default_zip():
    if os.environ.get("BANK_ZIP"):
        return Path(os.environ["BANK_ZIP"])
    for candidate in CANDIDATES:
        if candidate.is_file():
            return candidate
    raise SystemExit(
        "bank-additional.zip not found in " + ", ".join(str(c) for c in CANDIDATES) + ": set BANK_ZIP to its path"
    )


MEMBER = "bank-additional/bank-additional-full.csv"
DROPPED = ("duration",)


def read_bank(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        text = archive.read(MEMBER).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    keep = [i for i, name in enumerate(header) if name not in DROPPED and name != "y"]
    label = header.index("y")
    out_header = ["y"] + [header[i] for i in keep]
    out_rows = [["1" if r[label] == "yes" else "0"] + [r[i] for i in keep] for r in body]
    return out_header, out_rows


def split(rows, seed):
    labels = [r[0] for r in rows]
    train, rest = train_test_split(rows, test_size=0.30, stratify=labels, random_state=seed)
    validation, test = train_test_split(rest, test_size=0.50, stratify=[r[0] for r in rest], random_state=seed)
    return {"train": train, "validation": validation, "test": test}


def write_splits(out_dir, zip_path=None, seed=42):
    header, rows = read_bank(zip_path or default_zip())
    written = {}
    for name, part in split(rows, seed).items():
        target = Path(out_dir) / name / "part-00000.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(part)
        written[name] = target
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--zip", default=None, help="default: $BANK_ZIP, else " + " or ".join(map(str, CANDIDATES)))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    for name, path in write_splits(args.out_dir, args.zip, args.seed).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
