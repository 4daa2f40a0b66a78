#!/usr/bin/env bash
# tests/stress_suite.sh: the test suite under CPU contention, to prove it never
# flakes. Starts busy CPU loops (3, or $STRESS_LOOPS), runs
#
#   ./bazelw test --config=asan --nocache_test_results --runs_per_test=3 ARGS... //...
#
# stops the loops and exits with the test run's status. ARGS are passed to
# bazel; if one of them is a target pattern (//pkg/..., //pkg:target, -//...)
# they replace the default //...:
#
#   tests/stress_suite.sh                               # everything
#   tests/stress_suite.sh //pool/... //hub/...          # some packages
#   tests/stress_suite.sh --runs_per_test=5 //pool/...  # a later flag wins
#
# Each loop is bounded by `timeout` ($STRESS_LOOP_SECONDS, default 3600 s) and
# killed by this script (by its process id) when the run ends, however it
# ends. Run it from anywhere; it works in the repository that holds it.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

loops=()
stop_loops() {
  local pid
  for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${loops[@]}"; do wait "$pid" 2>/dev/null || true; done
  loops=()
}
trap stop_loops EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

count=${STRESS_LOOPS:-3}
seconds=${STRESS_LOOP_SECONDS:-3600}
for ((i = 0; i < count; ++i)); do
  timeout "$seconds" bash -c 'while :; do :; done' &
  loops+=("$!")
done

targets=(//...)
for arg in "$@"; do
  case $arg in
  //* | -//* | :*) targets=() ;;
  esac
done

echo "stress_suite: ${#loops[@]} busy loops running; testing ${targets[*]:-$*}"
start=$SECONDS
./bazelw test --config=asan --nocache_test_results --runs_per_test=3 \
  "$@" "${targets[@]}"
rc=$?
stop_loops
echo "stress_suite: bazel exited $rc after $((SECONDS - start)) s under $count busy loops"
exit "$rc"
