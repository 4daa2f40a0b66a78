#!/usr/bin/env bash
# Runs //examples:interleave and checks the order of its key lines, on a
# virtual clock (interleave_on_sim_clock), so a busy machine cannot reorder
# timers set microseconds apart.
set -euo pipefail
out=$("$TEST_SRCDIR/eventlet_cpp/examples/interleave_on_sim_clock" --workers=2 --rounds=2)
echo "$out"
expected='   main: spawned 2 workers; none has run yet
   worker 0 (greenthread 1) round 0
   worker 1 (greenthread 2) round 0
   worker 0 (greenthread 1) round 1
   worker 1 (greenthread 2) round 1
   main: every worker done, sum of results 1'
got=$(grep -E '^   (main: (spawned|every)|worker)' <<<"$out")
if [[ "$got" != "$expected" ]]; then
  echo "FAIL: interleaving differs"; echo "expected:"; echo "$expected"; echo "got:"; echo "$got"; exit 1
fi
grep -q 'woke after 10 ms' <<<"$out"
[[ $(grep -n 'woke after' <<<"$out" | head -1) == *"10 ms"* ]] || { echo "FAIL: timer order"; exit 1; }
grep -q 'waiter 1 got "hello"' <<<"$out"
grep -q 'timed out after 0.015 seconds' <<<"$out"
grep -q 'victim: destructor ran during kill' <<<"$out"
grep -q 'victim dead = true' <<<"$out"
echo PASS
