// Copyright 2026 The eventlet-cpp Authors.
#include "sim/sim_gtest.h"

#include <unistd.h>

#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "gtest/gtest-spi.h"
#include "sim/explore.h"
#include "sim/replay.h"
#include "sim/shrink.h"

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
  o.max_time = options.max_time;
  o.max_events = options.max_events;
  o.pct_depth = options.pct_depth;
  o.pct_horizon = options.pct_horizon;
  return o;
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

// The body, with its gtest failures intercepted by `reporter` (installed on
// the calling thread for all threads) and thrown as the run's outcome.
class FailuresAsOutcome {
 public:
  explicit FailuresAsOutcome(const std::function<void()>& body)
      : body_(body),
        reporter_(
            ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ALL_THREADS,
            &failures_) {}
  void operator()() {
    const int before = failures_.size();
    body_();
    for (int i = before; i < failures_.size(); ++i) {
      const ::testing::TestPartResult& f = failures_.GetTestPartResult(i);
      if (!f.failed()) continue;
      throw std::runtime_error(std::string("gtest failure at ") +
                               (f.file_name() ? f.file_name() : "?") + ":" +
                               std::to_string(f.line_number()));
    }
  }

 private:
  const std::function<void()>& body_;
  ::testing::TestPartResultArray failures_;
  ::testing::ScopedFakeTestPartResultReporter reporter_;
};

// The paste-ready way to run this test again with `env` (NAME=VALUE).
std::string test_command(const std::string& test, const std::string& env) {
  if (const char* target = std::getenv("TEST_TARGET")) {
    return std::string("./bazelw test ") + target + " --test_filter=" + test +
           " --test_env=" + env;
  }
  return env + " " + this_binary() + " --gtest_filter=" + test;
}

// A file written under $TEST_UNDECLARED_OUTPUTS_DIR, as the user reaches it
// after the run: "unzip -o ZIP NAME && " to paste first ("" outside bazel),
// and the path to use ($PWD/NAME after unzipping, else the path itself).
std::pair<std::string, std::string> reachable(const std::string& path) {
  const std::string zip = bazel_outputs_zip(path);
  if (zip.empty()) return {"", path};
  const std::string file = path.substr(path.rfind('/') + 1);
  return {"unzip -o " + zip + " " + file + " && ", "$PWD/" + file};
}

// FILE.jsonl -> FILE.min.jsonl, in the trace directory.
std::string minimal_path(const std::string& trace) {
  std::string file = trace.substr(trace.rfind('/') + 1);
  if (file.size() > 6 && file.ends_with(".jsonl")) {
    file.resize(file.size() - 6);
  }
  return test_output_dir() + "/" + file + ".min.jsonl";
}

// EVENTLET_SIM_REPLAY / EVENTLET_SIM_SHRINK: true if one was set (and
// handled).
bool replay_or_shrink(const std::string& test, const char* file, int line,
                      const SimTestOptions& options,
                      const std::function<void()>& body) {
  const char* replay_path = env("EVENTLET_SIM_REPLAY");
  const char* shrink_path = env("EVENTLET_SIM_SHRINK");
  if (replay_path == nullptr && shrink_path == nullptr) return false;
  Options limits;
  limits.max_time = options.max_time;
  limits.max_events = options.max_events;
  std::string text;
  TraceError error;
  const char* path = replay_path != nullptr ? replay_path : shrink_path;
  if (!read_trace_file(path, &text, &error)) {
    ADD_FAILURE_AT(file, line) << error.to_string();
    return true;
  }
  if (replay_path != nullptr) {
    ReplayResult r;
    {
      FailuresAsOutcome scenario(body);
      r = replay(text, std::ref(scenario), limits);
    }
    if (r.ok) {
      std::fprintf(stderr, "%s: replay of %s matches (outcome %s)\n",
                   test.c_str(), path, r.actual_outcome.to_string().c_str());
    }
    EXPECT_TRUE(r.ok) << "replay of " << path << ": " << r.message;
    return true;
  }
  ShrinkOptions o;
  o.limits = limits;
  ShrinkResult r;
  {
    FailuresAsOutcome scenario(body);
    r = shrink(text, std::ref(scenario), o);
  }
  if (!r.ok) {
    ADD_FAILURE_AT(file, line) << "shrinking " << path << ": " << r.message;
    return true;
  }
  const std::string out = minimal_path(path);
  std::ofstream(out, std::ios::binary) << r.trace;
  const auto [unzip, reached] = reachable(out);
  const std::string report =
      "SIM_TEST " + test + ": shrunk " + path + " (" + r.outcome.to_string() +
      ")\n  preemptions: " + std::to_string(r.preemptions_before) + " -> " +
      std::to_string(r.preemptions_after) +
      "\n  events:      " + std::to_string(r.events_before) + " -> " +
      std::to_string(r.events_after) + "\n  minimal trace: " + out +
      "\n  replay it: " + unzip +
      test_command(test, "EVENTLET_SIM_REPLAY=" + reached) +
      "\n  step through it: " + unzip + "./bazelw run //sim:step -- " +
      reached + "\n";
  std::fputs(report.c_str(), stderr);
  ADD_FAILURE_AT(file, line) << report;
  return true;
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
  if (!f.trace_path.empty()) {
    const auto [unzip, reached] = reachable(f.trace_path);
    report += "  shrink it: " + unzip +
              test_command(test, "EVENTLET_SIM_SHRINK=" + reached) + "\n";
    report += "  replay it: " + unzip +
              test_command(test, "EVENTLET_SIM_REPLAY=" + reached) + "\n";
  }
  std::fputs(report.c_str(), stderr);
  return command;
}

Result run_with_failures_as_outcome(const Options& options,
                                    const std::function<void()>& body) {
  FailuresAsOutcome scenario(body);
  return run(options, std::ref(scenario));
}

void run_sim_test(const char* suite, const char* name, const char* file,
                  int line, const SimTestOptions& options,
                  const std::function<void()>& body) {
  const std::string test = std::string(suite) + "." + name;
  if (replay_or_shrink(test, file, line, options, body)) return;
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
  traced.trace_path = test_output_dir() + "/" + suite + "." + name + "." +
                      case_name(failure.sweep.failing) + ".jsonl";
  try {
    // The trace's outcome names a gtest failure too, so that the trace
    // replays and shrinks to the same failure.
    run_with_failures_as_outcome(traced, body);
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
