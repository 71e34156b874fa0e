"""The model directory: model.joblib (the fitted Pipeline), schema.json, metrics.json (with the
decision threshold chosen on the validation split), model-check.json (records with the
probabilities the pipeline gave them at training time, replayed when the server starts so a
library drift between train and serve cannot go unseen) and profile.json (the drift monitor's
reference, see profile.py).
"""
import json
import platform
import tarfile
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .schema import Schema

MODEL_FILE, SCHEMA_FILE, METRICS_FILE, CHECK_FILE = "model.joblib", "schema.json", "metrics.json", "model-check.json"
PROFILE_FILE = "profile.json"


def runtime_versions():
    import joblib
    import numpy as np
    import pandas as pd
    import scipy
    import sklearn

    return {
        "python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__,
        "pandas": pd.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__,
    }


@dataclass
class Model:
    pipeline: object
    schema: Schema
    metrics: dict
    check: dict
    profile: dict = None


def single_threaded(pipeline):
    """Scoring with one thread: results must not depend on thread scheduling (see README)."""
    classifier = pipeline[-1]
    if "n_jobs" in classifier.get_params():
        classifier.set_params(n_jobs=None)
    return pipeline


def write_json(path, data):
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def save_model(model_dir, model):
    import joblib  # here, not at module level: the monitor reads model directories without scikit-learn

    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(single_threaded(model.pipeline), model_dir / MODEL_FILE)
    model.schema.save(model_dir / SCHEMA_FILE)
    write_json(model_dir / METRICS_FILE, model.metrics)
    write_json(model_dir / CHECK_FILE, model.check)
    if model.profile is not None:
        write_json(model_dir / PROFILE_FILE, model.profile)


def load_model(model_dir):
    model_dir = Path(model_dir)
    missing = [n for n in (MODEL_FILE, SCHEMA_FILE) if not (model_dir / n).is_file()]
    if missing:
        raise UserError(
            f"model directory {model_dir} lacks {', '.join(missing)}: point it at the output of `train` "
            "(or an extracted model.tar.gz)"
        )
    import joblib

    try:
        pipeline = joblib.load(model_dir / MODEL_FILE)
        schema = Schema.load(model_dir / SCHEMA_FILE)
    except Exception as error:  # unpickling can fail in many ways; all mean the same to the user
        raise UserError(
            f"cannot load the model in {model_dir} ({type(error).__name__}: {error}); it was written by "
            f"another library version? this image has {runtime_versions()}"
        ) from None
    metrics = _optional_json(model_dir / METRICS_FILE)
    check = _optional_json(model_dir / CHECK_FILE)
    return Model(pipeline, schema, metrics, check, _optional_json(model_dir / PROFILE_FILE) or None)


def _optional_json(path):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def extract_model_archive(archive, destination):
    """Extract model.tar.gz, refusing links and paths that leave the destination."""
    destination = Path(destination).resolve()
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar.getmembers():
                target = (destination / member.name).resolve()
                if not (member.isfile() or member.isdir()) or destination not in (target, *target.parents):
                    raise UserError(f"{archive}: refusing to extract {member.name!r} (not a plain file inside the archive)")
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as sink:
                    sink.write(source.read())
    except (tarfile.TarError, OSError) as error:
        raise UserError(f"{archive}: not a readable tar.gz ({error}); pass the training job's model.tar.gz") from None
    return destination


def find_model_dir(root):
    """The directory holding model.joblib under root (the archive may nest it one level)."""
    root = Path(root)
    if (root / MODEL_FILE).is_file():
        return root
    candidates = sorted(p.parent for p in root.rglob(MODEL_FILE))
    if not candidates:
        raise UserError(f"no {MODEL_FILE} under {root}: pass the training job's model.tar.gz or model directory")
    return candidates[0]
