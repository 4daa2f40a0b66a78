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
  "$bin" "$name" "$d/$name.trace.jsonl"
done
for strategy in random pct; do
  tmp=$(mktemp -d)
  "$bin" --explore=$strategy "$tmp" || true
  cp "$tmp"/explore-seed-*.jsonl "$d/07_explore.$strategy.trace.jsonl"
  rm -rf "$tmp"
done
git diff --stat -- "$d"
