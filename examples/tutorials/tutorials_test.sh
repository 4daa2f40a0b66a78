#!/usr/bin/env bash
# Keeps docs/tutorials honest:
# 1. every tutorial program, run again under sim::run (fifo, seed 0), records
#    a trace byte-identical to its checked-in NAME.trace.jsonl; tutorial 7's
#    exploration (random, then pct) fails first at the same seed with the same
#    trace (07_explore.random / .pct.trace.jsonl); tutorial 8's seed 10
#    (08_shrink.before) shrinks to the same minimal trace (08_shrink.min), of
#    one preemption, and the commands the tools print work when pasted;
#    tutorial 9's exploration of 200 seeds (under its faults) loses a write
#    first at the same seed with the same trace (09_faults.random), which
#    shrinks to no preemption (09_faults.min) and replays;
# 2. every line the tutorials quote is really there: a block opened with
#    ```trace FILE holds lines of FILE, ```step FILE lines of
#    `step FILE --print`, and ```session NAME lines of the stepper session
#    `step NAME.trace.jsonl < NAME.commands` (a line "..." is skipped);
#    a block opened with ```waits FILE states fd waits, one a line:
#    "#A -> #B  N ms  ...": event A of FILE is a listen_add, B the
#    listen_fire that ends it (same fd and direction), B - A = N ms exactly;
# 3. docs/tutorials/README.md links every tutorial page.
# After an intended change: examples/tutorials/regenerate.sh, then fix the
# prose this test points at.
set -euo pipefail
r="$TEST_SRCDIR/eventlet_cpp"
data="$r/examples/tutorials"
docs="$r/docs/tutorials"
tutorial="$r/examples/tutorials/tutorial"
step="$r/sim/step"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail=0

# 1. Re-record.
for name in $("$tutorial" --list); do
  # 05_deadlock ends in a deadlock on purpose (exit status 1); the others pass.
  status=0
  "$tutorial" "$name" --trace="$tmp/$name.jsonl" >/dev/null || status=$?
  want=0
  [[ $name == 05_deadlock ]] && want=1
  if ((status != want)); then
    echo "FAIL: $name exited with status $status, not $want"
    fail=1
  fi
  if ! cmp -s "$tmp/$name.jsonl" "$data/$name.trace.jsonl"; then
    echo "FAIL: $name's trace differs from examples/tutorials/$name.trace.jsonl:"
    diff -u "$data/$name.trace.jsonl" "$tmp/$name.jsonl" | head -20 || true
    fail=1
  fi
done
same_file() {  # GOT WANT (a file of examples/tutorials)
  if ! cmp -s "$1" "$data/$2"; then
    echo "FAIL: $1 differs from examples/tutorials/$2:"
    diff -u "$data/$2" "$1" | head -20 || true
    fail=1
  fi
}
for strategy in random pct; do
  out=$("$tutorial" 07_explore --explore=50 --strategy=$strategy \
    --explore_out="$tmp/explore" || true)
  [[ $strategy == random ]] && random_out=$out
  seed=$(sed -n 's/^seed \([0-9]*\) fails.*/\1/p' <<<"$out" | head -1)
  if [[ -z "$seed" ]]; then
    echo "FAIL: exploring with $strategy found no failing seed"
    fail=1
    continue
  fi
  same_file "$tmp/explore/07_explore.$strategy.seed-$seed.jsonl" "07_explore.$strategy.trace.jsonl"
done
# shrink_and_replay EXPLORE_OUTPUT FOUND PREEMPTIONS MIN_TRACE: pastes the
# shrink command that exploring printed for the trace FOUND (here the binary's
# own path, as when it is run outside `bazel run`), checks its "preemptions:"
# line matches the regex PREEMPTIONS and the minimal trace is MIN_TRACE (a
# file of examples/tutorials), then pastes the replay command it printed.
shrink_and_replay() {
  local shrink_cmd shrunk replay_cmd replayed
  shrink_cmd=$(sed -n "s|^  shrink: \(.*/$2\)$|\1|p" <<<"$1")
  shrunk=$(eval "$shrink_cmd") || { echo "FAIL: $shrink_cmd"; fail=1; }
  if ! grep -qE "preemptions: $3" <<<"$shrunk"; then
    echo "FAIL: shrinking $2 did not give preemptions: $3:"
    echo "$shrunk"
    fail=1
  fi
  same_file "$tmp/explore/${2%.jsonl}.min.jsonl" "$4"
  replay_cmd=$(sed -n 's|^  replay it: ||p' <<<"$shrunk")
  if ! replayed=$(eval "$replay_cmd") || ! grep -q "replay matches" <<<"$replayed"; then
    echo "FAIL: $replay_cmd: $replayed"
    fail=1
  fi
}
same_file "$tmp/explore/07_explore.random.seed-10.jsonl" 08_shrink.before.trace.jsonl
shrink_and_replay "${random_out:-}" 07_explore.random.seed-10.jsonl "2 -> 1" \
  08_shrink.min.trace.jsonl

