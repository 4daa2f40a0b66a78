// Copyright 2026 The eventlet-cpp Authors.
//
// tpool.h: run blocking calls on native threads (eventlet.tpool).
//
//   std::string text = eventlet::tpool::execute(read_whole_file, path);
//
// execute() hands the call to a pool of native worker threads and parks only
// the calling greenthread; the hub keeps running the others. When the call
// returns, the worker wakes the hub through its Mailbox (the backend's
// cross-thread wake) and the caller resumes with the result, or with the
// exception the call threw.
//
// Pool size: EVENTLET_THREADPOOL_SIZE from the environment, else 20 (eventlet's
// default); set_num_threads() changes it (taking effect at the next start).
// Idle workers do not keep the process alive: at exit they are left parked.
// Workers start on first use. killall() stops them: calls not yet started fail
// with tpool::Killed, running ones finish first; it waits for the workers at
// most `grace` and then detaches stragglers stuck in a call, so it never hangs
// (eventlet #989). execute() after killall() starts a fresh pool.
//
// A caller killed while its call runs leaves the call running to completion
// (native threads cannot be interrupted); its result is dropped. The function
// and its arguments are moved to the worker thread: they must be safe to use
// there (no greenthread primitives inside). The worker destroys them before
// the caller resumes: once execute() returns or throws, the call holds no
// reference to anything it was given (a call dropped by killall() releases
// them when killall() returns), nor to the exception it threw once the
// caller's handler is done with it.
#ifndef EVENTLET_TPOOL_TPOOL_H_
#define EVENTLET_TPOOL_TPOOL_H_

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"
#include "hub/internal/hub_access.h"

namespace eventlet::tpool {

// A call that killall() dropped before a worker started it.
class Killed : public std::runtime_error {
 public:
  Killed()
      : std::runtime_error(
            "tpool: the thread pool was killed before the call ran") {}
};

void set_num_threads(std::size_t n);
std::size_t num_threads();
// eventlet's tpool.QUIET = false: when on, an exception thrown by a call is
// also printed on stderr by the worker thread ("eventlet.tpool: call raised
// <type>: <what>") before it travels back to the caller. Default off.
// Thread-safe.
void set_print_exceptions(bool on);
bool print_exceptions();
// Stops and joins the workers (see above). Thread-safe.
void killall(absl::Duration grace = absl::Seconds(5));

namespace internal {

// One call's state, shared by the caller (on its hub's thread) and a worker.
// The worker writes the outcome, then posts to the caller's hub; the hub
// thread reads it only after that post, so the mailbox's lock orders them.
template <typename R>
struct Call {
  std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> result;
  std::exception_ptr error;
  bool done = false;                      // hub thread only
  eventlet::internal::WaitQueue waiters;  // hub thread only
};

// Prints a call's exception for set_print_exceptions(true).
void print_exception(std::exception_ptr error);

// Queues `job` for a worker (starting workers if needed). `cancel` runs
// instead of `job` if killall() drops it first. Thread-safe.
void submit(absl::AnyInvocable<void()> job, absl::AnyInvocable<void()> cancel);

}  // namespace internal

// Runs f(args...) on a worker thread and returns its result (or rethrows its
// exception) in the calling greenthread. Blocking: parks the caller only.
// Throws HubUsageError from the hub greenlet, tpool::Killed if killall()
// dropped the call.
template <typename F, typename... Args>
auto execute(F&& f, Args&&... args) {
  using R = eventlet::internal::SpawnResult<F, Args...>;
  Hub& hub = Hub::current();
  if (hub.in_hub_greenlet()) {
    throw HubUsageError("do not call blocking functions from the mainloop");
  }
  auto call = std::make_shared<internal::Call<R>>();
  std::shared_ptr<Mailbox> mailbox = hub.mailbox();
  auto finish = [call, mailbox] {
    mailbox->post([call] {
      call->done = true;
      if (!call->waiters.empty())
        eventlet::internal::HubAccess::wake_all(Hub::current(), call->waiters);
    });
  };
  internal::submit(
      [call, finish,
       fn = eventlet::internal::bind_call(
           std::forward<F>(f), std::forward<Args>(args)...)]() mutable {
        {
          // Taken out of the job so that the function and its arguments are
          // destroyed here, before the caller is woken.
          auto run = std::move(fn);
          try {
            if constexpr (std::is_void_v<R>) {
              std::move(run)();
              call->result.emplace(true);
            } else {
              call->result.emplace(std::move(run)());
            }
          } catch (...) {
            call->error = std::current_exception();
            if (print_exceptions()) internal::print_exception(call->error);
          }
        }
        finish();
      },
      [call, finish] {
        call->error = std::make_exception_ptr(Killed());
        finish();
      });
  while (!call->done)
    eventlet::internal::HubAccess::wait_in(hub, call->waiters, std::nullopt,
                                           "tpool::execute");
  // Moved out, so the exception lives only as long as the caller's handling.
  if (call->error) std::rethrow_exception(std::exchange(call->error, nullptr));
  if constexpr (!std::is_void_v<R>) return std::move(*call->result);
}

}  // namespace eventlet::tpool

#endif  // EVENTLET_TPOOL_TPOOL_H_
