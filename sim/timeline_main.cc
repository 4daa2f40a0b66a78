// Copyright 2026 The eventlet-cpp Authors.
//
// timeline: a simulation trace as one self-contained HTML page, or in the
// Chrome Trace Event Format for Perfetto / chrome://tracing.
//
//   ./bazelw run //sim:timeline -- TRACE > out.html
//   ./bazelw run //sim:timeline -- TRACE -o out.html
//   ./bazelw run //sim:timeline -- --format=chrome TRACE > out.json
//
// A relative TRACE or -o path is taken from the directory `bazel run` was
// started in. The page needs no network: open it in any browser.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "sim/chrome_trace.h"
#include "sim/step.h"
#include "sim/timeline.h"
#include "sim/trace.h"

namespace {

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--format=html|chrome] TRACE [-o OUT] [--title T]\n"
               "  writes the timeline page (html, the default) or the Chrome\n"
               "  Trace Event JSON (chrome: open it in ui.perfetto.dev or\n"
               "  chrome://tracing) to stdout (or OUT)\n",
               argv0);
  return 2;
}

std::string from_working_dir(std::string path) {
  if (!path.empty() && path[0] != '/') {
    if (const char* dir = std::getenv("BUILD_WORKING_DIRECTORY")) {
      path = std::string(dir) + "/" + path;
    }
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, out_path, title, format = "html";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "-o" || a == "--out") && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a.rfind("--format=", 0) == 0) {
      format = a.substr(9);
      if (format != "html" && format != "chrome") {
        std::fprintf(stderr, "timeline: unknown format %s\n", format.c_str());
        return usage(argv[0]);
      }
    } else if (a == "--title" && i + 1 < argc) {
      title = argv[++i];
    } else if (a == "-h" || a == "--help") {
      usage(argv[0]);
      return 0;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "timeline: unknown option %s\n", a.c_str());
      return usage(argv[0]);
    } else if (path.empty()) {
      path = a;
    } else {
      return usage(argv[0]);
    }
  }
  if (path.empty()) return usage(argv[0]);
  if (title.empty()) {
    const auto slash = path.find_last_of('/');
    title = slash == std::string::npos ? path : path.substr(slash + 1);
  }
  path = from_working_dir(path);
  eventlet::sim::StepTrace trace;
  eventlet::sim::TraceError error;
  if (!eventlet::sim::load_step_trace_file(path, &trace, &error)) {
    std::fprintf(stderr, "timeline: %s: %s\n", path.c_str(),
                 error.to_string().c_str());
    return 1;
  }
  const std::string html = format == "chrome"
                               ? eventlet::sim::chrome_trace_json(trace)
                               : eventlet::sim::timeline_html(trace, title);
  if (out_path.empty()) {
    std::cout << html;
    return std::cout.good() ? 0 : 1;
  }
  out_path = from_working_dir(out_path);
  std::ofstream out(out_path, std::ios::binary);
  out << html;
  if (!out) {
    std::fprintf(stderr, "timeline: cannot write %s\n", out_path.c_str());
    return 1;
  }
  return 0;
}
