// Copyright 2026 The eventlet-cpp Authors.
//
// child_process.h (tests only): a helper process — e.g. a Python HTTP server —
// whose stdout the test reads line by line.
//
//   std::vector<std::string> argv = {"/usr/bin/python3", "-u", "-m",
//                                    "http.server", "-b", "127.0.0.1", "0"};
//   eventlet::testing::ChildProcess server(argv);
//   std::string line = server.read_line(absl::Seconds(10));
//
// The child gets SIGKILL when the ChildProcess is destroyed, and also when
// the test process dies (PR_SET_PDEATHSIG), so no server outlives its test.
// Its stderr is the test's (Bazel's test log). read_line() blocks the whole
// OS thread (it is for setup, before or between green work).
#ifndef EVENTLET_GREEN_NET_HTTP_TESTING_CHILD_PROCESS_H_
#define EVENTLET_GREEN_NET_HTTP_TESTING_CHILD_PROCESS_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace eventlet::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`; `cwd` if not empty.
  explicit ChildProcess(const std::vector<std::string>& argv,
                        const std::string& cwd = "") {
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      // Only async-signal-safe calls from here on.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      ::dup2(fds[1], 1);
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(125);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~ChildProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    ::close(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The next line of the child's stdout (without '\n'). Throws
  // std::runtime_error at end of output or after `timeout`.
  std::string read_line(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string line;
    for (;;) {
      pollfd p{out_, POLLIN, 0};
      const int ms =
          static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (ms <= 0 || ::poll(&p, 1, ms) <= 0)
        throw std::runtime_error("child: no output line in time");
      char c;
      if (::read(out_, &c, 1) != 1)
        throw std::runtime_error("child: output ended: " + line);
      if (c == '\n') return line;
      line += c;
    }
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

// Blocks the OS thread until 127.0.0.1:port accepts a TCP connection, or
// `timeout`. Returns whether it did.
inline bool wait_until_accepts(std::uint16_t port, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok =
        ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    if (ok) return true;
    ::usleep(10000);
  }
  return false;
}

}  // namespace eventlet::testing

#endif  // EVENTLET_GREEN_NET_HTTP_TESTING_CHILD_PROCESS_H_
