#!/usr/bin/env bash
# http_load.sh: the HTTP server benchmark of docs/PERFORMANCE.md ("HTTP server").
#
#   bench/http_load.sh                       # everything this machine can run
#   ROUNDS=3 DURATION=5s IDLE_N=10000 bench/http_load.sh
#   SERVERS="eventlet-cpp nginx" bench/http_load.sh
#   CORES=2 CONNS=256 bench/http_load.sh     # every server on both cores
#
# Hello world ("Hello, World!\n", text/plain) served by
#   eventlet-cpp   //examples:hello_server (built with -c opt)
#   nginx          1 worker, minimal config in a temp dir, access log off
#   go             Go net/http, GOMAXPROCS=1 (bench/baselines/go/http_hello.go)
#   eventlet.wsgi  Python eventlet 0.33 (bench/baselines/python/eventlet_wsgi_hello.py)
# each pinned to core $SERVER_CORE (taskset), loaded by wrk pinned to core $CLIENT_CORE:
#   wrk -t1 -c64 -d5s (keep-alive). Prints req/s, latency p50/p99 and the server's CPU
# time per request, from /proc/<pid>/stat utime+stime (all its threads; all of nginx's
# workers) before/after.
#
# CORES=2: every server may use both cores and so may wrk (-t2; nothing is pinned):
# hello_server --hubs=2 (a hub per core, SO_REUSEPORT listeners), nginx with
# worker_processes 2, Go with GOMAXPROCS=2; eventlet.wsgi is single-threaded and left out.
#
# Then the idle test: bench/idle_conns.py opens $IDLE_N keep-alive connections, one
# request each, and holds them; the server's resident set growth divided by $IDLE_N is
# the memory per idle connection.
#
# wrk and nginx are installed with apt-get if missing (root, or sudo); go and
# /usr/bin/python3 with eventlet are used if present. What is unavailable is skipped,
# with a line saying so.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"
duration=${DURATION:-5s}
conns=${CONNS:-64}
rounds=${ROUNDS:-1}
idle_n=${IDLE_N:-10000}
cores=${CORES:-1}
server_core=${SERVER_CORE:-0}
client_core=${CLIENT_CORE:-1}
port_base=${PORT_BASE:-28080}
python=/usr/bin/python3
clk_tck=$(getconf CLK_TCK)
case $cores in
  1)
    servers=${SERVERS:-eventlet-cpp nginx go eventlet.wsgi}
    server_pin=(taskset -c "$server_core")
    client_pin=(taskset -c "$client_core")
    hubs_flag=()
    ;;
  2)
    servers=${SERVERS:-eventlet-cpp nginx go}
    server_pin=()
    client_pin=()
    hubs_flag=(--hubs=2)
    ;;
  *) say "CORES must be 1 or 2"; exit 2 ;;
esac

bench_workdir http_load
require_wrk || { say "wrk is not available: nothing to measure"; exit 1; }
find_nginx

# Enough fds for $idle_n connections, in this shell and what it starts.
ulimit -n $((idle_n + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
say "ulimit -n: $(ulimit -n)"

section "machine"
if ((cores == 1)); then
  say "nproc: $(nproc); server on core $server_core, wrk on core $client_core"
else
  say "nproc: $(nproc); servers and wrk on both cores (CORES=2, nothing pinned)"
fi
grep -m1 'model name' /proc/cpuinfo || true
uname -sr
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "wrk: $(wrk --version 2>&1 | head -1)"

# ---- Servers ---------------------------------------------------------------------------

# Waits until http://127.0.0.1:$1/ answers (10 s at most).
wait_ready() {
  local i
  for ((i = 0; i < 200; i++)); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" && return 0
    sleep 0.05
  done
  return 1
}

# Starts a server (pinned to $server_core when CORES=1); sets server_pids (the processes
# to measure: nginx's workers, not its master).
start_server() {
  local name=$1 port=$2 pid
  server_pids=
  case $name in
    eventlet-cpp)
      [[ -x $work/hello_server ]] || return 1
      "${server_pin[@]}" "$work/hello_server" --port="$port" "${hubs_flag[@]}" \
        >"$work/$name.log" 2>&1 &
      ;;
    nginx)
      [[ -x $nginx_bin ]] || return 1
      write_nginx_conf "$work/nginx" "$cores" $((idle_n + 1024)) "127.0.0.1:$port backlog=4096"
      "${server_pin[@]}" "$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" \
        >"$work/$name.log" 2>&1 &
      ;;
    go)
      [[ -x $work/go_http_hello ]] || return 1
      GOMAXPROCS=$cores "${server_pin[@]}" "$work/go_http_hello" -addr "127.0.0.1:$port" \
        >"$work/$name.log" 2>&1 &
      ;;
    eventlet.wsgi)
      "$python" -c 'import eventlet' 2>/dev/null || return 1
      "${server_pin[@]}" "$python" "$here/baselines/python/eventlet_wsgi_hello.py" \
        --port "$port" >"$work/$name.log" 2>&1 &
      ;;
    *) return 1 ;;
  esac
  started+=($!)
  wait_ready "$port" || return 1
  if [[ $name == nginx ]]; then
    # The workers do the work; the master only watches them.
    server_pids=$(pgrep -P "${started[-1]}" | tr '\n' ' ')
  else
    server_pids=${started[-1]}
  fi
  [[ -n $server_pids ]]
}

stop_server() {
  local pid=${started[-1]}
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  unset 'started[-1]'
}

