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
# (/proc/<pid>/stat utime+stime before/after). Go (Debian's golang-go) is installed with
# apt-get if missing (root, or sudo), and skipped if that fails.
#
# Then https (HTTPS=0 skips it), with a test CA and a P-256 certificate for 127.0.0.1
# made by the `openssl` command: the same client comparison against
# hello_server --tls_cert (the fetch demo with --cacert, Go's client with -cacert, and
# curl --parallel; $HTTPS_REQUESTS requests each, default $REQUESTS), then the servers'
# side with wrk: hello_server against nginx (1 worker, the same certificate), keep-alive
# TLS req/s (wrk -c64) and TLS handshakes/s (wrk -c16 -H 'Connection: close': a new
# connection, hence a handshake, per request; wrk may resume sessions, for both servers
# alike), $DURATION (5s) each. nginx and wrk are installed with apt-get if missing, as
# bench/http_load.sh does.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-3}
requests=${REQUESTS:-100000}
concurrencies=${CONCURRENCY:-64 200}
https=${HTTPS:-1}
https_requests=${HTTPS_REQUESTS:-$requests}
duration=${DURATION:-5s}
server_core=${SERVER_CORE:-0}
client_core=${CLIENT_CORE:-1}
clk_tck=$(getconf CLK_TCK)
source "$here/lib.sh"
bench_workdir fetch_load

if [[ -z ${FETCH:-} || -z ${HELLO:-} ]]; then
  build_opt_copy //examples:fetch //examples:hello_server || exit 1
  FETCH=$work/fetch
  HELLO=$work/hello_server
fi

command -v go >/dev/null 2>&1 || install_packages golang-go

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

# start_hello ARGS...: starts hello_server on core $server_core with ARGS (replacing
# the one running); sets server_pid, and server_url once it listens (exits if it doesn't).
start_hello() {
  if [[ -n ${server_pid:-} ]]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    unset 'started[-1]'
  fi
  taskset -c "$server_core" "$HELLO" --port=0 "$@" >"$work/server.out" 2>&1 &
  server_pid=$!
  started+=("$server_pid")
  for _ in $(seq 100); do
    grep -q 'listening on' "$work/server.out" && break
    sleep 0.05
  done
  server_url=$(sed -nE 's#.*listening on (https?://[^ ]+/).*#\1#p' "$work/server.out")
  [[ -n $server_url ]] || { echo "hello_server $* did not start:"; cat "$work/server.out"; exit 1; }
}

start_hello
url=$server_url
echo "server: hello_server on $url, core $server_core; clients on core $client_core"


# run NAME COMMAND...: one measured run; prints one line.
run() {
  local name=$1
  shift
  local before after out cpu
  before=$(cpu_ticks "$server_pid")
  local TIMEFORMAT='%U %S'
  { time taskset -c "$client_core" "$@" >"$work/run.out" 2>/dev/null; } 2>"$work/time.out"
  after=$(cpu_ticks "$server_pid")
  out=$(cat "$work/run.out")
  cpu=$(awk '{print $1 + $2}' "$work/time.out")
  awk -v name="$name" -v n="$requests" -v cpu="$cpu" -v st=$((after - before)) \
    -v hz="$clk_tck" '
    /^req\/s:/ { rps = $2 } /^errors:/ { err = $2 }
    /^latency p50:/ { p50 = $3 } /^latency p99:/ { p99 = $3 }
    END { printf "%-14s %10.0f req/s  p50 %7s ms  p99 %7s ms  errors %s  client %5.2f us/req  server %5.2f us/req\n",
          name, rps, p50 == "" ? "-" : sprintf("%.3f", p50),
          p99 == "" ? "-" : sprintf("%.3f", p99), err, cpu * 1e6 / n, st / hz * 1e6 / n }' <<<"$out"
}

for c in $concurrencies; do
  echo
  echo "== concurrency $c, $requests requests, $rounds rounds"
  for r in $(seq "$rounds"); do
    run "eventlet-cpp" "$FETCH" --concurrency="$c" --repeat="$requests" --print_each=false "$url"
    [[ -n $go_client ]] && run "go net/http" "$go_client" -c "$c" -n "$requests" "$url"
  done
done

[[ $https == 1 ]] || exit 0

# ---- https ----------------------------------------------------------------------------

require_wrk
find_nginx

# A test CA and a certificate it signs for 127.0.0.1 (ECDSA P-256), for every server.
pki=$work/pki
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=fetch_load CA" -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$pki/key.pem" -out "$pki/leaf.csr" 2>/dev/null &&
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >"$pki/ext.cnf" &&
  openssl x509 -req -in "$pki/leaf.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 2 -extfile "$pki/ext.cnf" -out "$pki/cert.pem" 2>/dev/null ||
  { echo "https: openssl could not make the certificates"; exit 1; }

