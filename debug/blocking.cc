// Copyright 2026 The eventlet-cpp Authors.
//
// The blocking monitor thread, its stack-capturing signal, and the dump
// signal's thread.
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "debug/debug.h"
#include "debug/internal/hub_debug.h"
#include "debug/internal/stacks.h"
#include "hub/hub.h"

namespace eventlet::debug {
namespace internal {
namespace {

// ---- The stack-capturing signal ----
//
// One capture at a time (the monitor thread is the only requester). The
// handler runs on the hub's thread and does only async-signal-safe things:
// compare pthread_self(), absl::GetStackTrace into a static buffer, atomics.

enum CaptureState : int { kIdle, kRequested, kDone };
struct Capture {
  std::atomic<int> state{kIdle};
  pthread_t target{};
  const std::atomic<std::uint64_t>* progress = nullptr;
  std::uint64_t progress_at_capture = 0;
  int depth = 0;
  void* pcs[64];
};
Capture g_capture;
struct sigaction g_old_capture_action;
int g_capture_signal = 0;  // installed signal, 0: none

void capture_handler(int sig, siginfo_t* info, void* ucontext) {
  const int saved_errno = errno;
  if (g_capture.state.load(std::memory_order_acquire) == kRequested &&
      pthread_equal(pthread_self(), g_capture.target)) {
    // glibc's backtrace() unwinds with the DWARF call-frame information,
    // which describes the signal trampoline and frame-pointer-less libc code
    // (a leaf interrupted in a system call), where Abseil's frame-pointer
    // walk loses the interrupted function. It was called once at
    // installation, so libgcc_s is loaded and it allocates nothing here.
    g_capture.depth = ::backtrace(g_capture.pcs, 64);
    g_capture.progress_at_capture =
        g_capture.progress->load(std::memory_order_relaxed);
    g_capture.state.store(kDone, std::memory_order_release);
  } else if ((g_old_capture_action.sa_flags & SA_SIGINFO) &&
             g_old_capture_action.sa_sigaction != nullptr) {
    g_old_capture_action.sa_sigaction(sig, info, ucontext);
  } else if (g_old_capture_action.sa_handler != SIG_DFL &&
             g_old_capture_action.sa_handler != SIG_IGN &&
             g_old_capture_action.sa_handler != nullptr) {
    g_old_capture_action.sa_handler(sig);
  }
  errno = saved_errno;
}

void install_capture_signal(int sig) {
  if (g_capture_signal == sig) return;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = capture_handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  void* warm_up[4];
  ::backtrace(warm_up, 4);  // loads libgcc_s outside the handler
  ::sigaction(sig, &sa, &g_old_capture_action);
  g_capture_signal = sig;
}

void uninstall_capture_signal() {
  if (g_capture_signal == 0) return;
  ::sigaction(g_capture_signal, &g_old_capture_action, nullptr);
  g_capture_signal = 0;
}

// Asks `w`'s thread for its stack; waits up to 100 ms.
std::vector<std::string> capture_stack_of(const Watch& w) {
  install_capture_signal(w.options.stack_signal);
  g_capture.target = w.thread;
  g_capture.progress = &w.progress;
  g_capture.depth = 0;
  g_capture.state.store(kRequested, std::memory_order_release);
  if (::pthread_kill(w.thread, w.options.stack_signal) != 0) {
    g_capture.state.store(kIdle);
    return {};
  }
  const std::int64_t give_up = monotonic_ns() + 100'000'000;
  while (g_capture.state.load(std::memory_order_acquire) != kDone) {
    if (monotonic_ns() > give_up) {
      g_capture.state.store(kIdle);
      return {"(no answer from the thread within 100 ms)"};
    }
    ::usleep(200);
  }
  // Drop the handler and the signal trampoline (x86-64's __restore_rt:
  // mov $15, %rax; syscall — glibc does not export its name).
  int first = 0;
  static constexpr unsigned char kRestorer[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00,
                                                0x00, 0x00, 0x0f, 0x05};
  for (int i = 0; i < std::min(g_capture.depth, 4); ++i) {
    if (std::memcmp(g_capture.pcs[i], kRestorer, sizeof kRestorer) == 0) {
      first = i + 1;
      break;
    }
  }
  // Frames after the trampoline are exact PCs, not return addresses: the
  // first is the interrupted instruction.
  std::vector<std::string> frames =
      symbolize(g_capture.pcs + first, g_capture.depth - first);
  g_capture.state.store(kIdle);
  // Drop the outer plumbing (greenlet entry, thread start-up); inner
  // eventlet frames stay (a callback blocks inside the hub).
  while (frames.size() > 1 && is_library_frame(frames.back()))
    frames.pop_back();
  return frames;
}

// "running", "in syscall 230 (clock_nanosleep)"...
std::string kernel_state(long tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const std::size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return "?";
  const char state = line[paren + 2];
  if (state == 'R') return "running (on CPU or runnable)";
  std::ifstream sc("/proc/self/task/" + std::to_string(tid) + "/syscall");
  long nr = -1;
  sc >> nr;
  std::string name;
  switch (nr) {
    case SYS_nanosleep:
      name = " (nanosleep)";
      break;
    case SYS_clock_nanosleep:
      name = " (clock_nanosleep)";
      break;
    case SYS_read:
      name = " (read)";
      break;
    case SYS_write:
      name = " (write)";
      break;
    case SYS_futex:
      name = " (futex: a mutex or condition variable)";
      break;
    case SYS_poll:
      name = " (poll)";
      break;
    case SYS_epoll_wait:
      name = " (epoll_wait)";
      break;
    case SYS_connect:
      name = " (connect)";
      break;
    default:
      break;
  }
  std::string s = state == 'D' ? "blocked in the kernel (uninterruptible)"
                               : "sleeping in the kernel";
  if (nr >= 0) s += ", syscall " + std::to_string(nr) + name;
  return s;
}

// ---- The monitor ----

class Monitor {
 public:
  static Monitor& get() {
    static Monitor* m = new Monitor;  // never destroyed (detached use)
    return *m;
  }

