#!/usr/bin/env bash
# soak.sh: hello_server under mixed normal and hostile traffic, on loopback, for a bounded
# time; figures in docs/PERFORMANCE.md ("Soak").
#
#   bench/soak.sh                     # 60 s of load
#   SOAK_SECONDS=20 bench/soak.sh
#   SOAK_ATTACKS="slowloris malformed reset" bench/soak.sh    # only these hostile kinds
#
# //examples:hello_server (built with -c opt) gets, at once, for $SOAK_SECONDS:
#   normal     wrk -t1 -c$NORMAL_CONNS --latency: keep-alive GETs; their p99 is the figure
#              that must stay low
#   slowloris  $SLOW_CONNS connections sending one header line per second
#   malformed  $MALFORMED_RATE malformed requests per second (new connections)
#   reset      $RESET_RATE connections per second reset by the client (RST)
#   chunkext   1 connection flooding one endless chunk extension
#   trailer    1 connection flooding one endless trailer
#   pipeline   $PIPELINE_CONNS connections pipelining GETs without reading the answers
# (bench/soak_traffic.py makes the hostile traffic). The server's resident set is sampled
# every 0.5 s: at start (before any load), peak, and end ($SETTLE_SECONDS after the load
# stopped; it must be within 20 % of start). If it passes $MAX_RSS_MB, the floods are
# stopped early (and the report says so), so a server without limits cannot take the
# machine down. Finally one plain request checks the server still answers.
#
# wrk is installed with apt-get if missing (root, or sudo). Exits 0 when the run
# completed, whatever the figures; 1 if something needed is missing.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
seconds=${SOAK_SECONDS:-60}
settle=${SETTLE_SECONDS:-10}
normal_conns=${NORMAL_CONNS:-4}
slow_conns=${SLOW_CONNS:-500}
malformed_rate=${MALFORMED_RATE:-50}
reset_rate=${RESET_RATE:-50}
pipeline_conns=${PIPELINE_CONNS:-200}
read -r -a attacks <<<"${SOAK_ATTACKS:-slowloris malformed reset chunkext trailer pipeline}"
max_rss_mb=${MAX_RSS_MB:-2048}
port=${PORT:-28180}
python=/usr/bin/python3
source "$here/lib.sh"
bench_workdir soak

require_wrk || { say "soak: wrk is not available"; exit 1; }
[[ -x $python ]] || { say "soak: $python is not available"; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null

say "== machine"
say "nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
say "$(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

build_opt_copy //examples:hello_server || exit 1
say "hello_server: built (-c opt), commit $(cd "$root" && git rev-parse --short HEAD)"

"$work/hello_server" --port="$port" >"$work/server.log" 2>&1 &
server=$!
started+=("$server")
for _ in $(seq 100); do
  grep -q listening "$work/server.log" && break
  sleep 0.1
done
grep -q listening "$work/server.log" || { say "soak: hello_server did not start"; exit 1; }
url="http://127.0.0.1:$port/"
curl -s -o /dev/null "$url" || true  # one request: the steady state starts warm

# "anon N kB, file N kB": the heap and stacks, and the binary's pages mapped in.
rss_split() { awk '/^RssAnon:/ {a=$2} /^RssFile:/ {f=$2} END {print "anon " a " kB, file " f " kB"}' "/proc/$server/status" 2>/dev/null; }
sleep 1
rss_start=$(rss_kb "$server")
split_start=$(rss_split)

# RSS sampler: "seconds_since_start rss_kb" every 0.5 s; touches $work/over_limit when the
# resident set passes the limit.
t0=$(date +%s%N)
elapsed() { local ms=$((($(date +%s%N) - t0) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
(
  while kill -0 "$server" 2>/dev/null; do
    r=$(rss_kb "$server")
    printf '%s %s\n' "$(elapsed)" "$r"
    if ((r > max_rss_mb * 1024)) && [[ ! -e $work/over_limit ]]; then
      elapsed >"$work/over_limit"
    fi
    sleep 0.5
  done
) >"$work/rss.txt" &
sampler=$!
started+=("$sampler")

say "== load: ${seconds} s; hostile: ${attacks[*]}"
traffic() {  # kind, extra args...
  local kind=$1
  shift
  "$python" "$here/soak_traffic.py" "$kind" --port "$port" --seconds "$seconds" "$@" \
    >"$work/$kind.json" 2>"$work/$kind.err" &
  started+=("$!")
  eval "pid_$kind=$!"
}
for kind in "${attacks[@]}"; do
  case $kind in
    slowloris) traffic slowloris --conns "$slow_conns" ;;
    malformed) traffic malformed --rate "$malformed_rate" ;;
    reset) traffic reset --rate "$reset_rate" ;;
    chunkext | trailer) traffic "$kind" ;;
    pipeline) traffic pipeline --conns "$pipeline_conns" ;;
    *) say "soak: unknown attack $kind"; exit 1 ;;
  esac
