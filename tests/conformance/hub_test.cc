// Copyright 2026 The eventlet-cpp Authors.
//
// Conformance: eventlet's tests/hub_test.py (see event_test.cc for how these
// ports are written; docs/conformance.md keeps the table). SIM_TESTs run on
// the simulated clock; FreshHub gives a fresh epoll hub to what
// needs the kernel (pipes, signals, fork).
#include "hub/hub.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "debug/debug.h"
#include "gmock/gmock.h"
#include "green_net/convenience.h"
#include "green_net/socket.h"
#include "greenthread/event.h"
#include "greenthread/greenthread.h"
#include "greenthread/semaphore.h"
#include "greenthread/timeout.h"
#include "gtest/gtest.h"
#include "hub/epoll_backend.h"
#include "hub/hook_reports_for_test.h"
#include "sim/sim_gtest.h"

namespace eventlet {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

const absl::Duration kDelay = absl::Milliseconds(1);

// For the tests on the kernel (TEST, since SIM_TEST cases share the suite):
// a fresh epoll hub for the test's scope.
struct FreshHub {
  FreshHub() { Hub::destroy_current(); }
  ~FreshHub() { Hub::destroy_current(); }
};

// ---- TestTimerCleanup: cancelled timers do not pile up ----------------------
// eventlet counts cancelled timers still in its heap and cleans them lazily;
// here a cancelled timer leaves at once, so timer_count() is exact.

SIM_TEST(HubTest, TestCancelImmediate) {
  Hub& hub = Hub::current();
  const std::size_t before = hub.timer_count();
  for (int i = 0; i < 2000; ++i) {
    TimerHandle t = hub.schedule_call_global(absl::Seconds(60), [] {});
    t.cancel();
    ASSERT_EQ(hub.timer_count(), before);
  }
}

SIM_TEST(HubTest, TestCancelAccumulated) {
  Hub& hub = Hub::current();
  const std::size_t before = hub.timer_count();
  for (int i = 0; i < 2000; ++i) {
    TimerHandle t = hub.schedule_call_global(absl::Seconds(60), [] {});
    sleep();
    ASSERT_EQ(hub.timer_count(), before + 1);
    t.cancel();
    ASSERT_EQ(hub.timer_count(), before);
  }
}

SIM_TEST(HubTest, TestCancelProportion) {
  Hub& hub = Hub::current();
  const std::size_t before = hub.timer_count();
  std::vector<TimerHandle> uncancelled;
  for (int i = 0; i < 1000; ++i) {
    TimerHandle t = hub.schedule_call_global(absl::Seconds(60), [] {});
    uncancelled.push_back(hub.schedule_call_global(absl::Seconds(60), [] {}));
    uncancelled.push_back(hub.schedule_call_global(absl::Seconds(60), [] {}));
    sleep();
    t.cancel();
  }
  EXPECT_EQ(hub.timer_count(), before + 2000);
  for (TimerHandle& t : uncancelled) t.cancel();
  EXPECT_EQ(hub.timer_count(), before);
  sleep();
}

// ---- TestMultipleListenersCleanup -------------------------------------------

TEST(HubTest, TestCleanup) {
  FreshHub fresh;
  Hub& hub = Hub::current();
  hub.set_prevent_multiple_readers(false);
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_NONBLOCK), 0);
  auto readfd = [&hub](int fd) {
    for (;;) {
      char c;
      if (read(fd, &c, 1) == 1) return std::string(1, c);
      hub.trampoline(fd, kRead);
    }
  };
  auto first = spawn(readfd, fds[0]);
  sleep();
  auto second = spawn(readfd, fds[0]);
  sleep();
  // eventlet throws a Timeout into the second reader from a timer.
  hub.schedule_call_global(absl::ZeroDuration(), [second] {
    second.kill(std::make_exception_ptr(TimeoutExpired(nullptr, "")));
  });
  sleep();
  EXPECT_THROW(second.wait(), TimeoutExpired);
  ASSERT_EQ(write(fds[1], ".", 1), 1);
  EXPECT_EQ(first.wait(), ".") << "the first reader's listener survived";
  EXPECT_EQ(hub.listener_count(), 0u);
  hub.notify_close(fds[0]);
  close(fds[0]);
  close(fds[1]);
  hub.set_prevent_multiple_readers(true);
}

// ---- TestScheduleCall ---------------------------------------------------------

SIM_TEST(HubTest, TestLocal) {
  std::vector<int> lst{1};
  spawn([&] {
    Hub::current().schedule_call_local(kDelay, [&] { lst.pop_back(); });
  });
  sleep();
  sleep(kDelay * 2);
  EXPECT_THAT(lst, ElementsAre(1)) << "its greenthread died first: skipped";
}

