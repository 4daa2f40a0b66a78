"""Offline @rules_cc shim for Bazel 4.2.3: re-exports the native C/C++ rules.

Bazel's built-in WORKSPACE suffix and some built-in .bzl files load
@rules_cc//cc:defs.bzl; this file satisfies them without a download.
"""

cc_library = native.cc_library
cc_binary = native.cc_binary
cc_test = native.cc_test
cc_import = native.cc_import
cc_toolchain = native.cc_toolchain
cc_toolchain_suite = native.cc_toolchain_suite
cc_proto_library = native.cc_proto_library
objc_library = native.objc_library
