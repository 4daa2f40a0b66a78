#!/usr/bin/env bash
# spawn_floor.sh: spawning N idle greenthreads against the page-fault floor,
# measured in the same run (docs/PERFORMANCE.md, "Spawning 1,000,000").
#
#   bench/spawn_floor.sh                          # N=1000000, 5 rounds
#   N=100000 ROUNDS=3 bench/spawn_floor.sh
#   IDLE_MEMORY="/tmp/old/idle_memory /tmp/new/idle_memory" bench/spawn_floor.sh
#
# Each round runs, back to back, the floor (bench/baselines/c/page_fault_floor.c:
# N fresh pages touched one per 132 KiB, a 128 KiB stack plus its guard page,
# and nothing else) and then each idle_memory binary (`--n=N`: spawn N
# greenthreads that each sleep an hour, until all are parked). The binary is
# //bench:idle_memory built with -c opt unless IDLE_MEMORY names binaries
# (several: an A/B, alternated within each round). Needs a C compiler (cc) and
# about 4.5 GB of free memory per million.
#
# Prints every run, then per binary and for both the elapsed and the CPU time
# (user + system of the process over the same span; less inflated when other
# work shares the machine): spawn+start min and median, the floor's min and
# median, the ratio of the medians, the ratio of the minima and the median of
# the per-round ratios; and the idle bytes per greenthread.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"
n=${N:-1000000}
rounds=${ROUNDS:-5}
bench_workdir spawn_floor

command -v cc >/dev/null 2>&1 || { say "needs a C compiler (cc)"; exit 1; }
cc -O2 -o "$work/page_fault_floor" "$here/baselines/c/page_fault_floor.c" || exit 1
if [[ -n ${IDLE_MEMORY:-} ]]; then
  read -r -a binaries <<<"$IDLE_MEMORY"
else
  build_opt_copy //bench:idle_memory || exit 1
  binaries=("$work/idle_memory")
fi

section "machine"
say "$(date -u)  $(uptime)"
say "nproc $(nproc), $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

# median FILE: the median of the numbers in FILE, one a line.
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
minimum() { sort -n "$1" | head -1; }

section "runs (N=$n, $rounds rounds)"
for ((round = 1; round <= rounds; ++round)); do
  line=$("$work/page_fault_floor" "$n" 135168) || { say "floor failed"; exit 1; }
  say "round $round  floor: $line"
  sed -n 's/.*: \([0-9]*\) ms,.*/\1/p' <<<"$line" >>"$work/floor.wall"
  sed -n 's/.*(CPU \([0-9]*\) ms).*/\1/p' <<<"$line" >>"$work/floor.cpu"
  for i in "${!binaries[@]}"; do
    out=$("${binaries[$i]}" --n="$n") || { say "${binaries[$i]} failed: $out"; exit 1; }
    say "round $round  [$i] ${binaries[$i]}: $(head -1 <<<"$out")"
    touch "$work/ours$i.wall" "$work/ours$i.cpu"
    sed -n 's/.*spawn+start took \([0-9]*\) ms.*/\1/p' <<<"$out" >>"$work/ours$i.wall"
    sed -n 's/.*spawn+start took.*(CPU \([0-9]*\) ms).*/\1/p' <<<"$out" >>"$work/ours$i.cpu"
    sed -n 's/.* \([0-9]*\) bytes per greenthread, spawn.*/\1/p' <<<"$out" >>"$work/bytes.$i"
    for kind in wall cpu; do
      paste -d' ' <(tail -1 "$work/ours$i.$kind") <(tail -1 "$work/floor.$kind") |
        awk 'NF == 2 && $2 > 0 {printf "%.4f\n", $1 / $2}' >>"$work/ratio$i.$kind"
    done
  done
done

section "summary (N=$n, $rounds rounds; times in ms)"
for kind in wall cpu; do
  [[ -s $work/floor.$kind ]] && say "floor, $kind: min $(minimum "$work/floor.$kind"), median $(median "$work/floor.$kind")"
done
for i in "${!binaries[@]}"; do
  say "[$i] ${binaries[$i]}: idle $(sort -n "$work/bytes.$i" | tail -1) bytes per greenthread (max)"
  for kind in wall cpu; do
    # Binaries from before the CPU time was printed have no cpu column.
    [[ -s $work/ours$i.$kind && -s $work/floor.$kind ]] || continue
    awk -v kind="$kind" -v omin="$(minimum "$work/ours$i.$kind")" \
      -v omed="$(median "$work/ours$i.$kind")" -v fmin="$(minimum "$work/floor.$kind")" \
      -v fmed="$(median "$work/floor.$kind")" -v rmed="$(median "$work/ratio$i.$kind")" 'BEGIN {
        printf "    %-4s spawn+start min %d, median %d; ratio to the floor: medians %.2fx, minima %.2fx, median of the rounds %.2fx\n",
          kind, omin, omed, omed / fmed, omin / fmin, rmed
      }'
  done
done
