#!/usr/bin/env bash
# check_format.sh: checks that every C++ file git tracks (*.cc, *.h) is formatted as
# clang-format (with the repository's .clang-format) would write it. Changes nothing.
# Prints the files that are not, and the command that fixes them; exits 1 if any.
#   tools/check_format.sh          (from anywhere inside the repository)
set -euo pipefail

cd "$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"

clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "check_format: $clang_format not found (Debian: apt-get install clang-format;" \
    "./bazelw installs it)" >&2
  exit 2
fi

mapfile -d '' -t files < <(git ls-files -z -- '*.cc' '*.h')
checked=${#files[@]}
# One clang-format run for all files; each finding is "FILE:LINE:COL: error: ...".
rc=0
output=$("$clang_format" --dry-run -Werror "${files[@]}" 2>&1) || rc=$?
mapfile -t unformatted < <(printf '%s\n' "$output" |
  sed -nE 's/^(.+):[0-9]+:[0-9]+: error: .*clang-format-violations.*$/\1/p' | sort -u)
if ((rc != 0 && ${#unformatted[@]} == 0)); then
  printf '%s\n' "$output" >&2
  echo "check_format: $clang_format failed (exit $rc)" >&2
  exit 2
fi

if ((${#unformatted[@]} == 0)); then
  echo "check_format: all ${checked} C++ files are clang-formatted"
  exit 0
fi
echo "check_format: ${#unformatted[@]} of ${checked} C++ files are not clang-formatted:"
printf '  %s\n' "${unformatted[@]}"
echo "Fix them with:"
echo "  clang-format -i ${unformatted[*]}"
echo "(or see the differences first: clang-format --dry-run FILE)"
exit 1
