// Copyright 2026 The eventlet-cpp Authors.
//
// step: step through a simulation trace like a debugger.
//
//   ./bazelw run //sim:step -- TRACE            interactive (commands on stdin;
//                                               line editing on a terminal)
//   ./bazelw run //sim:step -- TRACE --print    one line per event
//
// A relative TRACE is taken from the directory `bazel run` was started in.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "sim/step.h"
#include "sim/step_line_editor.h"
#include "sim/trace.h"

namespace {

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s TRACE [--print]\n"
               "  --print  the one-line-per-event text view, then exit\n"
               "  without it: an interactive stepper reading commands from "
               "stdin (help lists them)\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  bool print = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--print") == 0) {
      print = true;
    } else if (std::strcmp(argv[i], "--help") == 0 ||
               std::strcmp(argv[i], "-h") == 0) {
      usage(argv[0]);
      return 0;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      std::fprintf(stderr, "step: unknown option %s\n", argv[i]);
      return usage(argv[0]);
    } else if (path.empty()) {
      path = argv[i];
    } else {
      return usage(argv[0]);
    }
  }
  if (path.empty()) return usage(argv[0]);
  if (path[0] != '/') {
    if (const char* dir = std::getenv("BUILD_WORKING_DIRECTORY")) {
      path = std::string(dir) + "/" + path;
    }
  }
  eventlet::sim::StepTrace trace;
  eventlet::sim::TraceError error;
  if (!eventlet::sim::load_step_trace_file(path, &trace, &error)) {
    std::fprintf(stderr, "step: %s: %s\n", path.c_str(),
                 error.to_string().c_str());
    return 1;
  }
  if (print) {
    std::cout << eventlet::sim::print_trace(trace);
    return std::cout.good() ? 0 : 1;
  }
  eventlet::sim::Stepper stepper(trace);
  if (isatty(0)) {
    // A terminal: line editing and history.
    eventlet::sim::LineEditor editor;
    stepper.run(editor, std::cout);
  } else {
    // A pipe or file: plain lines, echoed so the output reads as a session.
    stepper.run(std::cin, std::cout, /*echo=*/true);
  }
  return 0;
}
