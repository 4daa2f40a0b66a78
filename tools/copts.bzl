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
