#!/usr/bin/env bash
# extract_examples.sh on testdata/sample.h gives exactly testdata/sample_examples.golden
# (which example blocks it takes, how it wraps them), and fails on a header without one.
set -euo pipefail
dir="$TEST_SRCDIR/eventlet_cpp/examples/headers"
out="$TEST_TMPDIR/out.cc"
cd "$TEST_SRCDIR/eventlet_cpp"
examples/headers/extract_examples.sh examples/headers/testdata/sample.h "$out" \
  --include other/thing.h --include cstdio --given 'int given'
diff -u "$dir/testdata/sample_examples.golden" "$out"

printf '// none.h: prose only.\n//\n// No example here.\n' >"$TEST_TMPDIR/none.h"
if examples/headers/extract_examples.sh "$TEST_TMPDIR/none.h" "$out" 2>"$TEST_TMPDIR/err"; then
  echo "expected a failure for a header without examples"
  exit 1
fi
grep -q "no code example" "$TEST_TMPDIR/err"
echo PASS
