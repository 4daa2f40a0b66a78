#!/usr/bin/env bash
# fetch_load.sh: the HTTP client benchmark of docs/PERFORMANCE.md ("HTTP client (fetch
# demo)"): the fetch demo's req/s against //examples:hello_server, beside Go's net/http
# client doing the same (bench/baselines/go/http_fetch.go, GOMAXPROCS=1).
#
#   bench/fetch_load.sh                          # builds with -c opt, then measures
#   ROUNDS=5 REQUESTS=200000 CONCURRENCY="64 200" bench/fetch_load.sh
#   FETCH=/path/to/fetch HELLO=/path/to/hello_server bench/fetch_load.sh   # no build
#
# hello_server runs pinned to core $SERVER_CORE, each client pinned to $CLIENT_CORE
# (taskset), one URL fetched $REQUESTS times with $CONCURRENCY requests in flight,
# keep-alive. For each run: the client's summary (req/s, p50/p99 latency) and the CPU
# time per request of the client (bash `time`: user+sys) and of the server
# (/proc/<pid>/stat utime+stime before/after). Go is skipped if `go` is missing.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-3}
requests=${REQUESTS:-100000}
concurrencies=${CONCURRENCY:-64 200}
server_core=${SERVER_CORE:-0}
client_core=${CLIENT_CORE:-1}
clk_tck=$(getconf CLK_TCK)

work=$(mktemp -d "${TMPDIR:-/tmp}/fetch_load.XXXXXX")
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${FETCH:-} || -z ${HELLO:-} ]]; then
  (cd "$root" && ./bazelw build -c opt //examples:fetch //examples:hello_server) || exit 1
  # Copies, so that other builds in the workspace cannot swap them mid-run.
  cp "$root/bazel-out/k8-opt/bin/examples/fetch" "$work/fetch"
  cp "$root/bazel-out/k8-opt/bin/examples/hello_server" "$work/hello_server"
  FETCH=$work/fetch
  HELLO=$work/hello_server
fi

go_client=
if command -v go >/dev/null 2>&1; then
  export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/eventlet-cpp-gocache}
  export GO111MODULE=off
  if go build -o "$work/http_fetch" "$here/baselines/go/http_fetch.go"; then
    go_client=$work/http_fetch
  fi
else
  echo "go: skipped (no 'go' on PATH; Debian package golang-go)"
fi

echo "== machine"
echo "nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
uname -sr
echo "commit: $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')"

taskset -c "$server_core" "$HELLO" --port=0 >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/server.out" && break
  sleep 0.05
done
url=$(sed -nE 's#.*listening on (http://[^ ]+/).*#\1#p' "$work/server.out")
[[ -n $url ]] || { echo "hello_server did not start:"; cat "$work/server.out"; exit 1; }
echo "server: hello_server on $url, core $server_core; clients on core $client_core"

server_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# run NAME COMMAND...: one measured run; prints one line.
run() {
  local name=$1
  shift
  local before after out cpu
  before=$(server_ticks)
  local TIMEFORMAT='%U %S'
  { time taskset -c "$client_core" "$@" >"$work/run.out" 2>/dev/null; } 2>"$work/time.out"
  after=$(server_ticks)
  out=$(cat "$work/run.out")
  cpu=$(awk '{print $1 + $2}' "$work/time.out")
  awk -v name="$name" -v n="$requests" -v cpu="$cpu" -v st=$((after - before)) \
    -v hz="$clk_tck" '
    /^req\/s:/ { rps = $2 } /^errors:/ { err = $2 }
    /^latency p50:/ { p50 = $3 } /^latency p99:/ { p99 = $3 }
    END { printf "%-14s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %s  client %5.2f us/req  server %5.2f us/req\n",
          name, rps, p50, p99, err, cpu * 1e6 / n, st / hz * 1e6 / n }' <<<"$out"
}

for c in $concurrencies; do
  echo
  echo "== concurrency $c, $requests requests, $rounds rounds"
  for r in $(seq "$rounds"); do
    run "eventlet-cpp" "$FETCH" --concurrency="$c" --repeat="$requests" --print_each=false "$url"
    [[ -n $go_client ]] && run "go net/http" "$go_client" -c "$c" -n "$requests" "$url"
  done
done
