#!/usr/bin/env bash
# SIM_TEST end to end, on sim_gtest_report_demo (a SIM_TEST whose body records
# a gtest failure in the lost update's schedules):
# 1. the sweep fails, prints the failing strategy and seed and the rerun
#    command for $TEST_TARGET, and writes the trace into
#    $TEST_UNDECLARED_OUTPUTS_DIR under the promised name;
# 2. the environment of that command reruns exactly that case, which fails;
# 3. the fifo case alone passes.
set -euo pipefail
demo="$TEST_SRCDIR/eventlet_cpp/sim/sim_gtest_report_demo"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
out="$tmp/outputs"
mkdir -p "$out"

fail() {
  echo "FAIL: $*"
  exit 1
}

# The demo is a gtest binary: keep it away from this test's own XML and
# sharding files.
run_demo() {
  env -u XML_OUTPUT_FILE -u GTEST_OUTPUT -u TEST_PREMATURE_EXIT_FILE \
    -u TEST_SHARD_STATUS_FILE -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX \
    -u EVENTLET_SIM_STRATEGY -u EVENTLET_SIM_SEED -u EVENTLET_SIM_SEEDS \
    TEST_UNDECLARED_OUTPUTS_DIR="$out" TEST_TARGET=//sim:some_test \
    "$@" "$demo" >"$tmp/log" 2>&1
}

if run_demo; then
  cat "$tmp/log"
  fail "the sweep missed the lost update"
fi
command=$(grep -o 'rerun this case: .*' "$tmp/log" | head -1) || {
  cat "$tmp/log"
  fail "no rerun command printed"
}
re='^rerun this case: \./bazelw test //sim:some_test --test_filter=Demo\.LostUpdate --test_env=EVENTLET_SIM_STRATEGY=(random|pct) --test_env=EVENTLET_SIM_SEED=([0-9]+)$'
[[ "$command" =~ $re ]] || fail "unexpected command: $command"
strategy="${BASH_REMATCH[1]}"
seed="${BASH_REMATCH[2]}"
grep -q "fails with strategy $strategy seed $seed" "$tmp/log" ||
  fail "strategy and seed not printed"
grep -q "lost update: balance is 1" "$tmp/log" || fail "the failure not shown"
trace="$out/Demo.LostUpdate.$strategy-$seed.jsonl"
[[ -s "$trace" ]] || fail "no trace at $trace"
grep -q "\"strategy\":\"$strategy\"" "$trace" || fail "trace header: $(head -1 "$trace")"
grep -q "trace: $trace" "$tmp/log" || fail "trace path not printed"

if run_demo EVENTLET_SIM_STRATEGY="$strategy" EVENTLET_SIM_SEED="$seed"; then
  fail "the rerun of $strategy seed $seed passed"
fi
grep -q "(case 1 of the sweep)" "$tmp/log" || fail "the rerun ran more than one case"

run_demo EVENTLET_SIM_STRATEGY=fifo EVENTLET_SIM_SEED=0 || {
  cat "$tmp/log"
  fail "the fifo case failed"
}
echo PASS
