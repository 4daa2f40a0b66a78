#!/usr/bin/env bash
# Loads the timeline page of sim/testdata/step_demo in headless Chromium
# (Debian's chromium package; the target is tags=["manual"], .ci/run installs
# it). The page replays key presses given in its URL fragment and records
# where it ended up in <body data-current=...> and #status; --dump-dom shows
# that. Then it takes a screenshot (kept in the test's undeclared outputs:
# bazel-testlogs/sim/timeline_browser_test/test.outputs/).
set -euo pipefail
r="$TEST_SRCDIR/eventlet_cpp"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp}"
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
  echo "FAIL: $chromium not found (apt-get install -y chromium)"
  exit 1
fi

"$r/sim/timeline" "$r/sim/testdata/step_demo.trace.jsonl" >"$tmp/timeline.html"
if grep -qE 'https?://' "$tmp/timeline.html"; then
  echo "FAIL: the page references an external URL"
  exit 1
fi

export HOME="$tmp"
browse() {  # browse ARGS... : one headless Chromium run, its own profile
  local profile
  profile=$(mktemp -d "$tmp/profile.XXXXXX")
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --disable-dev-shm-usage --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$profile" --window-size=1500,1000 "$@" 2>>"$tmp/chromium.log"
}

# 1. Open at #5, press right, right, left, right: event 7.
url="file://$tmp/timeline.html"
browse --dump-dom "$url#step=5&keys=ArrowRight,ArrowRight,ArrowLeft,ArrowRight" >"$tmp/dom1.html"
body=$(grep -o '<body[^>]*>' "$tmp/dom1.html" || true)
echo "$body"
check() {  # check FILE PATTERN WHAT
  if ! grep -q -- "$2" "$1"; then
    echo "FAIL: $3 (no '$2' in the DOM)"
    tail -20 "$tmp/chromium.log" || true
    exit 1
  fi
}
check "$tmp/dom1.html" 'data-ready="yes"' "the page script did not finish"
check "$tmp/dom1.html" 'data-events="72"' "wrong event count"
check "$tmp/dom1.html" 'data-markers="72"' "not one marker per event"
check "$tmp/dom1.html" 'data-current="7"' "keys did not step to #7"
check "$tmp/dom1.html" '<div id="status">current=7 kind=block gt=0</div>' "status"
check "$tmp/dom1.html" '<pre id="evline">#7   t=0.000000  gt=0    block          waits on write fd' "the details panel"
check "$tmp/dom1.html" 'class="ev current"' "the current event is not highlighted"

# 2. End (#72, the outcome), then back four times: #68 (gt 2 exits); its cause (#3, the
# spawn) is marked.
browse --dump-dom "$url#keys=End,ArrowLeft,ArrowLeft,ArrowLeft,ArrowLeft" >"$tmp/dom2.html"
check "$tmp/dom2.html" 'data-current="68"' "End/ArrowLeft did not reach #68"
check "$tmp/dom2.html" 'id="e3" class="ev cause"' "the cause is not highlighted"
check "$tmp/dom2.html" 'on Event::wait since #58' "the state panel"

# 3. Spread by time (#time=1): the columns move apart where virtual time moves.
browse --dump-dom "$url#step=13&time=1" >"$tmp/dom3.html"
check "$tmp/dom3.html" 'data-layout="time"' "time=1 did not switch the layout"
check "$tmp/dom3.html" 'data-current="13"' "step=13 with time=1"
w_seq=$(grep -o 'data-width="[0-9]*"' "$tmp/dom1.html" | tr -dc 0-9)
w_time=$(grep -o 'data-width="[0-9]*"' "$tmp/dom3.html" | tr -dc 0-9)
if ((w_time <= w_seq)); then
  echo "FAIL: spreading by time did not widen the chart ($w_seq -> $w_time)"
  exit 1
fi

# 4. A screenshot at #22 (gt 1 woken by its fd).
browse --screenshot="$out/timeline.png" "$url#step=22" >/dev/null
if [[ ! -s "$out/timeline.png" ]] || [[ $(head -c 4 "$out/timeline.png" | od -An -c | tr -d ' ') != '211PNG' ]]; then
  echo "FAIL: no screenshot"
  tail -20 "$tmp/chromium.log" || true
  exit 1
fi
echo "screenshot: $out/timeline.png ($(stat -c %s "$out/timeline.png") bytes)"
echo PASS
