// Copyright 2026 The eventlet-cpp Authors.
//
// The access log's writer thread on real files and pipes. A full pipe stands
// for a disk that falls behind: the writer blocks in write(2) while append()
// keeps returning at once and drops what does not fit.
#include "green_net/http/access_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eventlet::http {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

TEST(AccessLog, CommonLogFormat) {
  EXPECT_EQ(common_log_time(0), "01/Jan/1970:00:00:00 +0000");
  EXPECT_EQ(common_log_time(1'796'109'824), "01/Dec/2026:07:23:44 +0000");
  std::string line;
  append_common_log_line(line, "127.0.0.1", "10/Oct/2000:13:55:36 +0000", "GET",
                         "/apache_pb.gif?a=1", 10, 200, 2326);
  EXPECT_EQ(line,
            "127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET "
            "/apache_pb.gif?a=1 HTTP/1.0\" 200 2326");
  line.clear();
  append_common_log_line(line, "::1", "t", "", "", 11, 400, 12);
  EXPECT_EQ(line, "::1 - - [t] \"-\" 400 12");
  line.clear();
  // Quotes, backslashes and bytes outside printable ASCII are escaped.
  append_common_log_line(line, "h", "t", "GET", "/a\"b\\c\xe9", 11, 204, 0);
  EXPECT_EQ(line, "h - - [t] \"GET /a\\x22b\\x5Cc\\xE9 HTTP/1.1\" 204 -");
}

TEST(AccessLog, AppendsLinesToAFile) {
  const std::string path = ::testing::TempDir() + "/access.log";
  ::unlink(path.c_str());
  {
    AccessLog log(path);
    EXPECT_TRUE(log.append("one"));
    EXPECT_TRUE(log.append("two"));
    log.flush();
    EXPECT_EQ(read_file(path), "one\ntwo\n");
    EXPECT_TRUE(log.append("three"));
  }  // the destructor writes what is left
  EXPECT_EQ(read_file(path), "one\ntwo\nthree\n");
  {
    AccessLog again(path);  // appends, never truncates
    again.append("four");
  }
  EXPECT_EQ(read_file(path), "one\ntwo\nthree\nfour\n");
}

TEST(AccessLog, RefusesAPathItCannotOpen) {
  EXPECT_THROW(AccessLog(::testing::TempDir() + "/no/such/dir/log"),
               std::system_error);
  EXPECT_THROW(AccessLog("-", 0), std::invalid_argument);
}

TEST(AccessLog, DropsWhatDoesNotFitWhileTheWriterIsStuck) {
  const std::string fifo = ::testing::TempDir() + "/access.fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  constexpr std::size_t kBound = 4096;
  const std::string line(99, 'x');  // 100 bytes with its '\n'
  std::size_t accepted = 0;
  constexpr std::size_t kLines = 4000;  // 400 KB: more than pipe + buffer
  {
    AccessLog log(fifo, kBound);
    // Nobody reads: the pipe (64 KiB) fills, the writer blocks in write(2),
    // the buffer fills. append() never waits.
    for (std::size_t i = 0; i < kLines; ++i) accepted += log.append(line);
    EXPECT_LT(accepted, kLines);
    EXPECT_EQ(log.dropped(), kLines - accepted);
    // Drain the pipe until everything accepted has come out.
    const int flags = ::fcntl(reader, F_GETFL);
    ::fcntl(reader, F_SETFL, flags & ~O_NONBLOCK);
    std::size_t got = 0;
    char buf[8192];
    while (got < accepted * 100) {
      const ssize_t n = ::read(reader, buf, sizeof buf);
      ASSERT_GT(n, 0);
      got += static_cast<std::size_t>(n);
    }
    log.flush();
    EXPECT_EQ(got, accepted * 100);
    EXPECT_EQ(log.dropped(), kLines - accepted);
  }
  ::close(reader);
  ::unlink(fifo.c_str());
}

}  // namespace
}  // namespace eventlet::http
