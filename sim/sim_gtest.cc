// Copyright 2026 The eventlet-cpp Authors.
#include "sim/sim_gtest.h"

#include <unistd.h>

#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace eventlet::sim::internal {
namespace {

constexpr int kDefaultSeeds = 20;

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

std::uint64_t parse_u64(const char* var, const char* s) {
  std::uint64_t v = 0;
  const char* end = s + std::strlen(s);
  auto r = std::from_chars(s, end, v);
  if (r.ec != std::errc() || r.ptr != end) {
    throw std::invalid_argument(std::string(var) + "=" + s +
                                ": not a non-negative integer");
  }
  return v;
}

// Failed test parts recorded so far in the running gtest test (0 outside
// one).
int failed_parts() {
  const ::testing::TestInfo* info =
      ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return 0;
  const ::testing::TestResult* result = info->result();
  int failed = 0;
  for (int i = 0; i < result->total_part_count(); ++i) {
    if (result->GetTestPartResult(i).failed()) ++failed;
  }
  return failed;
}

Options run_options(const SimCase& c, const SimTestOptions& options) {
  Options o;
  o.strategy = c.strategy;
  o.seed = c.seed;
  o.max_time = absl::ToInt64Nanoseconds(options.max_time);
  o.max_events = options.max_events;
  o.pct_depth = options.pct_depth;
  o.pct_horizon = options.pct_horizon;
  return o;
}

std::string trace_dir() {
  for (const char* var : {"TEST_UNDECLARED_OUTPUTS_DIR", "TEST_TMPDIR"}) {
    if (const char* d = env(var)) return d;
  }
  return "/tmp";
}

std::string this_binary() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "<test>";
}

// Under `bazel test`, the file `path` written into
// $TEST_UNDECLARED_OUTPUTS_DIR ends up zipped in the workspace's
// bazel-testlogs/<package>/<target>[/run_i_of_n...]/test.outputs/outputs.zip:
// that path, or "" when not under bazel.
std::string bazel_outputs_zip(const std::string& path) {
  const char* dir = env("TEST_UNDECLARED_OUTPUTS_DIR");
  if (dir == nullptr || path.rfind(dir, 0) != 0) return "";
  const std::string d = dir;
  const std::size_t at = d.find("/testlogs/");
  if (at == std::string::npos) return "";
  return "bazel-testlogs/" + d.substr(at + 10) + "/outputs.zip";
}

// What went wrong in the failing case, in one line.
std::string failure_summary(const SweepResult& s) {
  if (s.result.ok())
    return "gtest assertions failed (" + s.result.summary() + ")";
  return s.result.summary() +
         (s.gtest_failure ? " (and gtest assertions failed)" : "");
}

std::string case_name(const SimCase& c) {
  return std::string(strategy_name(c.strategy)) + "-" + std::to_string(c.seed);
}

}  // namespace

std::vector<SimCase> sim_test_cases(const SimTestOptions& options) {
  const char* strategy = env("EVENTLET_SIM_STRATEGY");
  const char* seed = env("EVENTLET_SIM_SEED");
  if ((strategy == nullptr) != (seed == nullptr)) {
    throw std::invalid_argument(
        "set both EVENTLET_SIM_STRATEGY and EVENTLET_SIM_SEED to rerun one "
        "case, or neither");
  }
  if (strategy != nullptr) {
    SimCase only;
    if (!parse_strategy(strategy, &only.strategy)) {
      throw std::invalid_argument(std::string("EVENTLET_SIM_STRATEGY=") +
                                  strategy + ": expected fifo, random or pct");
    }
    only.seed = parse_u64("EVENTLET_SIM_SEED", seed);
    // A fifo-only test has no other case: rerunning a swept test's case
    // (without a --test_filter) leaves it at fifo.
    if (!options.sweep && only.strategy != Strategy::kFifo) return {SimCase{}};
    return {only};
  }
  std::vector<SimCase> cases = {SimCase{}};
  if (!options.sweep) return cases;
  std::uint64_t n = kDefaultSeeds;
  if (const char* s = env("EVENTLET_SIM_SEEDS")) {
    n = parse_u64("EVENTLET_SIM_SEEDS", s);
  }
  for (Strategy st : {Strategy::kRandom, Strategy::kPct}) {
    for (std::uint64_t seed_i = 1; seed_i <= n; ++seed_i) {
      cases.push_back(SimCase{st, seed_i});
    }
  }
  return cases;
}

