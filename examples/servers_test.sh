#!/usr/bin/env bash
# Runs //examples:hello_server and //examples:echo_server on ephemeral ports and talks
# to each once (curl; bash's /dev/tcp), so the bench's subject cannot rot.
set -euo pipefail
bin="$TEST_SRCDIR/eventlet_cpp/examples"
tmp=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Waits for the "listening on" line; prints host:port.
bound_address() {
  local i
  for ((i = 0; i < 600; i++)); do  # 30 s: patience for a busy machine
    if grep -q 'listening on' "$1"; then
      grep -o 'listening on [^ ]*' "$1" | sed -e 's|listening on ||' -e 's|^http://||' -e 's|/$||'
      return 0
    fi
    sleep 0.05
  done
  echo "FAIL: no 'listening on' line in $1" >&2
  cat "$1" >&2
  return 1
}

"$bin/hello_server" --port=0 >"$tmp/hello.out" 2>&1 &
pids+=($!)
hello=$(bound_address "$tmp/hello.out")
body=$(curl --silent --show-error --max-time 30 "http://$hello/" "http://$hello/again")
[[ $body == $'Hello, World!\nHello, World!' ]] || { echo "FAIL: hello_server said: $body"; exit 1; }

# The same with its access log, /metrics and the introspection port.
"$bin/hello_server" --port=0 --access_log="$tmp/access.log" --metrics_path=/metrics \
  --introspection=127.0.0.1:0 >"$tmp/hello2.out" 2>&1 &
pids+=($!)
hello=$(bound_address "$tmp/hello2.out")
curl --silent --show-error --max-time 30 -o /dev/null "http://$hello/a?b=1" -o /dev/null "http://$hello/c"
metrics=$(curl --silent --show-error --max-time 30 "http://$hello/metrics")
grep -qx 'eventlet_http_server_requests_total 2' <<<"$metrics" ||
  { echo "FAIL: /metrics said: $metrics"; exit 1; }
grep -qx '# TYPE eventlet_http_server_request_duration_seconds histogram' <<<"$metrics" ||
  { echo "FAIL: /metrics has no histogram: $metrics"; exit 1; }
introspect=$(sed -nE 's/.*introspection on ([^ ]+)$/\1/p' "$tmp/hello2.out")
exec 3<>"/dev/tcp/${introspect%:*}/${introspect##*:}"
printf 'http\n' >&3
answer=""
while read -r -t 30 line <&3 && [[ $line != . ]]; do answer+="$line"$'\n'; done
exec 3>&-
grep -qx 'eventlet_http_server_requests_total 3' <<<"$answer" ||
  { echo "FAIL: introspection 'http' said: $answer"; exit 1; }
# The log is written by a thread of its own: wait for its three lines.
for ((i = 0; i < 600; i++)); do
  [[ $(wc -l <"$tmp/access.log") -ge 3 ]] && break
  sleep 0.05
done
log_re='^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}(:[0-9]{2}){3} \+0000\] '
grep -qE "$log_re\"GET /a\\?b=1 HTTP/1\\.1\" 200 14\$" "$tmp/access.log" &&
  grep -qE "$log_re\"GET /metrics HTTP/1\\.1\" 200 [0-9]+\$" "$tmp/access.log" ||
  { echo "FAIL: access log:"; cat "$tmp/access.log"; exit 1; }

"$bin/echo_server" --port=0 >"$tmp/echo.out" 2>&1 &
pids+=($!)
echo_addr=$(bound_address "$tmp/echo.out")
exec 3<>"/dev/tcp/${echo_addr%:*}/${echo_addr##*:}"
printf 'ping\n' >&3
read -r -t 30 reply <&3
exec 3>&-
[[ $reply == ping ]] || { echo "FAIL: echo_server said: $reply"; exit 1; }

# 50 peers that reset their connection mid-echo: counted, not one stderr line
# each (at most one line per 10 s).
python3 - "${echo_addr%:*}" "${echo_addr##*:}" <<'PY'
import socket, struct, sys, time
for _ in range(50):
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    s.sendall(b"x" * 100000)  # more than is read before the reset
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # RST
time.sleep(0.5)
PY
lines=$(wc -l <"$tmp/echo.out")
# The "listening on" line, plus at most one report.
((lines <= 2)) || { echo "FAIL: echo_server logged $lines lines:"; cat "$tmp/echo.out"; exit 1; }
exec 3<>"/dev/tcp/${echo_addr%:*}/${echo_addr##*:}"
printf 'still\n' >&3
read -r -t 5 reply <&3
exec 3>&-
[[ $reply == still ]] || { echo "FAIL: echo_server said: $reply"; exit 1; }
echo PASS
