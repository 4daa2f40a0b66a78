// Copyright 2026 The eventlet-cpp Authors.
//
// flag_check.h: finds a command line's first flag error before Abseil's
// parser sees it, so that a program can exit with the usual status for bad
// usage (2, as Python's argparse, grep and the sim CLI do) rather than
// absl::ParseCommandLine's std::exit(1).
//
//   if (std::string e = first_flag_error(argc, argv); !e.empty()) {
//     std::fprintf(stderr, "fetch: %s (try --help)\n", e.c_str());
//     return 2;
//   }
//   std::vector<char*> args = absl::ParseCommandLine(argc, argv);
//
// Checks each "-name", "--name", "--name=value" and "--name value" argument
// up to a lone "--" as absl::ParseCommandLine reads them: the flag must be
// defined in the program (for a bool, "--noname" too), and its value must
// parse. Checking a value sets the flag to it, as the parse that follows
// does anyway. Arguments that are not flags ("-" included) are skipped.
// Once a flag that changes the parse itself (--flagfile, --fromenv,
// --tryfromenv, --undefok) or a usage flag (--help, --helpfull, --version...)
// is seen, the rest is left to Abseil.
#ifndef EVENTLET_EXAMPLES_FLAG_CHECK_H_
#define EVENTLET_EXAMPLES_FLAG_CHECK_H_

#include <string>

namespace eventlet::examples {

// "" when every flag is defined and its value parses; otherwise the first
// error, e.g. "unknown flag --concurrncy" or "--concurrency=x: ...".
std::string first_flag_error(int argc, char** argv);

}  // namespace eventlet::examples

#endif  // EVENTLET_EXAMPLES_FLAG_CHECK_H_
