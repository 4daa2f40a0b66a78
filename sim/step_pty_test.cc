// Copyright 2026 The eventlet-cpp Authors.
//
// A golden session of //sim:step on a pseudo-terminal, as a user types it:
// the stepper sees a terminal, so it reads through libedit
// (sim/step_line_editor.h). Checks history (Up recalls the previous line),
// an empty line repeating the last valid command (never an unknown one),
// `gts N`, a time breakpoint that fires once, and `rc`. The transcript is
// rendered as a terminal would show it (cursor moves and erases applied,
// other escape sequences dropped) and compared with
// sim/testdata/step_demo.pty.txt.
//
// To re-record after an intended change: sim/testdata/regenerate.sh (it runs
// this test's binary with STEP_PTY_GOLDEN_OUT=the golden file).
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

constexpr auto kTimeout = std::chrono::seconds(30);  // per key: a busy CI box

std::string runfiles_root() {
  if (const char* d = std::getenv("TEST_SRCDIR")) {
    return std::string(d) + "/eventlet_cpp";
  }
  // Run directly (regenerate.sh): beside the binary.
  std::string self(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", self.data(), self.size());
  self.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return self + ".runfiles/eventlet_cpp";
}

// What a terminal shows for `raw`, line by line: '\r' returns to column 0,
// '\b' and CSI C/D/G move the cursor, CSI K erases to the end of the line,
// printable bytes overwrite; other control and escape sequences are dropped.
std::string render(const std::string& raw) {
  std::string out, line;
  std::size_t col = 0;
  auto put = [&](char c) {
    if (col < line.size()) {
      line[col] = c;
    } else {
      line.append(col - line.size(), ' ');
      line += c;
    }
    ++col;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\n') {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
      line.clear();
      col = 0;
    } else if (c == '\r') {
      col = 0;
    } else if (c == '\b') {
      if (col > 0) --col;
    } else if (c == '\x1b') {
      if (i + 1 < raw.size() && raw[i + 1] == '[') {
        std::size_t j = i + 2;
        while (j < raw.size() && (raw[j] < 0x40 || raw[j] > 0x7e)) ++j;
        if (j >= raw.size()) break;
        const std::string params = raw.substr(i + 2, j - i - 2);
        const int n = params.empty() ? 1 : std::atoi(params.c_str());
        switch (raw[j]) {
          case 'C':
            col += static_cast<std::size_t>(n);
            break;
          case 'D':
            col = col > static_cast<std::size_t>(n) ? col - n : 0;
            break;
          case 'G':
            col = static_cast<std::size_t>(n > 0 ? n - 1 : 0);
            break;
          case 'K':
            if (params.empty() || params == "0")
              line.resize(std::min(col, line.size()));
            break;
          default:
            break;
        }
        i = j;
      } else {
        ++i;  // ESC and one byte (ESC 7, ESC =, ...)
      }
    } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
      put(c);
    }
  }
  return out + line;
}

class PtySession {
 public:
  PtySession(const std::string& binary, const std::string& trace) {
    struct winsize ws = {};
    ws.ws_row = 50;
    ws.ws_col = 200;  // no wrapping of the widest lines
    pid_ = forkpty(&master_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      setenv("TERM", "vt100", 1);
      execl(binary.c_str(), "step", trace.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~PtySession() {
    if (master_ >= 0) close(master_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  bool started() const { return pid_ > 0; }

  // Reads until `prompt` appears after `from` in the transcript, then until
  // the line editor has the terminal in raw mode (so keys are not echoed by
  // the kernel). False on timeout or end of output.
  bool wait_for_prompt(const std::string& prompt) {
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (transcript_.find(prompt, from_) == std::string::npos) {
      if (!read_some(deadline)) return false;
    }
    from_ = transcript_.size();
    for (;;) {
      struct termios t = {};
      if (tcgetattr(master_, &t) == 0 && (t.c_lflag & (ICANON | ECHO)) == 0) {
        return true;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      usleep(1000);
    }
  }
  void type(const std::string& keys) {
    ASSERT_EQ(write(master_, keys.data(), keys.size()),
              static_cast<ssize_t>(keys.size()));
  }
  // Reads to the end of output; the exit status.
  int finish() {
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (read_some(deadline)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  const std::string& transcript() const { return transcript_; }

 private:
  bool read_some(std::chrono::steady_clock::time_point deadline) {
    struct pollfd p = {master_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    const ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return false;  // EIO: the child closed the terminal
    transcript_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  std::string transcript_;
  std::size_t from_ = 0;
};

TEST(StepPty, HistoryRepeatGtsTimeBreakpointAndReverseContinue) {
  const std::string root = runfiles_root();
  PtySession session(root + "/sim/step",
                     root + "/sim/testdata/step_demo.trace.jsonl");
  ASSERT_TRUE(session.started());
  const std::string up = "\x1b[A";
  const std::vector<std::string> keys = {
      "n\r",                // #1
      up + "\r",            // Up recalls "n": #2
      "n 3\r",              // #5
      "\r",                 // repeats "n 3": #8
      "bogus\r",            // unknown
      "\r",                 // repeats "n 3", not "bogus": #11
      "gts 1\r",            // one greenthread in detail
      "gts\r",              // all of them (one page)
      "b t>=2ms\r",         // fires at the event that reaches t=2ms
      "c\r",                // ... here
      "c\r",                // not again: to the end
      "rc\r",               // back to the breakpoint hit
      "rc\r",               // back to the start
      up + up + up + "\r",  // "c" again, from history
      "rs 1\r",             // the last event of gt 1 before here
      "q\r",
  };
  for (const std::string& k : keys) {
    ASSERT_TRUE(session.wait_for_prompt("(step) "))
        << "no prompt before " << k << "; transcript:\n"
        << session.transcript();
    session.type(k);
  }
  const int status = session.finish();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const std::string shown = render(session.transcript());

  if (const char* out = std::getenv("STEP_PTY_GOLDEN_OUT")) {
    std::ofstream(out, std::ios::binary) << shown;
    return;
  }
  std::ifstream in(root + "/sim/testdata/step_demo.pty.txt", std::ios::binary);
  ASSERT_TRUE(in) << "no golden file";
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(golden.str(), shown)
      << "the pty session differs from sim/testdata/step_demo.pty.txt "
         "(sim/testdata/regenerate.sh re-records it)";
}

TEST(StepPty, RenderAppliesCursorMovesAndErases) {
  EXPECT_EQ(render("(step) abc\r\x1b[8Gxy\x1b[K\r\n"), "(step) xy\n");
  EXPECT_EQ(render("ab\bc\x1b[31md\x1b[0m\n"), "acd\n");
  EXPECT_EQ(render("abcd\x1b[2Dx\n"), "abxd\n");
}

}  // namespace
