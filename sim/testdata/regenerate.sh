#!/usr/bin/env bash
# Re-records sim/testdata/step_demo.trace.jsonl and the stepper's golden files
# (step_demo.print.txt, step_demo.session.txt, and step_demo.pty.txt from a
# session on a pseudo-terminal) after an intended change.
# Review the diff before committing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
./bazelw build //sim:step //sim:step_pty_test //sim/testdata:step_demo_main
d=sim/testdata
bazel-bin/sim/testdata/step_demo_main "$d/step_demo.trace.jsonl"
bazel-bin/sim/step "$d/step_demo.trace.jsonl" --print >"$d/step_demo.print.txt"
bazel-bin/sim/step "$d/step_demo.trace.jsonl" <"$d/step_demo.commands" >"$d/step_demo.session.txt"
STEP_PTY_GOLDEN_OUT="$PWD/$d/step_demo.pty.txt" bazel-bin/sim/step_pty_test >/dev/null
git diff --stat -- "$d"
