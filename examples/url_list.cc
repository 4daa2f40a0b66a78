// Copyright 2026 The eventlet-cpp Authors.
#include "examples/url_list.h"

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"

namespace eventlet::examples {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Reads one line (without its "\n") into `line`, keeping at most
// kMaxUrlLineBytes + 1 bytes of it. Returns false at the end of input (or
// on a read error) with nothing read.
bool read_line(std::FILE* in, std::string& line) {
  line.clear();
  bool any = false;
  for (int c = std::getc(in); c != EOF; c = std::getc(in)) {
    any = true;
    if (c == '\n') return true;
    if (line.size() <= kMaxUrlLineBytes) line.push_back(static_cast<char>(c));
  }
  return any;
}

absl::Status line_error(std::string_view name, std::size_t number,
                        std::string_view what) {
  return absl::InvalidArgumentError(std::string(name) + ":" +
                                    std::to_string(number) + ": " +
                                    std::string(what));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> read_url_list(std::FILE* in,
                                                       std::string_view name) {
  std::vector<std::string> urls;
  std::string line;
  for (std::size_t number = 1; read_line(in, line); ++number) {
    if (line.size() > kMaxUrlLineBytes) {
      return line_error(
          name, number,
          "line longer than " + std::to_string(kMaxUrlLineBytes) + " bytes");
    }
    std::string_view url = line;
    while (!url.empty() && is_blank(url.front())) url.remove_prefix(1);
    while (!url.empty() && is_blank(url.back())) url.remove_suffix(1);
    if (url.empty() || url.front() == '#') continue;
    for (unsigned char c : url) {
      if (c <= 0x20 || c == 0x7f) {
        return line_error(name, number,
                          "whitespace or a control character inside the "
                          "URL (one URL per line; percent-encode it)");
      }
    }
    if (urls.size() == kMaxUrls) {
      return line_error(name, number,
                        "more than " + std::to_string(kMaxUrls) + " URLs");
    }
    urls.emplace_back(url);
  }
  if (std::ferror(in)) {
    return absl::InvalidArgumentError(std::string(name) + ": " +
                                      std::strerror(errno));
  }
  return urls;
}

absl::StatusOr<std::vector<std::string>> read_url_list_file(
    const std::string& path) {
  if (path == "-") return read_url_list(stdin, "stdin");
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return absl::InvalidArgumentError("cannot open " + path + ": " +
                                      std::strerror(errno));
  }
  auto urls = read_url_list(file, path);
  std::fclose(file);
  return urls;
}

}  // namespace eventlet::examples