SIM_TEST(HubTest, TestGlobal) {
  std::vector<int> lst{1};
  spawn([&] {
    Hub::current().schedule_call_global(kDelay, [&] { lst.pop_back(); });
  });
  sleep();
  sleep(kDelay * 2);
  EXPECT_TRUE(lst.empty());
}

SIM_TEST(HubTest, TestOrdering) {
  std::vector<int> lst;
  Hub& hub = Hub::current();
  hub.schedule_call_global(kDelay * 2, [&] { lst.push_back(3); });
  hub.schedule_call_global(kDelay, [&] { lst.push_back(1); });
  hub.schedule_call_global(kDelay, [&] { lst.push_back(2); });
  while (lst.size() < 3) sleep(kDelay);
  EXPECT_THAT(lst, ElementsAre(1, 2, 3));
}

// ---- TestDebug: eventlet's hub switches, reached through debug's functions --

SIM_TEST(HubTest, TestDebugListeners) {
  debug::hub_listener_stacks(true);
  debug::hub_listener_stacks(false);
}

SIM_TEST(HubTest, TestTimerExceptions) {
  debug::hub_exceptions(true);
  debug::hub_exceptions(false);
  debug::hub_exceptions(true);
}

// ---- TestExceptionInMainloop ------------------------------------------------

SIM_TEST(HubTest, TestSleep) {
  HookReports hook;
  Hub& hub = Hub::current();
  absl::Duration start = hub.now();
  sleep(kDelay);
  EXPECT_EQ(hub.now() - start, kDelay);
  hub.schedule_call_global(absl::ZeroDuration(),
                           [] { throw std::domain_error("division by zero"); });
  start = hub.now();
  sleep(kDelay);
  EXPECT_EQ(hub.now() - start, kDelay) << "the hub keeps working";
  EXPECT_THAT(hook.lines, SizeIs(1));
}

// ---- TestExceptionInGreenthread: each greenthread has its own "exception
// being handled" (std::current_exception), kept across switches ----------------

struct KeyError : std::runtime_error {
  KeyError() : std::runtime_error("KeyError") {}
};
struct ValueError : std::runtime_error {
  ValueError() : std::runtime_error("ValueError") {}
};

bool handling(const std::exception_ptr& e, const char* what) {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return std::string(x.what()) == what;
  }
  return false;
}

SIM_TEST(HubTest, TestExceptionpreservation) {
  Event<std::string> gt1event;
  Event<std::string> gt2event;
  auto g1 = spawn([&] {
    try {
      throw KeyError();
    } catch (const KeyError&) {
      gt1event.send("exception");
      gt2event.wait();
      EXPECT_TRUE(handling(std::current_exception(), "KeyError"));
      gt1event.send("test passed");
    }
  });
  auto g2 = spawn([&] {
    gt1event.wait();
    gt1event.reset();
    EXPECT_EQ(std::current_exception(), nullptr);
    try {
      throw ValueError();
    } catch (const ValueError&) {
      gt2event.send("exception");
      gt1event.wait();
      EXPECT_TRUE(handling(std::current_exception(), "ValueError"));
    }
  });
  g1.wait();
  g2.wait();
}

SIM_TEST(HubTest, TestExceptionleaks) {
  Semaphore sem;
  sem.acquire();
  auto g = spawn([&] {
    try {
      throw KeyError();
    } catch (const KeyError&) {
      sem.release();
      Hub::current().switch_out("test");
    }
  });
  sem.acquire();
  EXPECT_EQ(std::current_exception(), nullptr)
      << "g's exception does not leak into main";
  g.kill();
}

// ---- TestHubBlockingDetector --------------------------------------------------
// eventlet raises RuntimeError in the blocking code from a SIGALRM handler;
// here the detector reports from a monitor thread, and (throw_into) raises
// BlockingDetectedError in the offender once it yields.

void BlockDetect(absl::Duration resolution, absl::Duration block) {
  debug::BlockingOptions options;
  options.throw_into = true;
  std::atomic<int> reports{0};
  options.report = [&](const debug::BlockingReport&) { ++reports; };
  debug::hub_blocking_detection(true, resolution, options);
  auto gt = spawn([&] {
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(block));
    sleep();  // the offender's next switch point
  });
  EXPECT_THROW(gt.wait(), debug::BlockingDetectedError);
  debug::hub_blocking_detection(false);
  EXPECT_GE(reports.load(), 1);
}

TEST(HubTest, TestBlockDetect) {
  FreshHub fresh;
  HookReports hook;
  BlockDetect(absl::Seconds(1), absl::Seconds(2));
}

