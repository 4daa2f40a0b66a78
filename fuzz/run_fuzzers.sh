#!/usr/bin/env bash
# run_fuzzers.sh [SECONDS] [FUZZER...]: builds the libFuzzer targets of //fuzz with
# --config=fuzz (clang 14, ASan+UBSan) and runs each for SECONDS (default 60), one after
# the other. Exits 1 if the build or any fuzzer fails. docs/fuzzing.md explains the targets.
#
#   fuzz/run_fuzzers.sh 30                 # every fuzzer, 30 s each
#   fuzz/run_fuzzers.sh 120 url_fuzzer     # one, longer
#
# Each fuzzer starts from its seed corpus (fuzz/corpus/NAME, never modified) plus what
# earlier runs on this machine added (fuzz-artifacts/corpus/NAME). Limits per input:
# -max_len (below, per fuzzer), -timeout=$FUZZ_TIMEOUT s (default 10: far above the
# slowest seed on a loaded machine), -rss_limit_mb=$FUZZ_RSS_MB (default 1024; also the
# largest single malloc). A crash, sanitizer report, timeout, leak or out-of-memory saves
# the input as fuzz-artifacts/NAME/{crash,timeout,leak,oom,slow-unit}-<sha1> and prints
# it (base64) with the command that reproduces it.
#
# Output: libFuzzer's log goes to fuzz-artifacts/NAME.log; stdout gets one line per fuzzer,
#   fuzzer NAME: ok (RUNS runs in SECS s, corpus N)
#   fuzzer NAME: FAILED (...)
# (.ci/run counts these lines). FUZZ_BAZEL_FLAGS adds flags to the bazel build.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
shift || true

# name -> -max_len. The HTTP servers' limits in the targets are small (2 KiB header,
# 4 KiB body), so 8 KiB inputs reach and pass them.
declare -A max_len=(
  [http_server_fuzzer]=8192
  [http_client_fuzzer]=8192
  [chunked_fuzzer]=8192
  [url_fuzzer]=1024
  [trace_fuzzer]=16384
)
# name -> dictionary (libFuzzer -dict), if any.
declare -A dict=(
  [http_server_fuzzer]=fuzz/http.dict
  [http_client_fuzzer]=fuzz/http.dict
  [chunked_fuzzer]=fuzz/http.dict
)
fuzzers=("$@")
((${#fuzzers[@]})) || fuzzers=(http_server_fuzzer http_client_fuzzer chunked_fuzzer url_fuzzer trace_fuzzer)

out=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
mkdir -p "$out"

targets=()
for f in "${fuzzers[@]}"; do
  if [[ -z "${max_len[$f]:-}" ]]; then
    echo "run_fuzzers: unknown fuzzer $f (known: ${!max_len[*]})" >&2
    exit 2
  fi
  targets+=("//fuzz:$f")
done

# shellcheck disable=SC2086  # FUZZ_BAZEL_FLAGS is a list of flags
if ! ./bazelw build --config=fuzz ${FUZZ_BAZEL_FLAGS:-} "${targets[@]}" </dev/null; then
  echo "fuzzer build: FAILED"
  exit 1
fi
# Copied out: the gcc build writes the same bazel-bin paths (both are fastbuild), so a
# build in this workspace while the fuzzers run would swap the binaries under us.
bin=$(mktemp -d "${TMPDIR:-/tmp}/fuzzers.XXXXXX")
trap 'rm -rf "$bin"' EXIT
bazel_bin=$(./bazelw info --config=fuzz bazel-bin 2>/dev/null)
for f in "${fuzzers[@]}"; do cp "$bazel_bin/fuzz/$f" "$bin/"; done

# Fiber switches are annotated for ASan (hub/internal/sanitizers.h); fake stacks for
# use-after-return are not, so that check stays off, as in --config=asan.
export ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# Prints a saved input: size, base64 (first 64 KiB), and how to reproduce it.
show_artifact() {
  local file=$1 name=$2
  echo "  reproducer: $file ($(stat -c %s "$file") bytes), base64:"
  head -c 65536 "$file" | base64 | sed 's/^/    /'
  echo "  reproduce:  ./bazelw build --config=fuzz //fuzz:$name && bazel-bin/fuzz/$name $file"
  echo "         or:  ./bazelw build //fuzz:$name && bazel-bin/fuzz/$name $file   (gcc, no libFuzzer)"
  echo "  keep it:    cp $file fuzz/corpus/$name/   (then //fuzz:${name}_corpus_test replays it)"
}

failed=0
for f in "${fuzzers[@]}"; do
  corpus="$out/corpus/$f"
  artifacts="$out/$f"
  log="$out/$f.log"
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  "$bin/$f" -max_total_time="$seconds" -max_len="${max_len[$f]}" \
    -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-1024}" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 \
    ${dict[$f]:+-dict="${dict[$f]}"} \
    "$corpus" "fuzz/corpus/$f" </dev/null >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  size=$(find "$corpus" -type f | wc -l)
  mapfile -t saved < <(find "$artifacts" -type f | sort)
  if ((rc == 0)) && ((${#saved[@]} == 0)); then
    echo "fuzzer $f: ok (${runs:-?} runs in ${secs:-?} s, corpus $size)"
    continue
  fi
  failed=1
  echo "fuzzer $f: FAILED (exit $rc, ${runs:-?} runs; log $log)"
  grep -E 'FUZZ FINDING|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" |
    head -5 | sed 's/^/  /'
  echo "  --- last lines of the log ---"
  tail -n 40 "$log" | sed 's/^/  | /'
  for a in "${saved[@]}"; do show_artifact "$a" "$f"; done
done
exit "$failed"
