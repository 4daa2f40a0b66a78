#!/usr/bin/env bash
# golden_test.sh BINARY GOLDEN: runs BINARY and diffs its stdout with GOLDEN.
set -euo pipefail
diff -u "$2" <("$1")
