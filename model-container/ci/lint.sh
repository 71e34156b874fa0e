#!/usr/bin/env bash
# Lint the model container: shellcheck on every shell script in the module, dockerfilelint on
# the Dockerfile. dockerfilelint runs from the repository root's node_modules
# (`npx --no-install dockerfilelint`); DOCKERFILELINT=/path/to/dockerfilelint uses another one.
# Without either it warns and skips, unless REQUIRE_DOCKERFILELINT=1.
set -euo pipefail

module=$(cd "$(dirname "$0")/.." && pwd)
repo_root=$(cd "$module/.." && pwd)

shell_scripts() {
  local file first
  while IFS= read -r -d '' file; do
    first=$(head -n 1 "$file" 2>/dev/null || true)
    if [[ $file == *.sh || $first =~ ^\#!.*(/|[[:space:]])(ba)?sh([[:space:]]|$) ]]; then
      printf '%s\n' "$file"
    fi
  done < <(find "$module" -type f -not -path '*/target/*' -not -path '*/.pytest_cache/*' \
    -not -path '*/__pycache__/*' -not -path '*/node_modules/*' -print0 | sort -z)
}

mapfile -t scripts < <(shell_scripts)
if [[ ${#scripts[@]} -eq 0 ]]; then
  echo "lint: no shell scripts found under $module" >&2
  exit 1
fi
echo "shellcheck: ${scripts[*]#"$repo_root"/}"
shellcheck --external-sources "${scripts[@]}"

if [[ -n ${DOCKERFILELINT:-} ]]; then
  "$DOCKERFILELINT" "$module/Dockerfile"
elif [[ -x $repo_root/node_modules/.bin/dockerfilelint ]]; then
  (cd "$repo_root" && npx --no-install dockerfilelint model-container/Dockerfile)
elif [[ ${REQUIRE_DOCKERFILELINT:-0} == 1 ]]; then
  echo "dockerfilelint is not installed: run 'npm ci' in $repo_root (package.json pins dockerfilelint@1.8.0)" >&2
  exit 1
else
  echo "WARNING: dockerfilelint is not installed (no $repo_root/node_modules/.bin/dockerfilelint): Dockerfile lint SKIPPED; run 'npm ci' in the repository root" >&2
fi
