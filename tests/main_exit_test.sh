#!/usr/bin/env bash
# Runs tests/main_exit and checks: exit 0, pending green threads never ran (nor
# were unwound: main's locals they refer to are already gone), and no leak
# report under ASan/LSan.
set -euo pipefail
out=$("$TEST_SRCDIR/eventlet_cpp/tests/main_exit" 2>&1)
if [[ "$out" != "main returns" ]]; then
  echo "unexpected output:"; echo "$out"; exit 1
fi
echo PASS
