#!/usr/bin/env bash
# Keeps docs/conformance.md honest: usage check_table.sh TABLE.md TEST.cc...
#  - every row's status is ported, differs, not applicable or todo;
#  - a ported/differs row names a gtest case (Suite.Case) defined in one of the
#    test files, and its Case is the eventlet function's name in CamelCase;
#  - differs and not-applicable rows give a reason;
#  - every gtest case of the test files appears in the table;
#  - the counts line matches the rows.
set -euo pipefail
table=$1
shift
fail=0
err() { echo "conformance table: $*" >&2; fail=1; }

# Suite.Case of every test defined in the test files.
defined=$(sed -nE 's/^(TEST|TEST_F|SIM_TEST|SIM_TEST_OPTS)\(([A-Za-z0-9_]+), *([A-Za-z0-9_]+).*/\2.\3/p' "$@" | sort -u)

camel() {  # test_send_exc -> TestSendExc
  local out="" part
  IFS=_ read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    [[ -n "$part" ]] && out+="${part^}"
  done
  echo "$out"
}

declare -A count=([ported]=0 [differs]=0 ["not applicable"]=0 [todo]=0)
listed=""
total=0
while IFS='|' read -r _ name gtest status reason _; do
  name=$(echo "$name" | tr -d '` ')
  gtest=$(echo "$gtest" | tr -d '` ')
  status=$(echo "$status" | sed -E 's/^ +| +$//g')
  reason=$(echo "$reason" | sed -E 's/^ +| +$//g')
  total=$((total + 1))
  case "$status" in
    ported | differs | "not applicable" | todo) count[$status]=$((count[$status] + 1)) ;;
    *) err "$name: unknown status '$status'"; continue ;;
  esac
  fn=${name##*.}
  if [[ "${gtest##*.}" != "$(camel "$fn")" ]]; then
    err "$name: the gtest case should be named $(camel "$fn"), not ${gtest##*.}"
  fi
  if [[ "$status" == ported || "$status" == differs ]]; then
    grep -qxF "$gtest" <<<"$defined" || err "$name: $gtest is $status but no such test exists"
  fi
  if [[ ("$status" == differs || "$status" == "not applicable") && -z "$reason" ]]; then
    err "$name: a '$status' row needs a reason"
  fi
  listed+="$gtest"$'\n'
done < <(grep -E '^\| `[^`]+` \| `[^`]+` \|' "$table")

while read -r t; do
  [[ -z "$t" ]] && continue
  grep -qxF "$t" <<<"$listed" || err "$t is a conformance test but is not in the table"
done <<<"$defined"

expected="**Counts:** ${total} test functions: ${count[ported]} ported, ${count[differs]} differs, ${count["not applicable"]} not applicable, ${count[todo]} todo."
grep -qxF "$expected" "$table" || err "the counts line should read: $expected"

applicable=$((total - count["not applicable"]))
done_=$((count[ported] + count[differs]))
echo "conformance: ${done_} of ${applicable} applicable eventlet tests ported or differing (${count[todo]} todo)"
exit "$fail"