start_hello --tls_cert="$pki/cert.pem" --tls_key="$pki/key.pem"
tls_url=$server_url

# curl --parallel as a client with the same summary lines (no latencies).
cat >"$work/curl_fetch.sh" <<'CURL'
#!/usr/bin/env bash
# curl_fetch.sh C N CA URL: N requests, C at once, keep-alive (curl's multi interface).
start=$(date +%s%N)
curl --silent --parallel --parallel-max "$1" --cacert "$3" "$4?[1-$2]" >/dev/null
rc=$?
end=$(date +%s%N)
echo "errors: $((rc != 0))"
awk -v n="$2" -v ns=$((end - start)) 'BEGIN { printf "req/s: %.1f\n", n / (ns / 1e9) }'
CURL
chmod +x "$work/curl_fetch.sh"

requests=$https_requests  # run() divides CPU time by it
for c in $concurrencies; do
  echo
  echo "== https client, concurrency $c, $requests requests, $rounds rounds ($tls_url)"
  for r in $(seq "$rounds"); do
    run "eventlet-cpp" "$FETCH" --concurrency="$c" --repeat="$requests" --print_each=false \
      --cacert="$pki/ca.pem" "$tls_url"
    [[ -n $go_client ]] && run "go net/http" "$go_client" -c "$c" -n "$requests" \
      -cacert "$pki/ca.pem" "$tls_url"
    run "curl" "$work/curl_fetch.sh" "$c" "$requests" "$pki/ca.pem" "$tls_url"
  done
done

# ---- The servers' side: hello_server against nginx, both with TLS, loaded by wrk.
tls_port=${TLS_NGINX_PORT:-28443}
write_nginx_conf "$work/nginx" 1 4096 "127.0.0.1:$tls_port ssl backlog=4096" "\
    ssl_certificate $pki/cert.pem;
    ssl_certificate_key $pki/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;"
nginx_worker=
if [[ -x $nginx_bin ]]; then
  taskset -c "$server_core" "$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" \
    >"$work/nginx.log" 2>&1 &
  nginx_pid=$!
  started+=("$nginx_pid")
  for _ in $(seq 100); do
    nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
    [[ -n $nginx_worker ]] && curl -s --cacert "$pki/ca.pem" "https://127.0.0.1:$tls_port/" \
      >/dev/null && break
    sleep 0.05
  done
  echo "nginx: $("$nginx_bin" -v 2>&1)"
else
  echo "nginx: skipped (not installed)"
fi

# wrk_run NAME PID URL CONNS [wrk args...]: one wrk run against a server process.
wrk_run() {
  local name=$1 pid=$2 target=$3 conns=$4
  shift 4
  local t0 t1
  t0=$(cpu_ticks "$pid")
  taskset -c "$client_core" wrk -t1 -c"$conns" -d"$duration" --latency "$@" "$target" \
    >"$work/wrk.out" 2>&1
  t1=$(cpu_ticks "$pid")
  awk -v name="$name" -v d=$((t1 - t0)) -v hz="$clk_tck" '
    /requests in/ { n = $1 } /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /Socket errors|Non-2xx/ { err = err $0 " " }
    END { printf "%-14s %10.0f /s  p50 %9s  p99 %9s  server %6.2f us/req  %s\n",
          name, rps, p50, p99, n ? d * 1e6 / hz / n : 0, err }' "$work/wrk.out"
}

if command -v wrk >/dev/null 2>&1; then
  echo
  echo "== https servers: keep-alive req/s (wrk -t1 -c64 -d$duration), $rounds rounds"
  for r in $(seq "$rounds"); do
    wrk_run "eventlet-cpp" "$server_pid" "$tls_url" 64
    [[ -n $nginx_worker ]] && wrk_run "nginx" "$nginx_worker" "https://127.0.0.1:$tls_port/" 64
  done
  echo
  echo "== https servers: handshakes/s (wrk -t1 -c16 -d$duration, Connection: close), $rounds rounds"
  for r in $(seq "$rounds"); do
    wrk_run "eventlet-cpp" "$server_pid" "$tls_url" 16 -H "Connection: close"
    [[ -n $nginx_worker ]] && wrk_run "nginx" "$nginx_worker" "https://127.0.0.1:$tls_port/" 16 \
      -H "Connection: close"
  done
else
  echo "wrk: skipped (not installed)"
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
