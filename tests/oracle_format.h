// Copyright 2026 The eventlet-cpp Authors.
//
// oracle_format.h: what the oracle ports (tests/sNN_*_test.cc) share to print
// lines the way eventlet's Python programs did, so they compare verbatim with
// /work/shared/oracle/out/*.txt.
#ifndef EVENTLET_TESTS_ORACLE_FORMAT_H_
#define EVENTLET_TESTS_ORACLE_FORMAT_H_

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "hub/errors.h"
#include "hub/hub.h"

namespace eventlet::oracle {

// Python's str(bool).
inline std::string PyBool(bool b) { return b ? "True" : "False"; }

// Python's str(KeyError(what)): the message in quotes.
inline std::string PyKeyError(const char* what) {
  return std::string("'") + what + "'";
}

// Python's str() of a list of strings: ['a', 'b'].
inline std::string PyList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out + "]";
}

// Where eventlet's hub printed a traceback, the port's log gets
// "HOOK: <type>: <what>" from the current hub's exception hook.
inline void LogHubExceptions(std::vector<std::string>& log) {
  Hub::current().set_exception_hook([&log](const HubException& e) {
    log.push_back("HOOK: " + describe_exception(e.error));
  });
}

// Hub time since construction as "%.2f" seconds (the oracles' t()).
class Elapsed {
 public:
  Elapsed() : start_(Hub::current().now()) {}
  std::string operator()() const {
    return absl::StrFormat(
        "%.2f", absl::ToDoubleSeconds(Hub::current().now() - start_));
  }

 private:
  absl::Duration start_;
};

}  // namespace eventlet::oracle

#endif  // EVENTLET_TESTS_ORACLE_FORMAT_H_
