#!/usr/bin/env bash
# Runs the docs/debugging.md programs and checks what they print.
set -euo pipefail
tour="$TEST_SRCDIR/eventlet_cpp/debug/debug_tour"
fail() { echo "FAIL: $*"; exit 1; }

err=$("$tour" blocking 2>&1 >/dev/null)
echo "$err"
grep -q 'BLOCKING: greenthread [0-9]* (config loader) has held the hub' <<<"$err" || fail "usleep not caught"
grep -q 'load_config()' <<<"$err" || fail "no stack of the usleep"
grep -q 'BLOCKING: greenthread [0-9]* (checksummer) has held the hub' <<<"$err" || fail "CPU loop not caught"
grep -q '(ticker)' <<<"$err" && fail "the well-behaved ticker was reported"

err=$("$tour" deadlock 2>&1 || true)
echo "$err"
grep -q '==== eventlet.debug dump: 1 hub(s) ====' <<<"$err" || fail "no dump"
grep -q 'greenthread 1 (worker a)  suspended  waiting on "Event::wait"' <<<"$err" || fail "worker a"
grep -q 'greenthread 2 (worker b)  suspended  waiting on "Event::wait"' <<<"$err" || fail "worker b"
echo PASS
