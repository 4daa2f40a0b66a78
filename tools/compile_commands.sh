#!/usr/bin/env bash
# compile_commands.sh: writes compile_commands.json at the repository root, so that clangd
# (and other clang tools) compile each file exactly as Bazel does:
#   tools/compile_commands.sh                 # the default build
#   tools/compile_commands.sh --config=asan   # extra Bazel flags choose the configuration
#
# It asks Bazel for the compile actions of every target (`bazel aquery`, which analyzes
# but builds nothing) and writes one entry per source file. Paths in Bazel's commands are
# relative to its execution root: those under external/ and bazel-out/ are made absolute
# against `bazel info execution_root`; the others (the source file, `-iquote .`) are
# files of this checkout, and point here, so that the editor and clangd agree on which
# file is which (go-to-definition lands in the checkout, not in Bazel's mirror of it).
# Headers have no entry of their own: clangd borrows the command of a source file
# beside them. Re-run after adding files or changing BUILD deps. Needs python3.
set -euo pipefail

cd "$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"

actions=$(mktemp)
log=$(mktemp)
trap 'rm -f "$actions" "$log"' EXIT
# run_bazel ARGS...: runs Bazel quietly; on failure, shows what it said.
run_bazel() {
  ./bazelw "$@" 2>"$log" || {
    cat "$log" >&2
    echo "compile_commands.sh: bazel $1 failed" >&2
    exit 1
  }
}
execution_root=$(run_bazel info "$@" execution_root)
run_bazel aquery "$@" --output=jsonproto 'mnemonic("CppCompile", deps(//...))' >"$actions"

python3 - "$actions" "$execution_root" "$PWD" <<'PY'
import json
import os
import sys

actions_file, execution_root, workspace = sys.argv[1:]
# Bazel 4.2's jsonproto: {"actions": [{"mnemonic": "CppCompile", "arguments": [the
# compiler's command line, relative to the execution root], ...}], "artifacts": ...}.
with open(actions_file) as f:
    actions = json.load(f).get("actions", [])

# Flags whose value (the next argument, or the rest of the same argument) is a path.
PATH_FLAGS = ("-I", "-iquote", "-isystem", "-idirafter", "-include", "-MF", "-o")


def absolute(path):
    if os.path.isabs(path):
        return path
    in_bazel = path.startswith(("bazel-out/", "external/"))
    return os.path.normpath(
        os.path.join(execution_root if in_bazel else workspace, path))


entries = {}
for action in actions:
    args = list(action["arguments"])
    if "-c" not in args:
        continue
    source = args[args.index("-c") + 1]
    if source.startswith("external/") or source.startswith("bazel-out/"):
        continue  # not a file of this repository
    fixed = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in PATH_FLAGS and i + 1 < len(args):
            fixed += [arg, absolute(args[i + 1])]
            i += 2
            continue
        for flag in PATH_FLAGS:
            if arg.startswith(flag) and len(arg) > len(flag) and flag != "-o":
                arg = flag + absolute(arg[len(flag):])
                break
        fixed.append(arg)
        i += 1
    file = absolute(source)
    fixed[fixed.index("-c") + 1] = file
    # One entry per file: the first configuration seen (a file built for both the
    # target and the host configuration gets the same flags but for the output paths).
    entries.setdefault(file, {
        "directory": workspace,
        "file": file,
        "arguments": fixed,
    })

out = os.path.join(workspace, "compile_commands.json")
with open(out, "w") as f:
    json.dump(sorted(entries.values(), key=lambda e: e["file"]), f, indent=1)
    f.write("\n")
print(f"compile_commands.json: {len(entries)} files")
PY
