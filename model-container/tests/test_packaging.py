"""The image definition and the CodeBuild build, checked without Docker or AWS."""
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import MODULE

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO_URI = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-model"
DIGEST = "sha256:" + "ab" * 32


def dockerfile():
    return (MODULE / "Dockerfile").read_text()


def test_base_image_is_debian_bookworm_from_the_ecr_public_mirror():
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile(), re.MULTILINE)
    # the native build stage and the image
    assert bases == ["public.ecr.aws/docker/library/debian:bookworm-slim"] * 2


def test_native_library_is_built_in_its_own_stage_and_only_the_so_is_copied():
    text = dockerfile()
    build, image = re.split(r"^FROM\s+\S+\s*$", text, maxsplit=1, flags=re.MULTILINE)[0:2]
    assert re.search(r"^FROM \S+ AS native$", build, re.MULTILINE) and "make -C /build/native" in build
    assert "gcc" not in image, "gcc belongs in the build stage only"
    assert "COPY --from=native /build/native/build/libmlcencode.so /opt/program/src/mlcontainer/libmlcencode.so" in image
    assert "assert native.library() is not None" in image  # the image build fails if the .so does not load
    assert "!native/" in (MODULE / ".dockerignore").read_text().split()


def test_python_packages_are_pinned_to_the_versions_tested_here():
    pins = dict(re.findall(r"^\s+(python3[\w.-]*)=(\S+)", dockerfile(), re.MULTILINE))
    assert {"python3", "python3-sklearn", "python3-pandas", "python3-numpy", "python3-matplotlib"} <= set(pins)
    for package, version in pins.items():
        installed = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True, check=False
        ).stdout
        assert installed == version, f"Dockerfile pins {package}={version}, tests run with {installed!r}"


def test_entry_points_are_on_path_and_run_with_debian_python():
    text = dockerfile()
    assert 'PATH="/opt/program/bin:${PATH}"' in text
    for name in ("train", "serve", "evaluate", "monitor"):
        assert f"/opt/program/bin/{name}" in text  # made executable in the image
        entry = MODULE / "bin" / name
        assert entry.read_text().startswith("#!/usr/bin/python3\n")
        assert entry.stat().st_mode & stat.S_IXUSR


def test_dockerignore_keeps_only_code():
    lines = (MODULE / ".dockerignore").read_text().split()
    assert lines[:1] == ["*"] or "*" in lines
    assert "!bin/" in lines and "!src/" in lines


def buildspec():
    return (MODULE / "buildspec.yml").read_text()


def test_buildspec_exports_what_later_actions_need():
    text = buildspec()
    exported = re.search(r"exported-variables:\n((?:\s+- \w+\n)+)", text).group(1).split()
    assert {"IMAGE_URI", "COMMIT_ID", "ETL_JAR_URI", "ETL_SETTINGS_URI"} <= set(exported) - {"-"}
    assert re.search(r"runtime-versions:\n\s+java: corretto17", text)
    assert "model-container/ci/codebuild-build.sh" in text
    assert ":latest" not in text and ":latest" not in (MODULE / "ci" / "codebuild-build.sh").read_text()


# --- the build script, with stand-ins for docker, aws and mvn ----------------------------------
STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
case "$(basename "$0") $1 $2" in
  "aws ecr get-login-password") echo secret ;;
  "aws ecr describe-images") if [[ -f $STUB_STATE/pushed ]]; then echo "$STUB_DIGEST"; else exit 254; fi ;;
  "docker push"*) touch "$STUB_STATE/pushed" ;;
  "docker login"*) cat > /dev/null ;;
  "docker build"*) echo "build output that must not end up in the digest" ;;
  "mvn -B -q"*) [[ -n ${STUB_NO_JAR:-} ]] || { mkdir -p etl/target && echo jar > etl/target/etl-0.1.0-SNAPSHOT.jar; } ;;
