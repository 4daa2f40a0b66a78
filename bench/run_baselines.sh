#!/usr/bin/env bash
# run_baselines.sh: the comparison numbers for docs/PERFORMANCE.md, outside Bazel.
#
#   bench/run_baselines.sh                 # everything this machine can run
#   IDLE_N=1000000 PY_IDLE_N=100000 bench/run_baselines.sh
#
# Installs nothing: each baseline runs only if its tool is there, and says so
# otherwise. What they need (Debian packages):
#   Go:      golang-go          (go run bench/baselines/go/*.go)
#   eventlet python3-eventlet   (/usr/bin/python3)
#   gevent   python3-gevent     (/usr/bin/python3)
#   C:       a C compiler (cc), for the page-fault floor under idle_memory's spawn time
# Boost.Fiber's numbers come from //bench:core_bench itself.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
idle_n=${IDLE_N:-1000000}      # goroutines for Go's idle-memory run
py_idle_n=${PY_IDLE_N:-100000} # greenthreads for Python's (1M would take ~8 GB)
py_n=${PY_N:-100000}           # iterations per Python micro-benchmark
python=/usr/bin/python3

section() { printf '\n== %s\n' "$*"; }

section "machine"
echo "nproc: $(nproc)"
grep -m1 'model name' /proc/cpuinfo || true
uname -sr

section "page-fault floor (C)"
if command -v cc >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  if cc -O2 -o "$tmp/page_fault_floor" "$here/baselines/c/page_fault_floor.c"; then
    "$tmp/page_fault_floor" "$idle_n" 135168 # a 128 KiB stack + guard page per slot
    "$tmp/page_fault_floor" "$idle_n" 4096
  fi
  rm -rf "$tmp"
else
  echo "skipped: no 'cc' on PATH"
fi

section "Go"
if command -v go >/dev/null 2>&1; then
  # A writable build cache even where HOME is not set (CI).
  export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/eventlet-cpp-gocache}
  export GO111MODULE=off # single files, standard library only: no module lookups
  (cd "$here/baselines/go" && go run micro.go) || echo "go micro.go failed"
  (cd "$here/baselines/go" && go run idle.go -n "$idle_n") || echo "go idle.go failed"
else
  echo "skipped: no 'go' on PATH (Debian package golang-go)"
fi

for lib in eventlet gevent; do
  section "Python $lib"
  if [[ -x $python ]] && "$python" -c "import $lib" 2>/dev/null; then
    "$python" "$here/baselines/python/eventlet_micro.py" --lib "$lib" \
      --n "$py_n" --idle "$py_idle_n" || echo "$lib run failed"
  else
    echo "skipped: $python cannot import $lib (Debian package python3-$lib)"
  fi
done
