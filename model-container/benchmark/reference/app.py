"""Reference server for the benchmark, built the classic way of AWS's scikit_bring_your_own
sample (predictor.py): nginx -> gunicorn -> Flask -> pandas.read_csv -> predict_proba of the
same fitted pipeline. Not product code: it only gives the benchmark its baseline."""
import io
import json
import os

import flask
import joblib
import pandas as pd

MODEL_DIR = os.environ.get("MODEL_DIR", "/opt/ml/model")


class ScoringService:
    model = None
    features = None

    @classmethod
    def get_model(cls):
        if cls.model is None:
            cls.model = joblib.load(os.path.join(MODEL_DIR, "model.joblib"))
            with open(os.path.join(MODEL_DIR, "schema.json"), encoding="utf-8") as handle:
                cls.features = [f["name"] for f in json.load(handle)["features"]]
        return cls.model

    @classmethod
    def predict(cls, frame):
        return cls.get_model().predict_proba(frame)[:, 1]


app = flask.Flask(__name__)


@app.route("/ping", methods=["GET"])
def ping():
    health = ScoringService.get_model() is not None
    return flask.Response(response="\n", status=200 if health else 404, mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def transformation():
    if flask.request.content_type != "text/csv":
        return flask.Response(response="This predictor only supports CSV data", status=415, mimetype="text/plain")
    ScoringService.get_model()
    data = flask.request.data.decode("utf-8")
    frame = pd.read_csv(io.StringIO(data), header=None, names=ScoringService.features)
    predictions = ScoringService.predict(frame)
    out = io.StringIO()
    pd.DataFrame({"results": predictions}).to_csv(out, header=False, index=False)
    return flask.Response(response=out.getvalue(), status=200, mimetype="text/csv")