  void add(std::shared_ptr<Watch> w) {
    std::unique_lock lock(mu_);
    watches_.push_back(std::move(w));
    if (!running_) {
      if (thread_.joinable()) {
        lock.unlock();
        thread_.join();
        lock.lock();
      }
      running_ = true;
      stop_ = false;
      thread_ = std::thread([this] { run(); });
    }
    cv_.notify_all();
  }

  void remove(const std::shared_ptr<Watch>& w) {
    std::unique_lock lock(mu_);
    std::erase(watches_, w);
    if (watches_.empty() && running_) {
      stop_ = true;
      cv_.notify_all();
      std::thread t = std::move(thread_);
      lock.unlock();
      if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    }
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      absl::Duration tick = absl::Seconds(1);
      for (const auto& w : watches_) tick = std::min(tick, w->resolution / 2);
      tick = std::max(tick, absl::Milliseconds(1));
      cv_.wait_for(lock, absl::ToChronoNanoseconds(tick));
      if (stop_) break;
      const std::int64_t now = monotonic_ns();
      for (const auto& w : watches_) sample(*w, now);
    }
    if (g_capture_signal != 0) uninstall_capture_signal();
    running_ = false;
  }

  void sample(Watch& w, std::int64_t now) {
    report_missed(w);
    const std::uint64_t p = w.progress.load(std::memory_order_acquire);
    const bool idle = w.idle.load(std::memory_order_relaxed);
    if (idle || p != w.last_progress) {
      // The hub moved on at its latest bump (in the poll: by now at most).
      // A later bump read here only makes the new episode look shorter.
      const std::int64_t moved =
          idle ? now : w.progress_ns.load(std::memory_order_relaxed);
      if (w.reported) {
        BlockingReport done = w.last;
        done.released = true;
        done.held = absl::Nanoseconds(moved - w.since_ns);
        done.stack.clear();
        emit(w, done);
      }
      w.last_progress = p;
      w.since_ns = moved;
      w.reported = false;
      if (idle) return;
    }
    if (w.reported || now - w.since_ns < absl::ToInt64Nanoseconds(w.resolution))
      return;
    w.reported = true;
    BlockingReport r;
    r.who = w.who_runs(&r.greenthread_id);
    r.resolution = w.resolution;
    r.thread_id = w.tid;
    r.kernel_state = kernel_state(w.tid);
    if (w.options.capture_stack) {
      r.stack = capture_stack_of(w);
      if (g_capture.progress_at_capture != p) {
        r.stack.insert(r.stack.begin(),
                       "(the hub moved on meanwhile: this stack may be of "
                       "someone else)");
      }
    }
    r.held = absl::Nanoseconds(now - w.since_ns);
    w.last = r;
    emit(w, r);
    if (w.options.throw_into && r.greenthread_id > 0) {
      const std::int64_t id = r.greenthread_id;
      const std::string message = "Blocking detector ALARMED: " + r.who +
                                  " held the hub for " +
                                  absl::FormatDuration(r.held);
      w.mailbox->post([id, message] {
        Hub& hub = Hub::current();
        Greenlet* victim = nullptr;
        hub.for_each_greenlet([&](const Greenlet& g) {
          if (g.id() == id && g.state() == GreenletState::kSuspended)
            victim = const_cast<Greenlet*>(&g);
        });
        if (victim != nullptr) {
          hub.throw_into(
              *victim, std::make_exception_ptr(BlockingDetectedError(message)));
        }
      });
    }
  }

