#!/usr/bin/env bash
# Golden test of the stepper's text views on sim/testdata/step_demo:
# 1. re-records the demo's trace under sim::run and checks it is byte-identical
#    to the checked-in one (so the golden input cannot go stale);
# 2. `step TRACE --print` equals step_demo.print.txt;
# 3. an interactive session driven by step_demo.commands (stdin not a terminal)
#    equals step_demo.session.txt.
# To update after an intended change, run sim/testdata/regenerate.sh.
set -euo pipefail
r="$TEST_SRCDIR/eventlet_cpp"
data="$r/sim/testdata"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"

"$r/sim/testdata/step_demo_main" "$tmp/trace.jsonl"
if ! cmp -s "$tmp/trace.jsonl" "$data/step_demo.trace.jsonl"; then
  echo "FAIL: step_demo's trace differs from sim/testdata/step_demo.trace.jsonl"
  diff -u "$data/step_demo.trace.jsonl" "$tmp/trace.jsonl" | head -40 || true
  exit 1
fi

"$r/sim/step" "$data/step_demo.trace.jsonl" --print >"$tmp/print.txt"
if ! diff -u "$data/step_demo.print.txt" "$tmp/print.txt"; then
  echo "FAIL: step --print differs from sim/testdata/step_demo.print.txt"
  exit 1
fi

if [[ -f "$data/step_demo.commands" ]]; then
  "$r/sim/step" "$data/step_demo.trace.jsonl" <"$data/step_demo.commands" >"$tmp/session.txt"
  if ! diff -u "$data/step_demo.session.txt" "$tmp/session.txt"; then
    echo "FAIL: the stepper session differs from sim/testdata/step_demo.session.txt"
    exit 1
  fi
fi
echo PASS
