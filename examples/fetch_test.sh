#!/usr/bin/env bash
# Runs //examples:fetch briefly against its own local server, then against
# URLs that fail, and checks its lines (in input order) and its summary.
set -euo pipefail
fetch="$TEST_SRCDIR/eventlet_cpp/examples/fetch"
fail() { echo "FAIL: $*"; exit 1; }

# 1. The local server: 200 pages, 50 at a time, with the debug dumps.
"$fetch" --concurrency=50 --pages=200 --max_delay_ms=5 --debug_timers \
  --debug_listeners >"$TEST_TMPDIR/out" 2>"$TEST_TMPDIR/err"
out=$(cat "$TEST_TMPDIR/out")
err=$(cat "$TEST_TMPDIR/err")
echo "$out" | tail -8
got=$(grep -c '^got body from http://127.0.0.1:[0-9]*/page/[0-9]*?size=[0-9]*&delay_ms=[0-9]* of length [0-9]*$' <<<"$out" || true)
[[ $got == 200 ]] || fail "expected 200 'got body' lines, got $got"
# In input order, and each body as long as its page's size.
n=0
while read -r page size length; do
  [[ $page == "$n" ]] || fail "line $n is page $page (not in input order)"
  [[ $size == "$length" ]] || fail "page $page: size $size but length $length"
  n=$((n + 1))
done < <(sed -nE 's#^got body from .*/page/([0-9]+)\?size=([0-9]+)&.* of length ([0-9]+)$#\1 \2 \3#p' <<<"$out")
[[ $n == 200 ]] || fail "parsed $n lines"
grep -qx 'requests: 200' <<<"$out" || fail "summary: requests"
grep -qx 'errors: 0' <<<"$out" || fail "summary: errors"
grep -qE '^wall time: [0-9]+\.[0-9]{3} s$' <<<"$out" || fail "summary: wall time"
grep -qE '^req/s: [0-9]+\.[0-9]$' <<<"$out" || fail "summary: req/s"
grep -qE '^latency p50: [0-9]+\.[0-9]{3} ms$' <<<"$out" || fail "summary: p50"
grep -qE '^latency p99: [0-9]+\.[0-9]{3} ms$' <<<"$out" || fail "summary: p99"
# 50 at a time, kept alive: 50 connections at most.
opened=$(sed -nE 's/^connections: ([0-9]+) opened.*/\1/p' <<<"$out")
((opened >= 1 && opened <= 50)) || fail "opened $opened connections"
# The mid-run dumps, on stderr.
grep -qx 'TIMERS: .*' <<<"$err" || fail "no TIMERS: dump"
grep -qE '^  due in +[0-9.-]+ ms  (scheduled|pending) +seq [0-9]+ +(resume|throw into) greenthread [0-9]+ \(http://127.0.0.1:[0-9]+/page/' <<<"$err" ||
  fail "no timer line of a fetching greenthread"
grep -qE '^      scheduled by greenthread [0-9]+ at:$' <<<"$err" || fail "no timer creation stack"
grep -qE '^        #0 ' <<<"$err" || fail "no stack frame"
grep -qE '^READERS: [0-9]+$' <<<"$err" || fail "no READERS: dump"
grep -qE '^  fd [0-9]+ +primary +greenthread 1 \(http server\)' <<<"$err" || fail "the server's accept loop is not a reader"
grep -qE '^WRITERS: [0-9]+$' <<<"$err" || fail "no WRITERS: dump"

# 2. Given URLs: errors are reported per URL, in order, and counted; the exit
# status says some failed.
rc=0
"$fetch" --concurrency=2 --timeout_ms=2000 http://127.0.0.1:1/x https://127.0.0.1:1/ \
  'http://bad host/' >"$TEST_TMPDIR/out2" 2>&1 || rc=$?
out2=$(cat "$TEST_TMPDIR/out2")
echo "$out2"
[[ $rc == 1 ]] || fail "exit status $rc with failed URLs (expected 1)"
expected='error fetching http://127.0.0.1:1/x: Connection refused
error fetching https://127.0.0.1:1/: Connection refused
error fetching http://bad host/: malformed URL (empty, or with whitespace or control characters)'
[[ $(grep '^error fetching' <<<"$out2") == "$expected" ]] || fail "error lines differ"
grep -qx 'requests: 3' <<<"$out2" || fail "summary: requests (2)"
grep -qx 'errors: 3' <<<"$out2" || fail "summary: errors (2)"

