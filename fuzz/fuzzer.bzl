"""eventlet_fuzzer: one libFuzzer target and its seed-corpus regression test.

    load("//fuzz:fuzzer.bzl", "eventlet_fuzzer")
    eventlet_fuzzer(name = "url_fuzzer", srcs = ["url_fuzzer.cc"], deps = [...])

`srcs` define `extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t)`.
The macro makes:

  - `<name>_lib`: the sources (alwayslink, so libFuzzer's main finds the entry point);
  - `<name>`: the fuzzer. Under `--config=fuzz` (clang, `--define=fuzzing=libfuzzer`) it
    links libFuzzer (`-fsanitize=fuzzer`); in any other build it links
    //fuzz:corpus_main instead, which runs the files named on its command line once
    (to reproduce a crash without clang: `bazel-bin/fuzz/<name> crash-file`);
  - `<name>_corpus_test`: a cc_test that runs every file of `corpus/<name>/` once, so
    `bazel test //...` checks the seeds (and the saved crash reproducers) with any
    compiler.
"""

load("//tools:copts.bzl", "EVENTLET_COPTS")

def eventlet_fuzzer(name, srcs, deps = []):
    corpus = "corpus/" + name
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        copts = EVENTLET_COPTS,
        alwayslink = True,
        deps = deps,
    )
    native.cc_binary(
        name = name,
        testonly = True,
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = [":" + name + "_lib"] + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:corpus_main"],
        }),
    )
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        args = ["fuzz/" + corpus],
        data = native.glob([corpus + "/*"]),
        deps = [
            ":" + name + "_lib",
            "//fuzz:corpus_main",
        ],
    )
