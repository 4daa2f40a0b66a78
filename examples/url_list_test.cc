// Copyright 2026 The eventlet-cpp Authors.
#include "examples/url_list.h"

#include <cstdio>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::eventlet::examples::kMaxUrlLineBytes;
using ::eventlet::examples::read_url_list;
using ::eventlet::examples::read_url_list_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::StatusOr<std::vector<std::string>> parse(const std::string& text) {
  std::FILE* in = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  EXPECT_NE(in, nullptr);
  auto urls = read_url_list(in, "list");
  std::fclose(in);
  return urls;
}

TEST(UrlList, OneUrlPerLineSkippingBlanksAndComments) {
  auto urls = parse(
      "# my URLs\n"
      "http://a/1\n"
      "\n"
      "   \t\n"
      "  http://b/2  \r\n"
      "  # indented comment\n"
      "http://c/3#frag\n"
      "http://d/4");  // no final newline
  ASSERT_TRUE(urls.ok()) << urls.status();
  EXPECT_THAT(*urls, ElementsAre("http://a/1", "http://b/2", "http://c/3#frag",
                                 "http://d/4"));
}

TEST(UrlList, EmptyInputIsAnEmptyList) {
  auto urls = parse("");
  ASSERT_TRUE(urls.ok());
  EXPECT_THAT(*urls, IsEmpty());
}

TEST(UrlList, RefusesTwoWordsOnALineNamingTheLine) {
  auto urls = parse("http://a/\n\nhttp://b/ http://c/\n");
  ASSERT_FALSE(urls.ok());
  EXPECT_EQ(urls.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(urls.status().message()),
              HasSubstr("list:3: whitespace or a control character"));
}

TEST(UrlList, RefusesControlCharacters) {
  auto urls = parse(std::string("http://a/\0b\n", 12));
  ASSERT_FALSE(urls.ok());
  EXPECT_THAT(std::string(urls.status().message()), HasSubstr("list:1: "));
}

TEST(UrlList, BoundsTheLineLength) {
  const std::string longest =
      "http://a/" + std::string(kMaxUrlLineBytes - 9, 'x');
  auto ok = parse(longest + "\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->at(0).size(), kMaxUrlLineBytes);
  auto too_long = parse("http://a/\n" + longest + "y\n");
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(std::string(too_long.status().message()),
              HasSubstr("list:2: line longer than 8192 bytes"));
}

TEST(UrlList, ReadsAFileAndNamesOneThatCannotBeOpened) {
  const std::string path = ::testing::TempDir() + "/urls.txt";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("http://x/\n# no\nhttp://y/\n", f);
  std::fclose(f);
  auto urls = read_url_list_file(path);
  ASSERT_TRUE(urls.ok()) << urls.status();
  EXPECT_THAT(*urls, ElementsAre("http://x/", "http://y/"));

  auto missing = read_url_list_file(::testing::TempDir() + "/no/such/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("cannot open "));
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("No such file or directory"));
}

TEST(UrlList, ADirectoryIsAReadError) {
  auto urls = read_url_list_file(::testing::TempDir());
  ASSERT_FALSE(urls.ok());
  EXPECT_THAT(std::string(urls.status().message()),
              HasSubstr("Is a directory"));
}

}  // namespace