out=$("$tutorial" 09_faults --explore=200 --explore_out="$tmp/explore" || true)
seed=$(sed -n 's/^seed \([0-9]*\) fails: error "lost write: .*/\1/p' <<<"$out" | head -1)
if [[ -z "$seed" ]]; then
  echo "FAIL: exploring 200 seeds of 09_faults lost no write"
  fail=1
else
  same_file "$tmp/explore/09_faults.random.seed-$seed.jsonl" 09_faults.random.trace.jsonl
  shrink_and_replay "$out" "09_faults.random.seed-$seed.jsonl" "[0-9]+ -> 0" \
    09_faults.min.trace.jsonl
fi

# 2. Quoted lines. Each block becomes: "KIND ARG" then its lines, then "END".
source_of() {  # KIND ARG -> a file holding what the block may quote
  local kind=$1 arg=$2 out="$tmp/source.$1.${2//\//_}"
  if [[ ! -f "$out" ]]; then
    case "$kind" in
      trace | waits) cp "$data/$arg" "$out" ;;
      step) "$step" "$data/$arg" --print >"$out" ;;
      session) "$step" "$data/$arg.trace.jsonl" <"$data/$arg.commands" >"$out" ;;
    esac
  fi
  echo "$out"
}
# check_wait "#A -> #B  N ms ..." TRACE: prints why not, and fails, unless A
# is a listen_add, B the listen_fire of the same fd and direction, and B's time
# minus A's is N ms.
check_wait() {
  local a b ms ea eb
  if [[ ! "$1" =~ ^#([0-9]+)\ -\>\ #([0-9]+)\ \ ([0-9]+)\ ms ]]; then
    echo "not of the form '#A -> #B  N ms'"
    return 1
  fi
  a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]} ms=${BASH_REMATCH[3]}
  ea=$(grep -m1 "^{\"seq\":$a," "$2" || true)
  eb=$(grep -m1 "^{\"seq\":$b," "$2" || true)
  field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"]*\).*/\1/p" <<<"$2"; }
  if [[ $(field kind "$ea") != listen_add || $(field kind "$eb") != listen_fire ]]; then
    echo "#$a is not a listen_add or #$b not a listen_fire"
    return 1
  fi
  if [[ $(field fd "$ea")/$(field ev "$ea") != $(field fd "$eb")/$(field ev "$eb") ]]; then
    echo "#$a and #$b are not the same fd and direction"
    return 1
  fi
  local took=$(($(field t "$eb") - $(field t "$ea")))
  if ((took != ms * 1000000)); then
    echo "the wait took $took ns, not $ms ms"
    return 1
  fi
}
quoted=0
for page in "$docs"/*.md; do
  base=$(basename "$page")
  awk '
    /^```(trace|step|session|waits) / { inside = 1; k = $1; sub(/^```/, "", k); print "BEGIN " k " " $2 " " NR; next }
    /^```/ && inside { inside = 0; print "END"; next }
    inside { print "LINE " NR " " $0 }
  ' "$page" >"$tmp/blocks"
  src=""
  while IFS= read -r entry; do
    case "$entry" in
      BEGIN\ *)
        read -r _ kind arg at <<<"$entry"
        if [[ ! -f "$data/$arg" && ! -f "$data/$arg.trace.jsonl" ]]; then
          echo "FAIL: $base:$at quotes $kind $arg, which is not in examples/tutorials"
          fail=1
          src=""
        else
          src=$(source_of "$kind" "$arg")
        fi
        ;;
      END) src="" ;;
      LINE\ *)
        rest=${entry#LINE }
        no=${rest%% *}
        line=${rest#* }
        [[ -z "$src" || "$line" == "..." || -z "${line// /}" ]] && continue
        quoted=$((quoted + 1))
        if [[ $kind == waits ]]; then
          if ! why=$(check_wait "$line" "$src"); then
            echo "FAIL: $base:$no: $why:"
            echo "  $line"
            fail=1
          fi
        elif ! grep -qxF -- "$line" "$src"; then
          echo "FAIL: $base:$no quotes a line that is not in its source ($kind $arg):"
          echo "  $line"
          fail=1
        fi
        ;;
    esac
  done <"$tmp/blocks"
done
if ((quoted < 50)); then
  echo "FAIL: only $quoted quoted lines found (is the block syntax still \`\`\`trace FILE?)"
  fail=1
fi

# 3. The index.
for page in "$docs"/0*.md; do
  base=$(basename "$page")
  if ! grep -q "($base)" "$docs/README.md"; then
    echo "FAIL: docs/tutorials/README.md does not link $base"
    fail=1
  fi
done

if ((fail)); then exit 1; fi
echo "PASS: $("$tutorial" --list | wc -l) traces re-recorded, $quoted quoted lines checked"