# 2b. Statuses, from Python's http.server on loopback: a 2xx is a body, a 404
# an error line as urllib's HTTPError says it, and the exit status is 1.
mkdir -p "$TEST_TMPDIR/www"
printf 'hello\n' >"$TEST_TMPDIR/www/ok.txt"
children=()
trap 'kill "${children[@]}" 2>/dev/null || true' EXIT
# Starts a Python server in the background; its port goes to $TEST_TMPDIR/$1.port.
start_python() {  # NAME PYTHON-ARGS...
  local name=$1
  shift
  (cd "$TEST_TMPDIR/www" && exec python3 -u "$@") >"$TEST_TMPDIR/$name.log" 2>&1 &
  children+=($!)
  for _ in $(seq 100); do
    port=$(sed -nE 's/.*[Pp]ort ([0-9]+).*/\1/p' "$TEST_TMPDIR/$name.log" | head -1)
    [[ -n $port ]] && return 0
    sleep 0.1
  done
  fail "$name did not start: $(cat "$TEST_TMPDIR/$name.log")"
}
start_python www -m http.server --bind 127.0.0.1 0
www=http://127.0.0.1:$port
rc=0
"$fetch" "$www/ok.txt" "$www/missing" http://127.0.0.1:1/refused \
  >"$TEST_TMPDIR/out_status" 2>&1 || rc=$?
cat "$TEST_TMPDIR/out_status"
expected="got body from $www/ok.txt of length 6
error fetching $www/missing: HTTP Error 404: File not found
error fetching http://127.0.0.1:1/refused: Connection refused"
[[ $(grep -E '^(got body|error fetching)' "$TEST_TMPDIR/out_status") == "$expected" ]] ||
  fail "status lines differ"
grep -qx 'errors: 2' "$TEST_TMPDIR/out_status" || fail "summary: errors (2b)"
[[ $rc == 1 ]] || fail "exit status $rc with a 404 and a refused URL (expected 1)"
# Every URL fine: 0.
"$fetch" "$www/ok.txt" >/dev/null 2>&1 || fail "exit status $? with every URL fine"

# 2c. --urls_file=- in a pipe (comments and blank lines skipped), after the
# arguments; and from a file.
printf '# a comment\n%s/ok.txt\n\n   %s/missing  \n' "$www" "$www" |
  "$fetch" --urls_file=- "$www/ok.txt?arg" >"$TEST_TMPDIR/out_pipe" 2>&1 && rc=0 || rc=$?
cat "$TEST_TMPDIR/out_pipe"
expected="got body from $www/ok.txt?arg of length 6
got body from $www/ok.txt of length 6
error fetching $www/missing: HTTP Error 404: File not found"
[[ $(grep -E '^(got body|error fetching)' "$TEST_TMPDIR/out_pipe") == "$expected" ]] ||
  fail "--urls_file=- lines differ"
[[ $rc == 1 ]] || fail "--urls_file=-: exit status $rc (expected 1)"
printf '%s/ok.txt\n' "$www" >"$TEST_TMPDIR/urls.txt"
"$fetch" --urls_file="$TEST_TMPDIR/urls.txt" >"$TEST_TMPDIR/out_file" 2>&1 ||
  fail "--urls_file=FILE: exit status $?"
grep -qx "got body from $www/ok.txt of length 6" "$TEST_TMPDIR/out_file" || fail "--urls_file=FILE"

# 2d. --timeout bounds the whole fetch: a server that accepts and never answers.
start_python silent -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print("port", s.getsockname()[1]); time.sleep(120)'
rc=0
"$fetch" --timeout=300ms "http://127.0.0.1:$port/" >"$TEST_TMPDIR/out_timeout" 2>&1 || rc=$?
cat "$TEST_TMPDIR/out_timeout"
grep -qx "error fetching http://127.0.0.1:$port/: timed out after 300ms (--timeout)" \
  "$TEST_TMPDIR/out_timeout" || fail "--timeout line"
[[ $rc == 1 ]] || fail "--timeout: exit status $rc (expected 1)"

# 2e. Bad usage: exit status 2 and a line saying why.
usage() {  # EXPECTED-TEXT ARGS...
  local want=$1 rc=0
  shift
  "$fetch" "$@" </dev/null >"$TEST_TMPDIR/usage.out" 2>&1 || rc=$?
  [[ $rc == 2 ]] || fail "fetch $*: exit status $rc (expected 2)"
  grep -qF -- "$want" "$TEST_TMPDIR/usage.out" ||
    fail "fetch $*: no '$want' in: $(cat "$TEST_TMPDIR/usage.out")"
}
usage 'unknown flag --bogus' --bogus
usage '--concurrency=lots: ' --concurrency=lots
usage 'must be >= 1' --concurrency=0
usage 'must be > 0' --timeout=0s
usage 'cannot open /nonexistent/urls' --urls_file=/nonexistent/urls
printf 'http://a/\nhttp://b/ http://c/\n' >"$TEST_TMPDIR/bad_urls.txt"
usage "$TEST_TMPDIR/bad_urls.txt:2: whitespace" --urls_file="$TEST_TMPDIR/bad_urls.txt"
usage '--sim runs the local demo only' --sim http://127.0.0.1:1/
"$fetch" --help >"$TEST_TMPDIR/help.out" 2>&1 || true
grep -q 'Exit status: 0 when every URL succeeded, 1 when any failed, 2 for bad usage' \
  "$TEST_TMPDIR/help.out" || fail "--help does not document the exit status"