SweepResult sweep(const std::vector<SimCase>& cases,
                  const SimTestOptions& options,
                  const std::function<void()>& body) {
  SweepResult out;
  for (const SimCase& c : cases) {
    ++out.runs;
    const int failed_before = failed_parts();
    Result r = run(run_options(c, options), body);
    const bool gtest_failed = failed_parts() > failed_before;
    if (r.ok() && !gtest_failed) continue;
    out.failed = true;
    out.failing = c;
    out.result = std::move(r);
    out.gtest_failure = gtest_failed;
    return out;
  }
  return out;
}

std::string report_sim_test_failure(const SimTestFailure& f) {
  const SweepResult& s = f.sweep;
  const std::string test = f.suite + "." + f.name;
  const std::string strategy = strategy_name(s.failing.strategy);
  const std::string seed = std::to_string(s.failing.seed);
  std::string command;
  if (const char* target = env("TEST_TARGET")) {
    command = std::string("./bazelw test ") + target +
              " --test_filter=" + test +
              " --test_env=EVENTLET_SIM_STRATEGY=" + strategy +
              " --test_env=EVENTLET_SIM_SEED=" + seed;
  } else {
    command = "EVENTLET_SIM_STRATEGY=" + strategy +
              " EVENTLET_SIM_SEED=" + seed + " " + this_binary() +
              " --gtest_filter=" + test;
  }
  std::string report = "SIM_TEST " + test + " fails with strategy " + strategy +
                       " seed " + seed + " (case " + std::to_string(s.runs) +
                       " of the sweep): " + failure_summary(s) + "\n";
  if (s.result.deadlock) report += s.result.deadlock->to_string() + "\n";
  report += f.trace_path.empty() ? "  trace: not written: " + f.trace_error
                                 : "  trace: " + f.trace_path;
  report += "\n";
  if (!f.trace_path.empty()) {
    const std::string zip = bazel_outputs_zip(f.trace_path);
    if (!zip.empty()) {
      report += "  after the run: unzip -o " + zip + " " +
                f.trace_path.substr(f.trace_path.rfind('/') + 1) + "\n";
    }
  }
  report += "  rerun this case: " + command + "\n";
  std::fputs(report.c_str(), stderr);
  return command;
}

void run_sim_test(const char* suite, const char* name, const char* file,
                  int line, const SimTestOptions& options,
                  const std::function<void()>& body) {
  std::vector<SimCase> cases;
  try {
    cases = sim_test_cases(options);
  } catch (const std::invalid_argument& e) {
    ADD_FAILURE_AT(file, line) << e.what();
    return;
  }
  SimTestFailure failure{suite, name, sweep(cases, options, body), "", ""};
  if (!failure.sweep.failed) return;
  // Again, traced: same case, same schedule.
  Options traced = run_options(failure.sweep.failing, options);
  traced.trace_path = trace_dir() + "/" + suite + "." + name + "." +
                      case_name(failure.sweep.failing) + ".jsonl";
  try {
    run(traced, body);
    failure.trace_path = traced.trace_path;
  } catch (const std::exception& e) {
    failure.trace_error = e.what();
  }
  const std::string command = report_sim_test_failure(failure);
  ADD_FAILURE_AT(file, line)
      << "SIM_TEST failed in case " << case_name(failure.sweep.failing) << ": "
      << failure_summary(failure.sweep) << "\n  rerun: " << command;
}

}  // namespace eventlet::sim::internal
