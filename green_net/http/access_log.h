// Copyright 2026 The eventlet-cpp Authors.
//
// access_log.h: an HTTP access log in the common log format, written by a
// thread of its own so that the hub never waits for the disk.
//
//   http::AccessLog log("/var/log/app/access.log");   // or "-": stderr
//   http::ServerOptions options;
//   options.access_log = &log;                         // off when null
//   http::Server server(std::move(listener), handler, options);
//
// One line per response the server writes (handler answers and the server's
// own 400/408/413/431/505), in the common log format:
//
//   127.0.0.1 - - [02/Dec/2026:07:03:44 +0000] "GET /page/1?size=512 HTTP/1.1"
//   200 512
//
// host (the peer's address), ident and authuser ("-": never known), the
// time the response was written (UTC), the request line ("-" when the
// server refused a request before or while parsing it), the status, and the
// body bytes sent ("-" for none). Bytes of the request line outside
// printable ASCII, '"' and '\' are written as \xHH (as nginx does), so a
// line is always one line and its quotes balance.
//
// Not blocking: append() copies the line into an in-memory buffer under a
// mutex held only for that copy (the writer thread holds it only to swap
// buffers) and returns; the writer thread writes the buffer with one
// write(2) per batch: once kBatchBytes have gathered, or kFlushInterval
// after the first line of a batch (so a line reaches the file within about
// 100 ms), and sleeps while the buffer is empty. Bound: at most
// max_buffered_bytes wait to be written; a line that does not fit is dropped
// and counted (dropped(), and ServerStats::access_log_dropped), so a slow disk
// costs lines, never the hub's time or unbounded memory. A failed write (disk
// full...) drops the lines it carried, counted the same way.
//
// Threading: append(), flush() and dropped() may be called from any thread;
// several servers (on several hubs) may share one AccessLog.
#ifndef EVENTLET_GREEN_NET_HTTP_ACCESS_LOG_H_
#define EVENTLET_GREEN_NET_HTTP_ACCESS_LOG_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace eventlet::http {

class AccessLog {
 public:
  static constexpr std::size_t kDefaultMaxBufferedBytes = 1 << 20;
  static constexpr std::size_t kBatchBytes = 64 << 10;
  static constexpr std::chrono::milliseconds kFlushInterval{100};

  // Appends to the file at `path` (created with mode 0644 if missing), or
  // writes to stderr for "-". Throws std::system_error if the file cannot
  // be opened, std::invalid_argument if max_buffered_bytes is 0.
  explicit AccessLog(const std::string& path,
                     std::size_t max_buffered_bytes = kDefaultMaxBufferedBytes);
  // Writes what is buffered, stops the writer thread and closes the file:
  // blocks the calling OS thread for those writes (it never parks a
  // greenthread, so it is safe during hub shutdown).
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Queues `line` (without its '\n', which is added). false: the buffer is
  // full (or the log is closing) and the line was dropped. Never waits for
  // I/O.
  bool append(std::string_view line);
  // Blocks the calling OS thread until every line appended before the call
  // has been written (or dropped by a failed write). For tests and for a
  // clean stop; not for a hub's hot path.
  void flush();
  // Lines dropped so far (buffer full, or a failed write).
  std::uint64_t dropped() const;

  std::size_t max_buffered_bytes() const { return max_buffered_bytes_; }

 private:
  void write_loop();

  const std::size_t max_buffered_bytes_;
  // A batch: kBatchBytes, or half the buffer if that is smaller.
  const std::size_t batch_bytes_;
  int fd_ = -1;
  bool owns_fd_ = false;
  mutable std::mutex mu_;
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  // Guarded by mu_.
  std::string pending_;
  std::uint64_t pending_lines_ = 0;
  std::uint64_t appended_bytes_ = 0;  // ever accepted by append()
  std::uint64_t done_bytes_ = 0;      // ever written or dropped by a write
  std::uint64_t dropped_ = 0;
  int flushing_ = 0;  // flush() calls waiting
  bool stopping_ = false;
  std::thread writer_;
};

// "02/Dec/2026:07:03:44 +0000": the common log format's time, in UTC.
std::string common_log_time(std::time_t t);

// Appends one common-log-format line (no '\n') to `out`. `time` is
// common_log_time()'s text; an empty `method` writes the request line as
// "-"; `body_bytes` 0 is written "-".
void append_common_log_line(std::string& out, std::string_view host,
                            std::string_view time, std::string_view method,
                            std::string_view target, int version, int status,
                            std::uint64_t body_bytes);

}  // namespace eventlet::http

#endif  // EVENTLET_GREEN_NET_HTTP_ACCESS_LOG_H_
