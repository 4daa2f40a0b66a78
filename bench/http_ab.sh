#!/usr/bin/env bash
# http_ab.sh: an A/B of HTTP server variants on this noisy shared machine — each round runs
# every variant once, back to back, so that the load moving between rounds hits them alike.
#
#   bench/http_ab.sh "before=/tmp/hello_before" "after=/tmp/hello_after" \
#     "after+log=/tmp/hello_after --access_log=/tmp/ab_access.log --metrics_path=/metrics"
#
# Each variant is LABEL=COMMAND: a server that takes --port=N (e.g. //examples:hello_server
# built with -c opt, copied out of bazel-bin, at the commits to compare). Per round and
# variant: the server pinned to core $SERVER_CORE, a 1 s wrk warm-up, then wrk -t1 -c$CONNS
# -d$DURATION pinned to core $CLIENT_CORE; prints req/s and the server's CPU time per request
# (utime + stime of all its threads from /proc/<pid>/stat, divided by wrk's request count),
# then the per-variant medians. ROUNDS (default 4) rounds.
set -uo pipefail
rounds=${ROUNDS:-4}
duration=${DURATION:-5s}
conns=${CONNS:-64}
server_core=${SERVER_CORE:-0}
client_core=${CLIENT_CORE:-1}
port=${PORT_BASE:-28180}
clk_tck=$(getconf CLK_TCK)
(($# >= 1)) || { echo "usage: $0 LABEL=COMMAND..." >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }

declare -A cpu rps
run() {  # LABEL COMMAND
  local label=$1 pid t0 t1 out reqs r
  port=$((port + 1))
  # shellcheck disable=SC2086  # COMMAND is words
  taskset -c "$server_core" $2 --port="$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  taskset -c "$client_core" wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1
  t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(taskset -c "$client_core" wrk -t1 -c"$conns" -d"$duration" "http://127.0.0.1:$port/")
  t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill "$pid"
  wait "$pid" 2>/dev/null
  reqs=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' <<<"$out")
  r=$(sed -nE 's/^Requests\/sec: *([0-9.]+).*/\1/p' <<<"$out")
  local us
  us=$(awk -v a="$t0" -v b="$t1" -v hz="$clk_tck" -v n="$reqs" 'BEGIN { printf "%.2f", (b - a) * 1e6 / hz / n }')
  printf '%-12s round %d  req/s %9s  CPU us/req %6s\n' "$label" "$round" "$r" "$us"
  cpu[$label]+="$us "
  rps[$label]+="$r "
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= rounds; round++)); do
  for variant in "$@"; do run "${variant%%=*}" "${variant#*=}"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians:"
for variant in "$@"; do
  label=${variant%%=*}
  printf '%-12s req/s %9s  CPU us/req %6s\n' "$label" "$(median <<<"${rps[$label]}")" \
    "$(median <<<"${cpu[$label]}")"
done
