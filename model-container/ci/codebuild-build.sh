#!/usr/bin/env bash
# The pipeline's Build action (CodeBuild, see ../buildspec.yml), for one commit:
#   1. the model image: build from model-container/, tag with the commit id, push to ECR;
#      the deploy reference is the pushed digest (repo@sha256:...), never a moving tag;
#   2. the ETL jar, its Glue entry script and settings: build and upload to
#      s3://$ARTIFACT_BUCKET/builds/<commit>/etl/.
# Writes KEY=value lines for the exported variables to the file named by $1.
# A re-run for a commit whose image is already in ECR reuses that image (tags are immutable).
set -euo pipefail

out=${1:?usage: codebuild-build.sh OUTPUT_ENV_FILE}
: "${ECR_REPOSITORY_URI:?set ECR_REPOSITORY_URI to the ECR repository URI without a tag}"
: "${ARTIFACT_BUCKET:?set ARTIFACT_BUCKET to the pipeline artifact bucket name}"
: "${CODEBUILD_RESOLVED_SOURCE_VERSION:?set CODEBUILD_RESOLVED_SOURCE_VERSION to the commit id}"
: "${AWS_DEFAULT_REGION:?set AWS_DEFAULT_REGION}"

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
commit=$CODEBUILD_RESOLVED_SOURCE_VERSION
registry=${ECR_REPOSITORY_URI%%/*}
repository=${ECR_REPOSITORY_URI#*/}
etl_jar=${ETL_JAR:-etl/target/etl-0.1.0-SNAPSHOT.jar}
etl_prefix="s3://$ARTIFACT_BUCKET/builds/$commit/etl"

log() { printf '[build] %s\n' "$*" >&2; }

if [[ ! $commit =~ ^[0-9a-f]{7,40}$ ]]; then
  log "CODEBUILD_RESOLVED_SOURCE_VERSION '$commit' is not a commit id: run from a CodeCommit/Git source"
  exit 1
fi
if [[ $repository == "$ECR_REPOSITORY_URI" || -z $repository ]]; then
  log "ECR_REPOSITORY_URI '$ECR_REPOSITORY_URI' is not <registry>/<repository>"
  exit 1
fi

existing_digest() {
  aws ecr describe-images --region "$AWS_DEFAULT_REGION" --repository-name "$repository" \
    --image-ids "imageTag=$commit" --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true
}

build_and_push_image() {
  local image="$ECR_REPOSITORY_URI:$commit"
  log "logging in to $registry"
  aws ecr get-login-password --region "$AWS_DEFAULT_REGION" \
    | docker login --username AWS --password-stdin "$registry"
  log "building $image"
  docker build --pull \
    --label "org.opencontainers.image.revision=$commit" \
    --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --tag "$image" "$repo_root/model-container"
  log "pushing $image"
  docker push "$image"
}

image_digest() {
  local digest
  digest=$(existing_digest)
  if [[ $digest != sha256:* ]]; then
    build_and_push_image >&2  # stdout carries only the digest
    digest=$(existing_digest)
  else
    log "image for commit $commit already in ECR ($digest): not rebuilding"
  fi
  if [[ $digest != sha256:* ]]; then
    log "no digest for $ECR_REPOSITORY_URI:$commit after the push: check the ECR permissions of the build role"
    exit 1
  fi
  printf '%s\n' "$digest"
}

build_and_upload_etl() {
  log "building the ETL jar"
  (cd "$repo_root" && mvn -B -q -pl etl -am package -DskipTests)
  local source
  for source in "$etl_jar" etl/glue/GlueEntry.scala etl/settings/bank.json; do
    if [[ ! -f $repo_root/$source ]]; then
      log "$source is missing after the ETL build: check the etl module"
      exit 1
    fi
  done
  aws s3 cp --only-show-errors "$repo_root/$etl_jar" "$etl_prefix/etl.jar"
  aws s3 cp --only-show-errors "$repo_root/etl/glue/GlueEntry.scala" "$etl_prefix/GlueEntry.scala"
  aws s3 cp --only-show-errors "$repo_root/etl/settings/bank.json" "$etl_prefix/settings.json"
}

digest=$(image_digest)
build_and_upload_etl
{
  printf 'COMMIT_ID=%s\n' "$commit"
  printf 'IMAGE_URI=%s@%s\n' "$ECR_REPOSITORY_URI" "$digest"
  printf 'IMAGE_TAG_URI=%s:%s\n' "$ECR_REPOSITORY_URI" "$commit"
  printf 'ETL_JAR_URI=%s/etl.jar\n' "$etl_prefix"
  printf 'ETL_SCRIPT_URI=%s/GlueEntry.scala\n' "$etl_prefix"
  printf 'ETL_SETTINGS_URI=%s/settings.json\n' "$etl_prefix"
} >"$out"
log "done: $(tr '\n' ' ' <"$out")"
