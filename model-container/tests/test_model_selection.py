"""tools/model_selection.py: cross-validated comparison on train + validation, never the test split."""
import json
import shutil
import subprocess

from conftest import FAST_HYPERPARAMETERS, MODULE

TOOL = MODULE / "tools" / "model_selection.py"


def etl_dir_without_test(tmp_path, splits):
    """An ETL-shaped output holding only train/ and validation/: reading test/ would fail."""
    for name in ("train", "validation"):
        (tmp_path / name).mkdir()
        shutil.copy(splits[name], tmp_path / name / "part-00000.csv")
    return tmp_path


def test_prints_one_cross_validated_result_per_candidate_without_reading_the_test_split(tmp_path, splits):
    (tmp_path / "etl").mkdir()
    etl = etl_dir_without_test(tmp_path / "etl", splits)
    candidates = tmp_path / "candidates.jsonl"
    strong = dict(FAST_HYPERPARAMETERS)
    weak = {**FAST_HYPERPARAMETERS, "max_iter": "1", "max_leaf_nodes": "2"}
    candidates.write_text(json.dumps(strong) + "\n\n" + json.dumps(weak) + "\n")

    result = subprocess.run(["/usr/bin/python3", str(TOOL), str(etl), str(candidates), "--folds", "3"],
                            capture_output=True, text=True, timeout=600, check=False)

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["hyperparameters"] for r in rows] == [strong, weak]
    for r in rows:
        assert 0.5 < r["cv_roc_auc"] < 1 and 0 <= r["cv_sd"] < 0.1 and 0.5 < r["validation_roc_auc"] < 1
    # a one-split stump ranks below a real model: the comparison measures something
    assert rows[0]["cv_roc_auc"] > rows[1]["cv_roc_auc"] + 0.02


def test_fails_on_an_unknown_hyperparameter_naming_it(tmp_path, splits):
    (tmp_path / "etl").mkdir()
    etl = etl_dir_without_test(tmp_path / "etl", splits)
    candidates = tmp_path / "candidates.jsonl"
    candidates.write_text(json.dumps({"learning_rat": 0.1}) + "\n")
    result = subprocess.run(["/usr/bin/python3", str(TOOL), str(etl), str(candidates), "--folds", "2"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode != 0
    assert "learning_rat" in result.stderr
