"""Shared fixtures: bank splits cut from the bundled zip, real `train` runs in temp /opt/ml
layouts, and a real `serve` process on a free loopback port."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

MODULE = Path(__file__).resolve().parents[1]
BIN = MODULE / "bin"
sys.path.insert(0, str(MODULE / "src"))
sys.path.insert(0, str(MODULE / "tools"))

import mlcontainer  # noqa: E402,F401  (first: sets OMP_WAIT_POLICY before scikit-learn loads OpenMP)
import bank_splits  # noqa: E402

# quick settings for tests that do not assert model quality
FAST_HYPERPARAMETERS = {"max_iter": "40", "learning_rate": "0.2", "early_stopping": "false"}


def run_entry(name, prefix, env=None, timeout=300):
    """Run bin/<name> with ML_PREFIX=prefix; returns the CompletedProcess."""
    environment = {**os.environ, "ML_PREFIX": str(prefix), **(env or {})}
    return subprocess.run(
        [str(BIN / name)], env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )


def layout(prefix, splits, hyperparameters=None, channels=("train", "validation")):
    """A temp dir laid out like /opt/ml for a training job."""
    prefix = Path(prefix)
    for channel in channels:
        target = prefix / "input" / "data" / channel
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(splits[channel], target / "part-00000.csv")
    config = prefix / "input" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "hyperparameters.json").write_text(json.dumps(hyperparameters or {}))
    return prefix


def train_ok(prefix):
    result = run_entry("train", prefix)
    assert result.returncode == 0, f"train failed:\n{result.stdout}\n{result.stderr}"
    return result


def train_here(prefix, monkeypatch):
    """train's main() in this process (same code as bin/train, without the process start-up)."""
    from mlcontainer import train

    monkeypatch.setenv("ML_PREFIX", str(prefix))
    return train.main()


@pytest.fixture(scope="session")
def splits(tmp_path_factory):
    """{'train'|'validation'|'test': path} of the bank data, 70/15/15 stratified, seed 42."""
    return bank_splits.write_splits(tmp_path_factory.mktemp("splits"))


@pytest.fixture(scope="session")
def trained(tmp_path_factory, splits):
    """A prefix holding a model trained with the default hyperparameters, and train's output."""
    prefix = layout(tmp_path_factory.mktemp("ml-default"), splits)
    result = train_ok(prefix)
    return prefix, result


OTHER_ALGORITHMS = {
    "random_forest": {"algorithm": "random_forest", "n_estimators": "30", "min_samples_leaf": "20", "max_features": "0.5"},
    "logistic_regression": {"algorithm": "logistic_regression", "C": "0.5", "class_weight": "balanced"},
}


@pytest.fixture(scope="session", params=sorted(OTHER_ALGORITHMS))
def other_trained(request, tmp_path_factory, splits):
    """(prefix, hyperparameters, train's stdout) for random forest and logistic regression,
    trained in this process by train's main() (bin/train runs the same function)."""
    from mlcontainer import train

    hyperparameters = OTHER_ALGORITHMS[request.param]
    prefix = layout(tmp_path_factory.mktemp(request.param), splits, hyperparameters)
    patch = pytest.MonkeyPatch()
    patch.setenv("ML_PREFIX", str(prefix))
    try:
        capture = __import__("io").StringIO()
        with __import__("contextlib").redirect_stdout(capture):
            assert train.main() == 0
    finally:
        patch.undo()
    return prefix, hyperparameters, capture.getvalue()


@pytest.fixture(scope="session")
def model(trained):
    from mlcontainer.artifact import load_model

    return load_model(trained[0] / "model")


@pytest.fixture(scope="session")
def test_table(splits):
    from mlcontainer.dataio import read_labelled_csv

    return read_labelled_csv([splits["test"]])


@pytest.fixture(scope="session")
def test_lines(splits):
    """The test split's records as raw CSV lines without the label, as a client sends them."""
    lines = Path(splits["test"]).read_text().splitlines()
    return [line.split(",", 1)[1] for line in lines[1:]]


@pytest.fixture(scope="session")
def expected(model, test_table):
    """pipeline.predict_proba on the test split as the module reads it: what serving must equal."""
    from mlcontainer.dataio import to_frame

    frame = to_frame(model.schema.names, test_table.values, model.schema.kinds)
    return model.pipeline.predict_proba(frame)[:, 1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A real `serve` process on 127.0.0.1 (stopped by PID)."""

    def __init__(self, prefix, env=None):
        self.port = free_port()
        environment = {
            **os.environ, "ML_PREFIX": str(prefix), "SERVE_HOST": "127.0.0.1",
            "SAGEMAKER_BIND_TO_PORT": str(self.port), "SERVE_WORKERS": "2", **(env or {}),
        }
        self.log = Path(prefix) / f"serve-{self.port}.log"
        self.process = subprocess.Popen(
            [str(BIN / "serve")], env=environment, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if self.request("GET", "/ping")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.process.kill()
        self.process.wait()
        raise AssertionError(f"serve not ready after {timeout}s:\n{self.log.read_text()}")

    def request(self, method, path, body=None, headers=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def stop(self, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("serve did not stop on SIGTERM") from None
        return self.process.returncode


@pytest.fixture(scope="session")
def server(trained):
    instance = Server(trained[0]).wait_ready()
    yield instance
    assert instance.stop() == 0, instance.log.read_text()
