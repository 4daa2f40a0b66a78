#!/usr/bin/env bash
# Keeps docs/tutorials honest:
# 1. every tutorial program, run again under sim::run (fifo, seed 0), records
#    a trace byte-identical to its checked-in NAME.trace.jsonl; tutorial 7's
#    exploration (random, then pct) fails at the same seed with the same trace
#    (07_explore.random / .pct.trace.jsonl);
# 2. every line the tutorials quote is really there: a block opened with
#    ```trace FILE holds lines of FILE, ```step FILE lines of
#    `step FILE --print`, and ```session NAME lines of the stepper session
#    `step NAME.trace.jsonl < NAME.commands` (a line "..." is skipped);
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
  "$tutorial" "$name" "$tmp/$name.jsonl"
  if ! cmp -s "$tmp/$name.jsonl" "$data/$name.trace.jsonl"; then
    echo "FAIL: $name's trace differs from examples/tutorials/$name.trace.jsonl:"
    diff -u "$data/$name.trace.jsonl" "$tmp/$name.jsonl" | head -20 || true
    fail=1
  fi
done
for strategy in random pct; do
  mkdir -p "$tmp/explore-$strategy"
  "$tutorial" --explore=$strategy "$tmp/explore-$strategy" >/dev/null 2>&1 || true
  found=("$tmp/explore-$strategy"/explore-seed-*.jsonl)
  if [[ ${#found[@]} -ne 1 || ! -f "${found[0]}" ]]; then
    echo "FAIL: exploring with $strategy found no failing seed"
    fail=1
  elif ! cmp -s "${found[0]}" "$data/07_explore.$strategy.trace.jsonl"; then
    echo "FAIL: exploring with $strategy: $(basename "${found[0]}") differs from examples/tutorials/07_explore.$strategy.trace.jsonl"
    diff -u "$data/07_explore.$strategy.trace.jsonl" "${found[0]}" | head -20 || true
    fail=1
  fi
done

# 2. Quoted lines. Each block becomes: "KIND ARG" then its lines, then "END".
source_of() {  # KIND ARG -> a file holding what the block may quote
  local kind=$1 arg=$2 out="$tmp/source.$1.${2//\//_}"
  if [[ ! -f "$out" ]]; then
    case "$kind" in
      trace) cp "$data/$arg" "$out" ;;
      step) "$step" "$data/$arg" --print >"$out" ;;
      session) "$step" "$data/$arg.trace.jsonl" <"$data/$arg.commands" >"$out" ;;
    esac
  fi
  echo "$out"
}
quoted=0
for page in "$docs"/*.md; do
  base=$(basename "$page")
  awk '
    /^```(trace|step|session) / { inside = 1; k = $1; sub(/^```/, "", k); print "BEGIN " k " " $2 " " NR; next }
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
        if ! grep -qxF -- "$line" "$src"; then
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
