#!/usr/bin/env bash
# The lost_update binary as its users run it (sim/cli.h's flags): explore 50
# seeds, paste a printed shrink command (1 preemption), paste the printed
# replay command (fails the same way, status 0: it matches), replay against
# --fixed (outcome differs, status 1), and bad input (status 2, clear message).
set -euo pipefail
bin="$TEST_SRCDIR/eventlet_cpp/examples/sim/lost_update"
fail() { echo "FAIL: $*"; exit 1; }
cd "$TEST_TMPDIR"

rc=0
out=$("$bin" --explore=50 --explore_out=explore-out) || rc=$?
((rc == 1)) || fail "--explore: status $rc, expected 1 (seeds failed)"
echo "$out" | tail -3
grep -qE '^explored 50 seeds \(1\.\.50, strategy random\): [0-9]+ failed$' <<<"$out" ||
  fail "no exploration summary"
[[ -d explore-out ]] || fail "explore-out was not created"
failing=$(grep -c '^seed [0-9]* fails: error "lost update' <<<"$out")
((failing >= 5)) || fail "only $failing failing seeds"

# Every failing seed's shrink command, pasted, gives 1 preemption.
shrunk_any=""
while read -r cmd; do
  shrunk=$(eval "$cmd") || fail "$cmd: status $?"
  grep -qE '^  preemptions: [0-9]+ -> 1$' <<<"$shrunk" || fail "$cmd: $shrunk"
  shrunk_any=$shrunk
done < <(sed -n 's/^  shrink: //p' <<<"$out")
echo "$shrunk_any"

# The minimal trace's replay command, pasted: it fails the same way.
replay_cmd=$(sed -n 's/^  replay it: //p' <<<"$shrunk_any")
replayed=$(eval "$replay_cmd") || fail "$replay_cmd: status $?"
grep -q 'replay matches the trace (.* events); outcome error "lost update: balance is 1, expected 2"' \
  <<<"$replayed" || fail "replay: $replayed"
minimal=$(sed -n 's/^  minimal trace: //p' <<<"$shrunk_any")

# Against the fixed program, the outcome differs.
rc=0
fixed=$("$bin" --fixed --replay="$minimal") || rc=$?
((rc == 1)) || fail "--fixed --replay: status $rc, expected 1"
grep -q '^outcome differs: expected error "lost update: balance is 1, expected 2", got ok$' \
  <<<"$fixed" || fail "--fixed --replay: $fixed"

# A plain run: fifo passes; a failing seed with --trace prints its commands.
"$bin" | grep -q '^lost_update: ok: ' || fail "fifo run"
seed=$(sed -n 's/^seed \([0-9]*\) fails.*/\1/p' <<<"$out" | head -1)
rc=0
run=$("$bin" --strategy=random --seed="$seed" --trace=one.jsonl) || rc=$?
((rc == 1)) || fail "failing seed: status $rc"
cmp -s one.jsonl "explore-out/lost_update.random.seed-$seed.jsonl" ||
  fail "--seed=$seed --trace differs from the explored trace"
grep -q "^shrink it: .*--shrink=one.jsonl$" <<<"$run" || fail "no shrink hint: $run"

# Bad input: status 2 and a clear message.
rc=0
msg=$("$bin" --strategy=sideways 2>&1) || rc=$?
((rc == 2)) && grep -q 'strategy must be fifo, random or pct' <<<"$msg" || fail "bad strategy: $rc $msg"
rc=0
msg=$("$bin" --seed=-1 2>&1) || rc=$?
((rc == 2)) && grep -q 'seed takes an unsigned integer' <<<"$msg" || fail "bad seed: $rc $msg"
printf 'not a trace\n' >bad.jsonl
rc=0
msg=$("$bin" --replay=bad.jsonl 2>&1) || rc=$?
((rc == 2)) && grep -q 'rejected: trace line 1' <<<"$msg" || fail "bad trace: $rc $msg"
rc=0
msg=$("$bin" --replay=x --shrink=y 2>&1) || rc=$?
((rc == 2)) || fail "two modes: $rc $msg"
echo PASS
