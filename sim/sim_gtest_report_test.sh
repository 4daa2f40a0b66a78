#!/usr/bin/env bash
# SIM_TEST end to end, on sim_gtest_report_demo (a SIM_TEST whose body records
# a gtest failure in the lost update's schedules):
# 1. the sweep fails, prints the failing strategy and seed and the rerun
#    command for $TEST_TARGET, and writes the trace into
#    $TEST_UNDECLARED_OUTPUTS_DIR under the promised name;
# 2. the environment of that command reruns exactly that case, which fails;
# 3. the fifo case alone passes;
# 4. the printed shrink command's environment shrinks the trace to one
#    preemption and writes the minimal trace beside it; the replay command
#    printed then replays it, matching (the same gtest failure as outcome).
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
    -u EVENTLET_SIM_REPLAY -u EVENTLET_SIM_SHRINK \
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

# 4. Shrink, then replay, with the environment the printed commands set.
run_demo || true
shrink=$(grep -o 'shrink it: .*' "$tmp/log" | head -1) || fail "no shrink command"
[[ "$shrink" == "shrink it: ./bazelw test //sim:some_test --test_filter=Demo.LostUpdate --test_env=EVENTLET_SIM_SHRINK=$trace" ]] ||
  fail "unexpected: $shrink"
grep -q "replay it: .*--test_env=EVENTLET_SIM_REPLAY=$trace\$" "$tmp/log" ||
  fail "no replay command"
if run_demo EVENTLET_SIM_SHRINK="$trace"; then
  fail "shrinking is reported as a failure (the body fails in that schedule)"
fi
grep -qE '^  preemptions: [0-9]+ -> 1$' "$tmp/log" || { cat "$tmp/log"; fail "not shrunk to 1 preemption"; }
minimal="$out/Demo.LostUpdate.$strategy-$seed.min.jsonl"
[[ -s "$minimal" ]] || fail "no minimal trace at $minimal"
grep -q '"kind":"outcome","result":"error","message":"gtest failure at sim/sim_gtest_report_demo.cc:' \
  "$minimal" || fail "the minimal trace's outcome: $(tail -1 "$minimal")"
replay=$(grep -o 'replay it: .*' "$tmp/log" | head -1)
[[ "$replay" == *"--test_env=EVENTLET_SIM_REPLAY=$minimal" ]] || fail "unexpected: $replay"
run_demo EVENTLET_SIM_REPLAY="$minimal" || { cat "$tmp/log"; fail "the replay differs"; }
grep -q "replay of $minimal matches (outcome error" "$tmp/log" || fail "replay not reported"
echo PASS
