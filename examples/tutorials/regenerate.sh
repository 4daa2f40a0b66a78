#!/usr/bin/env bash
# Re-records the tutorials' traces (examples/tutorials/*.trace.jsonl) after an
# intended change of the hub or of sim. Review the diff, then run
# //examples/tutorials:tutorials_test: it names every quote in docs/tutorials
# that no longer matches.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
./bazelw build //examples/tutorials:tutorial
d=examples/tutorials
bin=bazel-bin/examples/tutorials/tutorial
for name in $("$bin" --list); do
  # 05_deadlock ends in a deadlock on purpose.
  "$bin" "$name" --trace="$d/$name.trace.jsonl" >/dev/null || [[ $name == 05_deadlock ]]
done
# Tutorial 7: the first failing seed of each strategy. Tutorial 8: seed 10 of
# random (two preemptions) and its shrunk schedule.
tmp=$(mktemp -d)
for strategy in random pct; do
  out=$("$bin" 07_explore --explore=50 --strategy=$strategy --explore_out="$tmp" || true)
  seed=$(sed -n 's/^seed \([0-9]*\) fails.*/\1/p' <<<"$out" | head -1)
  cp "$tmp/07_explore.$strategy.seed-$seed.jsonl" "$d/07_explore.$strategy.trace.jsonl"
done
cp "$tmp/07_explore.random.seed-10.jsonl" "$d/08_shrink.before.trace.jsonl"
"$bin" 07_explore --shrink="$tmp/07_explore.random.seed-10.jsonl" >/dev/null
cp "$tmp/07_explore.random.seed-10.min.jsonl" "$d/08_shrink.min.trace.jsonl"
# Tutorial 9: the first of 200 seeds that loses a write, and its shrunk
# schedule.
out=$("$bin" 09_faults --explore=200 --explore_out="$tmp" || true)
seed=$(sed -n 's/^seed \([0-9]*\) fails.*/\1/p' <<<"$out" | head -1)
cp "$tmp/09_faults.random.seed-$seed.jsonl" "$d/09_faults.random.trace.jsonl"
"$bin" 09_faults --shrink="$tmp/09_faults.random.seed-$seed.jsonl" >/dev/null
cp "$tmp/09_faults.random.seed-$seed.min.jsonl" "$d/09_faults.min.trace.jsonl"
rm -rf "$tmp"
git diff --stat -- "$d"