  // Episodes of `resolution` or more that ended before this thread could
  // report them (it did not get the CPU meanwhile): reported now, both
  // reports at once, without a stack (the hub has moved on).
  void report_missed(Watch& w) {
    std::deque<Watch::Missed> missed;
    {
      std::lock_guard lock(w.missed_mu);
      missed.swap(w.missed);
    }
    for (const Watch::Missed& m : missed) {
      if (w.reported && w.last_progress == m.progress) continue;  // seen live
      BlockingReport r;
      r.greenthread_id = m.id;
      r.who = m.who;
      r.held = absl::Nanoseconds(m.held_ns);
      r.resolution = w.resolution;
      r.thread_id = w.tid;
      r.kernel_state =
          "not sampled (over before the monitor thread could look)";
      emit(w, r);
      r.released = true;
      emit(w, r);
    }
  }

  void emit(const Watch& w, const BlockingReport& r) {
    if (w.options.report) {
      w.options.report(r);
    } else {
      const std::string text = format_blocking_report(r);
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Watch>> watches_;
  std::thread thread_;
  bool running_ = false;
  bool stop_ = false;
};

// ---- The hub registry (for the dump signal) ----

std::mutex g_registry_mu;
std::vector<std::weak_ptr<Registered>>& registry() {
  static auto* r = new std::vector<std::weak_ptr<Registered>>;
  return *r;
}

}  // namespace

void monitor_add(std::shared_ptr<Watch> watch) {
  Monitor::get().add(std::move(watch));
}
void monitor_remove(const std::shared_ptr<Watch>& watch) {
  Monitor::get().remove(watch);
}

void register_hub(const std::shared_ptr<Registered>& entry) {
  std::lock_guard lock(g_registry_mu);
  auto& r = registry();
  std::erase_if(r, [](const auto& w) { return w.expired(); });
  r.push_back(entry);
}

void registry_set_watch(const std::shared_ptr<Registered>& entry,
                        std::shared_ptr<Watch> watch) {
  std::lock_guard lock(g_registry_mu);
  entry->watch = std::move(watch);
}

}  // namespace internal

// ---- Blocking detection ----

void hub_blocking_detection(bool on, absl::Duration resolution,
                            BlockingOptions options) {
  internal::HubDebug& d = internal::HubDebug::get();
  if (d.watch) {
    internal::monitor_remove(d.watch);
    internal::registry_set_watch(d.registered, nullptr);
    d.watch = nullptr;
  }
  if (on) {
    auto w = std::make_shared<internal::Watch>();
    w->thread = ::pthread_self();
    w->tid = static_cast<long>(::gettid());
    w->mailbox = d.hub().mailbox();
    w->resolution = std::max(resolution, absl::Milliseconds(2));
    w->options = std::move(options);
    w->set_running(d.hub().current_greenlet());
    w->progress_ns.store(internal::monotonic_ns(), std::memory_order_relaxed);
    d.watch = w;
    internal::registry_set_watch(d.registered, w);
    d.update();
    internal::monitor_add(std::move(w));
  } else {
    d.update();
  }
}

std::string format_blocking_report(const BlockingReport& r) {
  char head[512];
  if (r.released) {
    std::snprintf(head, sizeof head,
                  "eventlet.debug: %s released the hub of thread %ld after "
                  "about %.1f ms\n",
                  r.who.c_str(), r.thread_id,
                  absl::ToDoubleMilliseconds(r.held));
    return head;
  }
  std::snprintf(head, sizeof head,
                "eventlet.debug: BLOCKING: %s has held the hub of thread %ld "
                "for %.1f ms (resolution %.1f ms); thread: %s\n",
                r.who.c_str(), r.thread_id, absl::ToDoubleMilliseconds(r.held),
                absl::ToDoubleMilliseconds(r.resolution),
                r.kernel_state.c_str());
  std::string out = head;
  if (!r.stack.empty()) {
    out += "  stack of the hub's thread (innermost first):\n";
    out += internal::format_frames(r.stack, 4);
  }
  return out;
}

// ---- Dump signal ----

namespace {

int g_dump_pipe[2] = {-1, -1};
int g_dump_signal = 0;
struct sigaction g_old_dump_action;
std::thread* g_dump_thread = nullptr;
absl::Duration g_answer_timeout;

void dump_handler(int) {
  const int saved_errno = errno;
  const char byte = 'd';
  [[maybe_unused]] ssize_t n = ::write(g_dump_pipe[1], &byte, 1);
  errno = saved_errno;
}

struct Answer {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::string text;
};

void write_stderr(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

void dump_all_hubs() {
  std::vector<std::shared_ptr<internal::Registered>> hubs;
  {
    std::lock_guard lock(internal::g_registry_mu);
    for (const auto& w : internal::registry()) {
      if (auto e = w.lock(); e && e->mailbox) hubs.push_back(e);
    }
  }
  write_stderr("==== eventlet.debug dump: " + std::to_string(hubs.size()) +
               " hub(s) ====\n");
  for (const auto& e : hubs) {
    std::shared_ptr<internal::Watch> watch;
    {
      std::lock_guard lock(internal::g_registry_mu);
      watch = e->watch;
    }
    auto answer = std::make_shared<Answer>();
    const bool posted = e->mailbox->post([answer] {
      std::string text = format_all();
      std::lock_guard lock(answer->mu);
      answer->text = std::move(text);
      answer->done = true;
      answer->cv.notify_all();
    });
    std::string head =
        "---- hub of thread " + std::to_string(e->tid) + " ----\n";
    if (!posted) {
      write_stderr(head + "(gone)\n");
      continue;
    }
    std::unique_lock lock(answer->mu);
    if (answer->cv.wait_for(lock, absl::ToChronoNanoseconds(g_answer_timeout),
                            [&] { return answer->done; })) {
      write_stderr(head + answer->text);
    } else {
      std::string s = head + "(no answer within " +
                      absl::FormatDuration(g_answer_timeout) +
                      ": the hub is held by ";
      if (watch) {
        std::int64_t id;
        s += watch->who_runs(&id);
      } else {
        s += "someone (turn on hub_blocking_detection to know who)";
      }
      s += ")\n";
      write_stderr(s);
    }
  }
  write_stderr("==== end of dump ====\n");
}

void dump_thread_main() {
  char byte;
  for (;;) {
    const ssize_t n = ::read(g_dump_pipe[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == 'q') return;
    dump_all_hubs();
  }
}

}  // namespace

void install_dump_signal(int signal, absl::Duration answer_timeout) {
  uninstall_dump_signal();
  internal::HubDebug::get();  // registers this thread's hub
  g_answer_timeout = answer_timeout;
  if (::pipe2(g_dump_pipe, O_CLOEXEC) != 0) return;
  g_dump_thread = new std::thread(dump_thread_main);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = dump_handler;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  ::sigaction(signal, &sa, &g_old_dump_action);
  g_dump_signal = signal;
}

void uninstall_dump_signal() {
  if (g_dump_signal == 0) return;
  ::sigaction(g_dump_signal, &g_old_dump_action, nullptr);
  g_dump_signal = 0;
  const char q = 'q';
  [[maybe_unused]] ssize_t n = ::write(g_dump_pipe[1], &q, 1);
  g_dump_thread->join();
  delete g_dump_thread;
  g_dump_thread = nullptr;
  ::close(g_dump_pipe[0]);
  ::close(g_dump_pipe[1]);
  g_dump_pipe[0] = g_dump_pipe[1] = -1;
}

}  // namespace eventlet::debug
