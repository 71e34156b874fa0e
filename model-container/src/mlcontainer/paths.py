"""The SageMaker /opt/ml layout, relocatable with ML_PREFIX for local runs and tests."""
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PREFIX = "/opt/ml"


@dataclass(frozen=True)
class MLPaths:
    prefix: Path

    @classmethod
    def from_env(cls, environ=None):
        environ = os.environ if environ is None else environ
        return cls(Path(environ.get("ML_PREFIX") or DEFAULT_PREFIX))

    def channel(self, name):
        return self.prefix / "input" / "data" / name

    @property
    def hyperparameters(self):
        return self.prefix / "input" / "config" / "hyperparameters.json"

    @property
    def model_dir(self):
        return self.prefix / "model"

    @property
    def output_dir(self):
        return self.prefix / "output"

    @property
    def failure_file(self):
        return self.output_dir / "failure"

    @property
    def processing_model(self):
        return self.prefix / "processing" / "input" / "model"

    @property
    def processing_test(self):
        return self.prefix / "processing" / "input" / "test"

    @property
    def evaluation_dir(self):
        return self.prefix / "processing" / "evaluation"

    @property
    def processing_capture(self):
        return self.prefix / "processing" / "input" / "capture"

    @property
    def processing_settings(self):
        return self.prefix / "processing" / "input" / "settings"

    @property
    def monitoring_dir(self):
        return self.prefix / "processing" / "monitoring"
