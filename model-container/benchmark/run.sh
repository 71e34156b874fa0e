#!/usr/bin/env bash
# Benchmark: this module's `serve` against a reference server built the classic way
# (nginx -> gunicorn -> Flask -> pandas.read_csv -> predict_proba, as AWS's scikit_bring_your_own
# sample), both serving the same model trained here on the bank data, side by side in one run.
# All servers bind 127.0.0.1 on free ports, are recorded by PID and stopped by PID; every wrk
# run is bounded (BENCH_DURATION, default 5s).
#
# usage: benchmark/run.sh [WORK_DIR]     (default: a new /tmp/model-bench.XXXXXX)
# BENCH_NICE=-15 runs servers, wrk and the latency client at that niceness (root only), both
# servers alike: an attempt to measure the servers rather than the neighbours on a shared machine.
# needs: /usr/bin/python3 with scikit-learn/pandas/flask, gunicorn, nginx, wrk
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
module=$(cd "$here/.." && pwd)
python=/usr/bin/python3
work=${1:-$(mktemp -d /tmp/model-bench.XXXXXX)}
duration=${BENCH_DURATION:-5s}
workers=${SERVE_WORKERS:-$(nproc)}
runner=()
if [[ -n ${BENCH_NICE:-} ]]; then
  runner=(nice -n "$BENCH_NICE")
fi
pids=()
ours_pids=()
reference_pids=()

log() { printf '[bench] %s\n' "$*" >&2; }

stop_servers() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap stop_servers EXIT

for tool in wrk nginx gunicorn; do
  command -v "$tool" >/dev/null || { log "$tool is not installed (apt-get install wrk nginx gunicorn)"; exit 1; }
done

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_ping() {
  local url=$1 name=$2
  if ! "$python" "$here/bench.py" wait "$url" 60; then
    log "$name did not answer $url/ping within 60 s; see the logs in $work"
    exit 1
  fi
}

prepare_model() {
  mkdir -p "$work/ml"
  "$python" "$module/tools/bank_splits.py" "$work/ml/input/data" >/dev/null
  log "training the default model"
  ML_PREFIX="$work/ml" "$module/bin/train" >"$work/train.log"
  "$python" "$here/bench.py" bodies "$work/ml" "$work/bodies"
}

start_ours() {
  local port=$1
  ML_PREFIX="$work/ml" SERVE_HOST=127.0.0.1 SAGEMAKER_BIND_TO_PORT="$port" SERVE_WORKERS="$workers" \
    "${runner[@]}" "$module/bin/serve" >"$work/serve.log" 2>&1 &
  pids+=("$!")
  ours_pids=("$!")
}

start_reference() {
  local port=$1 socket="$work/gunicorn.sock" user=""
  mkdir -p "$work/nginx"
  [[ $(id -u) == 0 ]] && user="user root;"
  # one OpenMP thread per worker for the reference too (its best setting with workers = CPUs)
  OMP_NUM_THREADS=1 MODEL_DIR="$work/ml/model" "${runner[@]}" gunicorn --chdir "$here/reference" -k sync -w "$workers" \
    --timeout 60 -b "unix:$socket" app:app >"$work/gunicorn.log" 2>&1 &
  pids+=("$!")
  reference_pids=("$!")
  sed -e "s|@WORK@|$work/nginx|g" -e "s|@PORT@|$port|g" -e "s|@SOCKET@|$socket|g" -e "s|@USER@|$user|g" \
    "$here/reference/nginx.conf.template" >"$work/nginx/nginx.conf"
  "${runner[@]}" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx.log" 2>&1 &
  pids+=("$!")
  reference_pids+=("$!")
}

# CPU seconds the server's processes (and their children) used so far
server_cpu() {
  "$python" "$here/bench.py" cpu "$@"
}

run_wrk() {
  local server=$1 url=$2 body=$3 connections=$4 threads=$5 before after out
  local -a server_pids=("${reference_pids[@]}")
  [[ $server == ours ]] && server_pids=("${ours_pids[@]}")
  out="$work/wrk-$server-$body-c$connections.txt"
  before=$(server_cpu "${server_pids[@]}")
  BODY_FILE="$work/bodies/$body.csv" "${runner[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency \
    -s "$here/post.lua" "$url/invocations" >"$out"
  after=$(server_cpu "${server_pids[@]}")
  echo "server CPU seconds: $("$python" -c "print(f'{$after - $before:.3f}')")" >>"$out"
}

prepare_model
ours_port=$(free_port)
start_ours "$ours_port"
reference_port=$(free_port)
start_reference "$reference_port"
ours="http://127.0.0.1:$ours_port"
reference="http://127.0.0.1:$reference_port"
wait_for_ping "$ours" "serve"
wait_for_ping "$reference" "reference (nginx/gunicorn)"

log "numerical identity with pipeline.predict_proba"
"$python" "$here/bench.py" check "$work/ml" "$ours" "$reference" | tee "$work/identity.txt"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "wrk runs of $duration each, $(nproc) cores, $workers workers per server, niceness ${BENCH_NICE:-0}; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in "one 1 1" "one 8 2" "batch100 1 1" "batch1000 1 1"; do
  read -r body connections threads <<<"$run"
  run_wrk ours "$ours" "$body" "$connections" "$threads"
  run_wrk reference "$reference" "$body" "$connections" "$threads"
done
log "latency cross-check: one connection, sequential requests, monotonic clock"
for body in one batch100 batch1000; do
  for server in ours reference; do
    url=$ours
    [[ $server == reference ]] && url=$reference
    "${runner[@]}" "$python" "$here/bench.py" latency "$url" "$work/bodies/$body.csv" "${duration%s}" \
      "$work/latency-$server-$body.json"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
stop_servers

{
  echo "Benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), wrk -d$duration --latency, niceness ${BENCH_NICE:-0}, load before/after: $load_before / $load_after"
  echo
  "$python" "$here/bench.py" summary "$work"
  echo
  echo "In-process breakdown of one 1,000-row request (benchmark/profile_batch.py):"
  echo
  "$python" "$here/profile_batch.py" "$work/ml/model" "$work/bodies/batch1000.csv" 100 || echo "profile_batch.py: scores differ or no fast path (see above)"
  echo
  cat "$work/identity.txt"
} | tee "$work/results.md"
log "raw wrk outputs and logs in $work"