done
wrk -t1 -c"$normal_conns" -d"${seconds}s" --timeout 10s --latency "$url" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
started+=("$wrk_pid")

# Waits for the load to end; stops the floods early if the server grows past the limit.
stopped_floods=""
stopped_at=""
while kill -0 "$wrk_pid" 2>/dev/null; do
  if [[ -e $work/over_limit && -z $stopped_at ]]; then
    stopped_at=$(cat "$work/over_limit")
    for kind in chunkext trailer pipeline; do
      pid_var="pid_$kind"
      if [[ -n ${!pid_var:-} ]]; then
        kill "${!pid_var}" 2>/dev/null
        stopped_floods+="$kind "
      fi
    done
  fi
  sleep 0.5
done
for kind in "${attacks[@]}"; do
  pid_var="pid_$kind"
  wait "${!pid_var}" 2>/dev/null
done
t_load_end=$(elapsed)
rss_load_end=$(rss_kb "$server")
sleep "$settle"
rss_end=$(rss_kb "$server")
split_end=$(rss_split)
kill "$sampler" 2>/dev/null
alive=no
if curl -s -m 5 -o /dev/null -w '%{http_code}' "$url" | grep -q 200; then alive=yes; fi

say
say "== normal clients (wrk -t1 -c$normal_conns --latency, keep-alive GET /)"
grep -E 'Latency|requests in|Socket errors|Non-2xx|Requests/sec|^ +(50|90|99)%' "$work/wrk.txt" | sed 's/^ *//'
grep -q 'Socket errors' "$work/wrk.txt" || say "Socket errors: none"
grep -q 'Non-2xx' "$work/wrk.txt" || say "Non-2xx responses: none"

say
say "== hostile traffic (counters from bench/soak_traffic.py)"
for kind in "${attacks[@]}"; do
  if [[ -s $work/$kind.json ]]; then
    say "$(cat "$work/$kind.json")"
  else
    say "{\"kind\": \"$kind\", \"stopped\": \"killed or failed\"} $(tail -2 "$work/$kind.err" | tr '\n' ' ')"
  fi
done

say
say "== memory (hello_server VmRSS, sampled every 0.5 s)"
peak=$(sort -k2 -n "$work/rss.txt" | tail -1)
say "start: $((rss_start / 1024)) MiB ($rss_start kB: $split_start)"
say "peak:  $(( ${peak#* } / 1024 )) MiB at ${peak%% *} s (load ended at ${t_load_end} s, with $((rss_load_end / 1024)) MiB)"
say "end:   $((rss_end / 1024)) MiB ($rss_end kB: $split_end), ${settle} s after the load"
if ((rss_end * 100 <= rss_start * 120)); then
  say "end within 20 % of start: yes"
else
  say "end within 20 % of start: NO ($(( (rss_end * 100 / (rss_start > 0 ? rss_start : 1)) - 100 )) % above)"
fi
if [[ -n $stopped_at ]]; then
  say "RSS passed ${max_rss_mb} MiB at ${stopped_at} s; stopped then: ${stopped_floods:-nothing}"
fi
say "server answers after the soak: $alive"
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
