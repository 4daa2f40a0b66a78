#!/usr/bin/env bash
# Checks that every ```cpp block in docs/guide.md and README.md that starts with a
# "// examples/guide/NAME.cc" line is exactly that file (after the marker line),
# so the guide only shows code that compiles and runs.
set -euo pipefail
root="$TEST_SRCDIR/eventlet_cpp"
checked=0
for guide in "$root/docs/guide.md" "$root/README.md"; do
while IFS= read -r name; do
  want="$root/examples/guide/$name.cc"
  got=$(awk -v marker="// examples/guide/$name.cc" '
    $0 == "```cpp" { inblock = 1; first = 1; next }
    $0 == "```" { if (capture) exit; inblock = 0; next }
    inblock && first { first = 0; if ($0 == marker) { capture = 1; next } }
    capture { print }' "$guide")
  if ! diff -u "$want" <(printf '%s\n' "$got"); then
    echo "$guide: the block for examples/guide/$name.cc differs from the file"
    exit 1
  fi
  checked=$((checked + 1))
done < <(grep -oE '^// examples/guide/[a-z_]+\.cc$' "$guide" | sed -E 's#// examples/guide/##; s#\.cc$##')
done
[[ $checked -ge 5 ]] || { echo "expected at least 5 quoted examples, found $checked"; exit 1; }
echo "checked $checked examples"