# Sums of cpu_ticks / rss_kb over the processes given.
sum_of() {
  local f=$1 pid total=0
  shift
  for pid in "$@"; do total=$((total + $("$f" "$pid"))); done
  echo "$total"
}

load_rows=()
idle_rows=()

load_test() {
  local name=$1 port=$2 pids=$3 round=$4 out=$work/wrk.out
  "${client_pin[@]}" wrk -t"$cores" -c"$conns" -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1
  local t0 t1
  t0=$(sum_of cpu_ticks $pids)
  "${client_pin[@]}" wrk -t"$cores" -c"$conns" -d"$duration" --latency \
    "http://127.0.0.1:$port/" >"$out" 2>&1
  t1=$(sum_of cpu_ticks $pids)
  local requests rps p50 p99 errors
  requests=$(awk '/requests in/ {print $1}' "$out")
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
  errors=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' "$out")
  if [[ -z $requests || $requests -eq 0 ]]; then
    say "$name: wrk failed: $(cat "$out")"
    return
  fi
  local us
  us=$(awk -v d="$((t1 - t0))" -v hz="$clk_tck" -v n="$requests" \
    'BEGIN { printf "%.2f", d * 1000000 / hz / n }')
  load_rows+=("$(printf '%-14s %5s %10s %12s %10s %10s  %s' "$name" "$round" "$rps" "$us" \
    "$p50" "$p99" "$errors")")
  say "${load_rows[-1]}"
}

idle_test() {
  local name=$1 port=$2 pids=$3
  local ready=$work/idle.ready rss0 rss1 client
  rm -f "$ready"
  rss0=$(sum_of rss_kb $pids)
  "$python" "$here/idle_conns.py" --port "$port" --n "$idle_n" --ready "$ready" &
  client=$!
  local i
  for ((i = 0; i < 1200; i++)); do
    [[ -s $ready ]] && break
    sleep 0.1
  done
  sleep 0.5 # let the server settle (its last greenthreads park)
  rss1=$(sum_of rss_kb $pids)
  local status
  status=$(cat "$ready" 2>/dev/null || echo "no answer in 120 s")
  kill "$client" 2>/dev/null
  wait "$client" 2>/dev/null
  if [[ $status != ok* ]]; then
    idle_rows+=("$(printf '%-14s %s' "$name" "$status")")
  else
    local held secs
    read -r _ held secs <<<"$status"
    idle_rows+=("$(printf '%-14s %8s %10s %10s %12s %10s' "$name" "$held" "$rss0" "$rss1" \
      "$(awk -v a="$rss0" -v b="$rss1" -v n="$held" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')" \
      "$secs")")
  fi
  say "${idle_rows[-1]}"
}

# ---- Build ----------------------------------------------------------------------------

section "build"
if [[ " $servers " == *" eventlet-cpp "* ]]; then
  build_opt_copy //examples:hello_server && say "hello_server: built (-c opt)"
fi
if [[ " $servers " == *" go "* ]]; then
  command -v go >/dev/null 2>&1 || install_packages golang-go
  if command -v go >/dev/null 2>&1; then
    export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/eventlet-cpp-gocache}
    (cd "$here/baselines/go" && GO111MODULE=off go build -o "$work/go_http_hello" http_hello.go) &&
      say "go: $(go version)"
  else
    say "go: skipped (no 'go' on PATH; Debian package golang-go)"
  fi
fi
[[ -x $nginx_bin ]] && say "nginx: $("$nginx_bin" -v 2>&1)"
if "$python" -c 'import eventlet' 2>/dev/null; then
  say "eventlet: $("$python" -c 'import eventlet, sys; print(eventlet.__version__, "on python", sys.version.split()[0])')"
fi

# ---- Run --------------------------------------------------------------------------------

section "load: wrk -t$cores -c$conns -d$duration (keep-alive), $rounds round(s)"
printf '%-14s %5s %10s %12s %10s %10s\n' server round "req/s" "CPU us/req" "p50 us" "p99 us"
port=$port_base
for ((round = 1; round <= rounds; round++)); do
  for name in $servers; do
    port=$((port + 1))
    if ! start_server "$name" "$port"; then
      say "$name: skipped (not available or did not start; see its log)"
      [[ -s $work/$name.log ]] && tail -3 "$work/$name.log"
      [[ ${#started[@]} -gt 0 ]] && stop_server
      continue
    fi
    load_test "$name" "$port" "$server_pids" "$round"
    stop_server
    [[ $name == nginx ]] && sleep 0.2
  done
done

section "idle: $idle_n keep-alive connections, one request each, then held"
if [[ -x $python ]]; then
  printf '%-14s %8s %10s %10s %12s %10s\n' server held "RSS0 KiB" "RSS1 KiB" "bytes/conn" "open s"
  for name in $servers; do
    port=$((port + 1))
    if ! start_server "$name" "$port"; then
      say "$name: skipped"
      [[ ${#started[@]} -gt 0 ]] && stop_server
      continue
    fi
    idle_test "$name" "$port" "$server_pids"
    stop_server
  done
else
  say "skipped: no $python"
fi

section "summary"
printf '%-14s %5s %10s %12s %10s %10s\n' server round "req/s" "CPU us/req" "p50 us" "p99 us"
printf '%s\n' "${load_rows[@]}"
echo
printf '%-14s %8s %10s %10s %12s %10s\n' server held "RSS0 KiB" "RSS1 KiB" "bytes/conn" "open s"
printf '%s\n' "${idle_rows[@]}"
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
