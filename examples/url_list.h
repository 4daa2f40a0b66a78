// Copyright 2026 The eventlet-cpp Authors.
//
// url_list.h: the fetch demo's URL lists (--urls_file=PATH, "-" for stdin).
//
//   absl::StatusOr<std::vector<std::string>> urls = read_url_list_file(path);
//   if (!urls.ok()) { print urls.status().message(); exit 2; }
//
// Format: one URL per line ("\n" or "\r\n"). Leading and trailing spaces and
// tabs are dropped; lines then empty, or starting with '#', are ignored. A
// line is refused (the whole list fails, naming the file and line number) if
// it is longer than kMaxUrlLineBytes or holds a space, tab or other control
// character inside the URL (a URL never does: percent-encode it). Nothing
// else is checked here: a URL that does not parse fails when fetched, as one
// given on the command line does.
//
// Bounds: a line is read up to kMaxUrlLineBytes + 1 bytes (the rest of a
// longer line is never stored); a list of more than kMaxUrls URLs is refused.
// Reading blocks the calling OS thread (the demo reads its list before it
// starts fetching).
#ifndef EVENTLET_EXAMPLES_URL_LIST_H_
#define EVENTLET_EXAMPLES_URL_LIST_H_

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace eventlet::examples {

inline constexpr std::size_t kMaxUrlLineBytes = 8192;
inline constexpr std::size_t kMaxUrls = 1'000'000;

// Reads a list from `in` to its end (not closing it); `name` names it in
// error messages ("urls.txt", "stdin"). Errors (absl::InvalidArgumentError):
// "NAME:LINE: ..." for a bad line, "NAME: <errno text>" for a read error.
absl::StatusOr<std::vector<std::string>> read_url_list(std::FILE* in,
                                                       std::string_view name);

// Reads the list in the file at `path`, or stdin for "-". A file that cannot
// be opened or read is an error naming it and the reason (errno's text).
absl::StatusOr<std::vector<std::string>> read_url_list_file(
    const std::string& path);

}  // namespace eventlet::examples

#endif  // EVENTLET_EXAMPLES_URL_LIST_H_
