// Copyright 2026 The eventlet-cpp Authors.
//
// url_fuzzer: http::Url::parse and Url::resolve. The input is a URL, then
// optionally a newline and a reference (a Location header's value) resolved
// against it.
//
// Checked besides crashes: a parsed URL, and a resolved one, print as text
// that parses back to the same Url (so what the client sends and reuses is
// what it parsed).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "green_net/http/url.h"

namespace {

using eventlet::http::error_code;
using eventlet::http::Url;

void check_round_trip(const Url& url, const char* what) {
  const std::string text = url.to_string();
  error_code ec;
  const Url again = Url::parse(text, ec);
  if (ec || again != url) {
    std::fprintf(stderr,
                 "FUZZ FINDING: %s URL \"%s\" does not parse back to itself "
                 "(%s)\n",
                 what, text.c_str(), ec ? ec.message().c_str() : "differs");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view base = input.substr(0, newline);
  error_code ec;
  const Url url = Url::parse(base, ec);
  if (ec) return 0;
  check_round_trip(url, "parsed");
  url.authority();
  if (newline == std::string_view::npos) return 0;
  const Url resolved = url.resolve(input.substr(newline + 1), ec);
  if (!ec) check_round_trip(resolved, "resolved");
  return 0;
}