TEST(HubTest, TestBlockDetectWithItimer) {
  FreshHub fresh;
  HookReports hook;
  BlockDetect(absl::Milliseconds(100), absl::Milliseconds(500));
}

// ---- TestSuspend: SIGSTOP + SIGCONT (EINTR in the poll) do not break a
// Timeout around a blocked accept, in a child process ------------------------

TEST(HubTest, TestSuspendDoesntCrash) {
  FreshHub fresh;
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 1;
    try {
      net::Socket l = net::listen(*net::Address::parse("127.0.0.1:0"));
      Timeout t(absl::Milliseconds(500));
      l.accept();
    } catch (const TimeoutExpired&) {
      code = 0;  // exited correctly
    } catch (...) {
      code = 2;
    }
    _exit(code);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(pid, SIGSTOP);
  ::kill(pid, SIGCONT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---- test_repeated_select_bad_fd: a bad fd is a clear error, every time ----

TEST(HubTest, TestRepeatedSelectBadFd) {
  FreshHub fresh;
  for (int i = 0; i < 2; ++i) {
    EXPECT_THROW(Hub::current().trampoline(-1, kRead, absl::Seconds(1)),
                 std::invalid_argument);
  }
  EXPECT_EQ(Hub::current().listener_count(), 0u);
}

// ---- test_fork: a forked child's hub accepts on the parent's listener ------

TEST(HubTest, TestFork) {
  FreshHub fresh;
  net::Socket server = net::listen(*net::Address::parse("127.0.0.1:0"));
  EXPECT_TRUE(with_timeout_or(absl::Milliseconds(10), true, [&] {
    server.accept();
    return false;
  })) << "nobody connects yet";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 1;
    try {
      Timeout t(absl::Seconds(10));
      net::Socket sock = server.accept();
      sock.sendall("ok " + std::to_string(getpid()));
      code = 0;
    } catch (...) {
    }
    _exit(code);
  }
  {
    Timeout t(absl::Seconds(10));
    net::Socket sock = net::connect(server.local_address());
    const std::string data = sock.recv(20);
    EXPECT_EQ(data, "ok " + std::to_string(pid));
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// The child listens on its own socket and tells the parent its port; the
// parent connects; the child reports that accept() returned.
TEST(HubTest, TestForkSimple) {
  FreshHub fresh;
  auto [parent_end, child_end] = net::Socket::pair();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 1;
    try {
      parent_end.close();
      Timeout t(absl::Seconds(10));
      net::Socket s = net::listen(*net::Address::parse("127.0.0.1:0"));
      child_end.sendall(std::to_string(s.local_address().port()) + "\n");
      s.accept();
      child_end.sendall("done\n");
      code = 0;
    } catch (...) {
    }
    _exit(code);
  }
  child_end.close();
  Timeout t(absl::Seconds(10));
  std::string got;
  while (got.find('\n') == std::string::npos) got += parent_end.recv(64);
  const int port = std::stoi(got.substr(0, got.find('\n')));
  got.erase(0, got.find('\n') + 1);
  net::Socket c = net::connect(
      *net::Address::from_ip("127.0.0.1", static_cast<std::uint16_t>(port)));
  while (got.find('\n') == std::string::npos) got += parent_end.recv(64);
  EXPECT_EQ(got, "done\n");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// ---- test_use_hub_class: a hub on a backend of the user's choosing ---------

// eventlet's use_hub(cls) selects the hub's class; here the hub is one class
// and the user chooses its Backend (Hub::install).
class CountingBackend final : public Backend {
 public:
  const char* name() const override { return "counting"; }
  std::int64_t now() override { return inner_.now(); }
  void watch(int fd, std::uint32_t events) override {
    inner_.watch(fd, events);
  }
  void unwatch(int fd) override { inner_.unwatch(fd); }
  void wait(std::int64_t deadline, std::vector<IoReady>* ready) override {
    ++waits;
    inner_.wait(deadline, ready);
  }
  void wake() override { inner_.wake(); }
  int waits = 0;

 private:
  EpollBackend inner_;
};

TEST(HubTest, TestUseHubClass) {
  FreshHub fresh;
  auto backend = std::make_unique<CountingBackend>();
  CountingBackend* counting = backend.get();
  Hub& hub = Hub::install(std::move(backend));
  EXPECT_EQ(&Hub::current(), &hub);
  EXPECT_STREQ(hub.backend().name(), "counting");
  sleep(kDelay);
  EXPECT_GE(counting->waits, 1) << "the hub polls through it";
}

}  // namespace
}  // namespace eventlet
