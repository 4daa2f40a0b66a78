// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/http/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace eventlet::http {
namespace {

// Writes all of `data`; false on an error other than EINTR.
bool write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void append_number(std::string& out, std::uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

// The request line's bytes, with what could break the line or its quotes
// escaped as \xHH.
void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

}  // namespace

AccessLog::AccessLog(const std::string& path, std::size_t max_buffered_bytes)
    : max_buffered_bytes_(max_buffered_bytes),
      batch_bytes_(std::min(max_buffered_bytes / 2 + 1, kBatchBytes)) {
  if (max_buffered_bytes_ == 0)
    throw std::invalid_argument("http::AccessLog: max_buffered_bytes is 0");
  if (path == "-") {
    fd_ = STDERR_FILENO;
  } else {
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw std::system_error(errno, std::generic_category(),
                              "http::AccessLog: cannot open " + path);
    }
    owns_fd_ = true;
  }
  writer_ = std::thread([this] { write_loop(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  writer_.join();
  if (owns_fd_) ::close(fd_);
}

bool AccessLog::append(std::string_view line) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_ || pending_.size() + line.size() + 1 > max_buffered_bytes_) {
    ++dropped_;
    return false;
  }
  const std::size_t before = pending_.size();
  pending_.append(line);
  pending_.push_back('\n');
  ++pending_lines_;
  appended_bytes_ += line.size() + 1;
  const bool wake =
      before == 0 || (before < batch_bytes_ && pending_.size() >= batch_bytes_);
  lock.unlock();
  // The writer waits without a deadline while the buffer is empty, then up
  // to kFlushInterval for a batch to gather: wake it at those edges only, so
  // a busy server makes no futex call per line.
  if (wake) wake_writer_.notify_one();
  return true;
}

void AccessLog::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const std::uint64_t target = appended_bytes_;
  if (done_bytes_ >= target) return;
  ++flushing_;
  wake_writer_.notify_one();
  written_.wait(lock, [&] { return done_bytes_ >= target; });
  --flushing_;
}

std::uint64_t AccessLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void AccessLog::write_loop() {
  std::string writing;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_writer_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and all written
    // Let a batch gather (one write(2) for many lines), unless asked now.
    wake_writer_.wait_for(lock, kFlushInterval, [&] {
      return stopping_ || flushing_ > 0 || pending_.size() >= batch_bytes_;
    });
    writing.swap(pending_);
    const std::uint64_t lines = pending_lines_;
    pending_lines_ = 0;
    lock.unlock();
    const bool ok = write_fully(fd_, writing);
    const std::size_t bytes = writing.size();
    writing.clear();
    // Keep a buffer grown by a burst from staying large.
    if (writing.capacity() > 2 * batch_bytes_) std::string().swap(writing);
    lock.lock();
    if (!ok) dropped_ += lines;
    done_bytes_ += bytes;
    written_.notify_all();
  }
}

std::string common_log_time(std::time_t t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  std::tm tm;
  gmtime_r(&t, &tm);
  char text[40];
  const int n =
      std::snprintf(text, sizeof text, "%02d/%s/%04d:%02d:%02d:%02d +0000",
                    tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900,
                    tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(text, n > 0 ? static_cast<std::size_t>(n) : 0);
}

void append_common_log_line(std::string& out, std::string_view host,
                            std::string_view time, std::string_view method,
                            std::string_view target, int version, int status,
                            std::uint64_t body_bytes) {
  out.append(host);
  out.append(" - - [");
  out.append(time);
  out.append("] \"");
  if (method.empty()) {
    out.push_back('-');
  } else {
    append_escaped(out, method);
    out.push_back(' ');
    append_escaped(out, target);
    out.append(version == 10 ? " HTTP/1.0" : " HTTP/1.1");
  }
  out.append("\" ");
  append_number(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  if (body_bytes == 0) {
    out.push_back('-');
  } else {
    append_number(out, body_bytes);
  }
}

}  // namespace eventlet::http
