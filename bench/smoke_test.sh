#!/usr/bin/env bash
# Runs one benchmark binary briefly and checks that it exits 0, that every
# benchmark reported (none skipped with an error), and, for idle_memory, that
# it printed its report line. Used by //bench:*_smoke_test.
#   smoke_test.sh core_bench|pool_bench|cross_hub_bench|idle_memory PATH_TO_BINARY
set -euo pipefail

kind=$1
binary=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# run ARGS...: runs the binary with ARGS, shows its output, fails if it failed.
run() {
  "$binary" "$@" >"$out" 2>&1 || {
    rc=$?
    cat "$out"
    echo "FAIL: $kind exited $rc"
    exit 1
  }
  cat "$out"
}

# expect_benchmarks NAME...: each named benchmark reported, and none failed.
expect_benchmarks() {
  for name in "$@"; do
    grep -q "^$name" "$out" || { echo "FAIL: no result for $name"; exit 1; }
  done
  if grep -q "ERROR OCCURRED" "$out"; then
    echo "FAIL: a benchmark reported an error"
    exit 1
  fi
}

case "$kind" in
  core_bench)
    run --benchmark_min_time=0.01
    expect_benchmarks BM_RawFiberSwitch BM_Sleep0PingPong BM_SpawnWait BM_SpawnNBatch \
      BM_EventPingPong BM_TimerScheduleCancel BM_BoostFiberYield BM_BoostFiberSpawnJoin \
      BM_BoostFiberChannel BM_RawFiberSwitchDepth
    ;;
  pool_bench)
    run --benchmark_min_time=0.01
    expect_benchmarks BM_GreenPoolSpawnWaitall BM_GreenPoolSpawnHandleWaitall \
      BM_GreenPoolImap BM_QueuePingPong BM_SemaphoreHandoff BM_TpoolRoundTrip \
      BM_TpoolThroughput
    ;;
  cross_hub_bench)
    run --benchmark_min_time=0.01
    expect_benchmarks BM_CrossHubEventPingPong BM_CrossHubQueuePingPong BM_CrossHubQueueStream \
      BM_CrossHubIdleAfterTraffic
    ;;
  idle_memory)
    run --n=10000
    grep -q "bytes per greenthread" "$out" || {
      echo "FAIL: no 'bytes per greenthread' in the output"
      exit 1
    }
    ;;
  *)
    echo "usage: $0 core_bench|pool_bench|cross_hub_bench|idle_memory BINARY" >&2
    exit 2
    ;;
esac
echo "PASS: $kind"
