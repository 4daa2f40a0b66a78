// Copyright 2026 The eventlet-cpp Authors.
//
// errors.h: the exceptions the hub and greenthreads raise, and a helper to
// describe any exception for reports.
#ifndef EVENTLET_HUB_ERRORS_H_
#define EVENTLET_HUB_ERRORS_H_

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace eventlet {

// Thrown into a greenthread by kill() (unless another exception is given). A
// greenthread may catch it and return normally; if it escapes, wait() rethrows
// it and the hub does not report it. Deliberately not a std::exception, so
// `catch (const std::exception&)` in user code does not swallow a kill.
class GreenletExit {
 public:
  const char* what() const noexcept { return "GreenletExit"; }
};

// Thrown into a greenthread when a Timeout (greenthread/timeout.h) expires.
// Like GreenletExit it is not a std::exception, so a broad
// `catch (const std::exception&)` does not swallow it (eventlet's Timeout is a
// BaseException for the same reason). `source()` identifies the Timeout.
class TimeoutExpired {
 public:
  TimeoutExpired(const void* source, std::string description)
      : source_(source), description_(std::move(description)) {}
  const void* source() const { return source_; }
  const char* what() const noexcept { return description_.c_str(); }

 private:
  const void* source_;
  std::string description_;
};

// eventlet's SystemExit: a fatal exception (Hub::add_fatal_exception_type).
// Escaping a greenthread or a callback, it is not reported to the exception
// hook: the hub raises it in the main greenlet at its current switch point,
// as eventlet's hub re-raises SystemExit and KeyboardInterrupt in main. Not a
// std::exception, so broad `catch (const std::exception&)` blocks let it pass.
class SystemExit {
 public:
  explicit SystemExit(int code = 0) : code_(code) {}
  int code() const { return code_; }
  const char* what() const noexcept { return "SystemExit"; }

 private:
  int code_;
};

// A blocking call was made from the hub's own greenlet (a timer or listener
// callback). The messages are eventlet's.
class HubUsageError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// trampoline() gave up waiting for an fd after its timeout.
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("timed out") {}
};

// The fd a greenthread was waiting on was closed (Hub::notify_close).
class IOClosed : public std::runtime_error {
 public:
  explicit IOClosed(int fd)
      : std::runtime_error("Operation on closed file (fd " +
                           std::to_string(fd) + ")"),
        fd_(fd) {}
  int fd() const { return fd_; }

 private:
  int fd_;
};

// "TypeName: what()" for any exception_ptr; "GreenletExit" for a kill.
std::string describe_exception(std::exception_ptr error);

// True if `error` holds a GreenletExit.
bool is_greenlet_exit(std::exception_ptr error);

}  // namespace eventlet

#endif  // EVENTLET_HUB_ERRORS_H_