# 3. --repeat and --print_each=false: only the summary.
"$fetch" --concurrency=8 --pages=10 --repeat=3 --print_each=false >"$TEST_TMPDIR/out3" 2>/dev/null
grep -q '^got body' "$TEST_TMPDIR/out3" && fail "--print_each=false printed lines"
grep -qx 'requests: 30' "$TEST_TMPDIR/out3" || fail "summary: requests (3)"

# 4. --sim: the same demo on a simulated clock and network, deterministic: two
# runs with one seed print the same lines, latencies and virtual time included.
"$fetch" --sim --seed=3 --pages=100 --concurrency=20 >"$TEST_TMPDIR/sim1" 2>/dev/null
"$fetch" --sim --seed=3 --pages=100 --concurrency=20 >"$TEST_TMPDIR/sim2" 2>/dev/null
diff "$TEST_TMPDIR/sim1" "$TEST_TMPDIR/sim2" || fail "--sim runs differ"
grep -qx 'requests: 100' "$TEST_TMPDIR/sim1" || fail "sim summary: requests"
grep -qx 'errors: 0' "$TEST_TMPDIR/sim1" || fail "sim summary: errors"
grep -q '^virtual time: ' "$TEST_TMPDIR/sim1" || fail "sim summary: virtual time"
[[ $(grep -c '^got body from http://127.0.0.1:40000/page/' "$TEST_TMPDIR/sim1") == 100 ]] ||
  fail "sim: 100 bodies from the simulated server"

# 5. --sim with sim/cli.h's flags: the seed draws the links' jitter (and the
# random strategy's orders), so two seeds give two schedules; one seed twice
# gives byte-identical traces, which replay.
sim_trace() {  # SEED OUT
  "$fetch" --sim --strategy=random --seed="$1" --trace="$2" --pages=60 \
    --concurrency=10 --print_each=false >"$2.out" 2>/dev/null ||
    fail "--sim --seed=$1 failed: $(cat "$2.out")"
}
sim_trace 1 "$TEST_TMPDIR/a.jsonl"
sim_trace 1 "$TEST_TMPDIR/a2.jsonl"
sim_trace 2 "$TEST_TMPDIR/b.jsonl"
cmp -s "$TEST_TMPDIR/a.jsonl" "$TEST_TMPDIR/a2.jsonl" || fail "seed 1 twice: traces differ"
cmp -s "$TEST_TMPDIR/a.jsonl" "$TEST_TMPDIR/b.jsonl" && fail "seeds 1 and 2: identical traces"
# Not only the header: the events differ (jitter and orders).
[[ $(tail -n +2 "$TEST_TMPDIR/a.jsonl" | sed 's/,"h":.*//' | md5sum) != \
   $(tail -n +2 "$TEST_TMPDIR/b.jsonl" | sed 's/,"h":.*//' | md5sum) ]] ||
  fail "seeds 1 and 2: same events"
grep -q '"jitter":' "$TEST_TMPDIR/a.jsonl" || fail "no jitter drawn"
grep -q '"kind":"choose"' "$TEST_TMPDIR/a.jsonl" || fail "no choose events"
grep -q '"kind":"outcome","result":"ok"' "$TEST_TMPDIR/a.jsonl" || fail "no ok outcome"
"$fetch" --sim --pages=60 --concurrency=10 --print_each=false \
  --replay="$TEST_TMPDIR/a.jsonl" >"$TEST_TMPDIR/replay.out" 2>&1 ||
  fail "replaying seed 1: $(cat "$TEST_TMPDIR/replay.out")"
grep -q 'replay matches the trace' "$TEST_TMPDIR/replay.out" || fail "replay output"
# 6. --tls: the local server serves https with a throwaway certificate made at
# start, and the client fetches over https trusting that certificate only.
"$fetch" --tls --concurrency=10 --pages=40 --max_delay_ms=2 >"$TEST_TMPDIR/tls" \
  2>"$TEST_TMPDIR/tls.err" || fail "--tls failed: $(cat "$TEST_TMPDIR/tls.err")"
[[ $(grep -c '^got body from https://127.0.0.1:[0-9]*/page/' "$TEST_TMPDIR/tls") == 40 ]] ||
  fail "--tls: 40 bodies over https"
grep -qx 'errors: 0' "$TEST_TMPDIR/tls" || fail "--tls summary: errors"
grep -q '^fetch: serving 40 pages on https://127.0.0.1:' "$TEST_TMPDIR/tls.err" ||
  fail "--tls: no https server line"
# ... and under --sim it is refused clearly (the simulated network carries
# plain bytes only).
"$fetch" --tls --sim >"$TEST_TMPDIR/tls_sim" 2>&1 && fail "--tls --sim succeeded"
grep -q 'not supported under the simulator' "$TEST_TMPDIR/tls_sim" ||
  fail "--tls --sim: $(cat "$TEST_TMPDIR/tls_sim")"
echo PASS