esac
"""


@pytest.fixture
def fake_build(tmp_path):
    repo = tmp_path / "repo"
    (repo / "model-container" / "ci").mkdir(parents=True)
    shutil.copy(MODULE / "ci" / "codebuild-build.sh", repo / "model-container" / "ci")
    for path in ("etl/glue/GlueEntry.scala", "etl/settings/bank.json"):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("x")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for tool in ("docker", "aws", "mvn"):
        (stubs / tool).write_text(STUB)
        (stubs / tool).chmod(0o755)
    state = tmp_path / "state"
    state.mkdir()
    env = {
        "PATH": f"{stubs}:{os.environ['PATH']}", "STUB_LOG": str(tmp_path / "calls.log"),
        "STUB_STATE": str(state), "STUB_DIGEST": DIGEST, "ECR_REPOSITORY_URI": REPO_URI,
        "ARTIFACT_BUCKET": "artifacts-bucket", "CODEBUILD_RESOLVED_SOURCE_VERSION": COMMIT,
        "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCOUNT_ID": "123456789012",
    }

    def run(**overrides):
        environment = {**env, **overrides}
        result = subprocess.run(
            ["bash", str(repo / "model-container" / "ci" / "codebuild-build.sh"), str(tmp_path / "out.env")],
            env={k: v for k, v in environment.items() if v is not None}, capture_output=True, text=True, check=False,
        )
        log = Path(env["STUB_LOG"]).read_text() if Path(env["STUB_LOG"]).exists() else ""
        outputs = {}
        if result.returncode == 0:
            outputs = dict(line.split("=", 1) for line in (tmp_path / "out.env").read_text().splitlines())
        return result, log, outputs

    run.state = state
    return run


def test_build_pushes_the_commit_tag_and_exports_the_digest(fake_build):
    result, log, outputs = fake_build()
    assert result.returncode == 0, result.stderr
    assert outputs == {
        "COMMIT_ID": COMMIT,
        "IMAGE_URI": f"{REPO_URI}@{DIGEST}",
        "IMAGE_TAG_URI": f"{REPO_URI}:{COMMIT}",
        "ETL_JAR_URI": f"s3://artifacts-bucket/builds/{COMMIT}/etl/etl.jar",
        "ETL_SCRIPT_URI": f"s3://artifacts-bucket/builds/{COMMIT}/etl/GlueEntry.scala",
        "ETL_SETTINGS_URI": f"s3://artifacts-bucket/builds/{COMMIT}/etl/settings.json",
    }
    assert "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com" in log
    assert re.search(rf"docker build --pull .*--tag {re.escape(REPO_URI)}:{COMMIT} .*/model-container", log)
    assert f"docker push {REPO_URI}:{COMMIT}" in log
    assert "mvn -B -q -pl etl -am package -DskipTests" in log
    for source, target in (("etl-0.1.0-SNAPSHOT.jar", "etl.jar"), ("GlueEntry.scala", "GlueEntry.scala"),
                           ("bank.json", "settings.json")):
        assert re.search(rf"aws s3 cp --only-show-errors \S+/{re.escape(source)} s3://artifacts-bucket/builds/{COMMIT}/etl/{target}", log)
    assert "latest" not in log


def test_a_rerun_reuses_the_image_already_pushed_for_the_commit(fake_build):
    (fake_build.state / "pushed").touch()
    result, log, outputs = fake_build()
    assert result.returncode == 0 and outputs["IMAGE_URI"] == f"{REPO_URI}@{DIGEST}"
    assert "docker build" not in log and "docker push" not in log
    assert "already in ECR" in result.stderr


@pytest.mark.parametrize("overrides, words", [
    ({"ECR_REPOSITORY_URI": None}, ["ECR_REPOSITORY_URI"]),
    ({"ARTIFACT_BUCKET": None}, ["ARTIFACT_BUCKET"]),
    ({"CODEBUILD_RESOLVED_SOURCE_VERSION": "main"}, ["'main' is not a commit id"]),
    ({"ECR_REPOSITORY_URI": "no-slash"}, ["not <registry>/<repository>"]),
    ({"STUB_NO_JAR": "1"}, ["etl-0.1.0-SNAPSHOT.jar is missing"]),
])
def test_fails_with_the_reason_when_the_build_cannot_work(fake_build, overrides, words):
    result, _, _ = fake_build(**overrides)
    assert result.returncode != 0
    for word in words:
        assert word in result.stderr
