"""Compiler options for the project's own code.

Every cc_library / cc_binary / cc_test of ours says `copts = EVENTLET_COPTS`:

    load("//tools:copts.bzl", "EVENTLET_COPTS")

Warnings are errors in our code only: these copts apply to our targets, and third-party
headers come from /usr/include (a system include directory), whose warnings the compiler
keeps silent. C++20 itself is set for the whole build in .bazelrc
(--cxxopt/--host_cxxopt=-std=c++20).
"""

EVENTLET_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wnon-virtual-dtor",
]

# For translation units that instantiate Boost.Beast's HTTP parser (green_net/http and
# its tests): EVENTLET_COPTS, except that -Wmaybe-uninitialized is off in optimized
# sanitizer builds. There gcc 12 reports a false positive on the boost::optional that
# basic_parser::content_length_unchecked() returns (basic_parser.hpp:66, inlined into
# do_field and put): the sanitizers' instrumentation hides from its flow analysis that
# the optional is disengaged. Being in /usr/include does not silence it: gcc 11+ silences
# a middle-end warning only when every location of its inlining chain is in a system
# header, and the parser is instantiated from our code (a 15-line file deriving from
# basic_parser<true> and calling put() reproduces it with -O2 -fsanitize=undefined).
# Every other build, and every other warning, stays an error.
BEAST_COPTS = EVENTLET_COPTS + select({
    "//tools:asan_opt": ["-Wno-maybe-uninitialized"],
    "//tools:ubsan_opt": ["-Wno-maybe-uninitialized"],
    "//conditions:default": [],
})
