#!/usr/bin/env bash
# cross_hub.sh: the cross-hub hand-off benchmark of docs/PERFORMANCE.md ("Cross-hub
# hand-off"): //bench:cross_hub_bench (two hubs on two OS threads) and Go's channels
# between goroutines with GOMAXPROCS=2 (bench/baselines/go/cross_hub.go), alternating,
# ROUNDS times; then min and median ns per hand-off of each row.
#
#   bench/cross_hub.sh                                  # builds with -c opt, 5 rounds
#   ROUNDS=9 MIN_TIME=0.5 bench/cross_hub.sh
#   BENCH=/path/to/cross_hub_bench BASE=/path/to/older/cross_hub_bench bench/cross_hub.sh
#
# BENCH skips the build; BASE adds a second binary (e.g. built from another branch) to
# the alternation, reported as "base". Go (Debian's golang-go) is installed with apt-get
# if missing (root, or sudo), and skipped if that fails. The machine has 2 cores and is
# shared: read the min and the median, never one round.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-5}
min_time=${MIN_TIME:-1}
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_workdir cross_hub

section "machine"
say "nproc: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"

section "build"
bench=${BENCH:-}
if [[ -z $bench ]]; then
  build_opt_copy //bench:cross_hub_bench || exit 1
  bench=$work/cross_hub_bench
  say "cross_hub_bench: built (-c opt)"
fi
go_bin=""
command -v go >/dev/null 2>&1 || install_packages golang-go
if command -v go >/dev/null 2>&1; then
  export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/eventlet-cpp-gocache}
  (cd "$here/baselines/go" && GO111MODULE=off go build -o "$work/go_cross_hub" cross_hub.go) &&
    go_bin=$work/go_cross_hub && say "go: $(go version)"
else
  say "go: skipped (no 'go' on PATH; Debian package golang-go)"
fi

# ours WHO BINARY ROUND: appends "WHO NAME ROUND VALUE" for each benchmark of BINARY:
# its ns_per_handoff, or (BM_CrossHubIdleAfterTraffic) its idle_cpu_us, named so.
ours() {
  "$2" --benchmark_min_time="$min_time" 2>/dev/null |
    awk -v who="$1" -v round="$3" '/^BM_/ {
      for (i = 2; i <= NF; i++) if ($i ~ /^(ns_per_handoff|idle_cpu_us)=/) {
        split($i, kv, "="); v = kv[2]; m = 1
        if (v ~ /k$/) m = 1e3; else if (v ~ /M$/) m = 1e6
        sub(/[kM]$/, "", v)
        name = kv[1] == "idle_cpu_us" ? $1 "(idle_cpu_us)" : $1
        printf "%s %s %d %.1f\n", who, name, round, v * m
      } }' >>"$work/results"
}

section "runs: $rounds round(s), --benchmark_min_time=$min_time (ns per hand-off, wall)"
: >"$work/results"
for ((round = 1; round <= rounds; round++)); do
  ours ours "$bench" "$round"
  [[ -n ${BASE:-} ]] && ours base "$BASE" "$round"
  if [[ -n $go_bin ]]; then
    GOMAXPROCS=2 "$go_bin" |
      awk -v round="$round" '/^Go_/ { printf "go %s %d %s\n", $1, round, $2 }' >>"$work/results"
  fi
  awk -v r="$round" '$3 == r { printf "  round %d  %-5s %-44s %10.1f\n", r, $1, $2, $4 }' \
    "$work/results"
done

section "summary (ns per hand-off, wall; min and median of $rounds)"
printf '%-5s %-44s %10s %10s\n' who benchmark min median
sort -k1,1 -k2,2 -k4,4g "$work/results" | awk '
  function flush() {
    if (n == 0) return
    med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "%-5s %-44s %10.1f %10.1f\n", who, name, v[1], med
  }
  $1 != who || $2 != name { flush(); who = $1; name = $2; n = 0 }
  { v[++n] = $4 }
  END { flush() }'
