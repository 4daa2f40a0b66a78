// Copyright 2026 The eventlet-cpp Authors.
//
// http::Url: parsing (schemes, ports, hosts, IPv6 literals, user info,
// paths and queries), the error for each kind of bad input, printing, and
// resolving Location references.
#include "green_net/http/url.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace eventlet::http {
namespace {

TEST(Url, Parses) {
  Url u = Url::parse("http://Example.COM:8080/a/b?x=1#frag");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.target, "/a/b?x=1");
  EXPECT_EQ(u.to_string(), "http://example.com:8080/a/b?x=1");
  EXPECT_EQ(u.authority(), "example.com:8080");

  u = Url::parse("HTTP://127.0.0.1");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.target, "/");
  EXPECT_EQ(u.authority(), "127.0.0.1");
  EXPECT_EQ(Url::parse("http://h?q=1").target, "/?q=1");
  EXPECT_EQ(Url::parse("http://h:/p").port, 80);

  u = Url::parse("http://[::1]:81/x");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.authority(), "[::1]:81");
  EXPECT_EQ(u.to_string(), "http://[::1]:81/x");
  EXPECT_EQ(Url::parse("http://h/caf\xc3\xa9").target, "/caf%C3%A9");

  // https: its own default port, which the authority leaves out.
  u = Url::parse("HTTPS://Example.com/x");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.authority(), "example.com");
  EXPECT_EQ(u.to_string(), "https://example.com/x");
  EXPECT_EQ(Url::parse("https://h:80/").authority(), "h:80");
  EXPECT_EQ(Url::parse("http://h:443/").authority(), "h:443");
}

TEST(Url, BadUrlsHaveClearErrors) {
  struct Case {
    const char* url;
    Errc want;
  };
  const Case cases[] = {
      {"", Errc::kBadUrl},
      {"example.com/x", Errc::kMissingScheme},
      {"localhost:8080/x", Errc::kMissingScheme},
      {"//host/x", Errc::kMissingScheme},
      {"http:/host", Errc::kMissingScheme},
      {"ftp://example.com/", Errc::kUnsupportedScheme},
      {"http:///path", Errc::kEmptyHost},
      {"http://:80/", Errc::kEmptyHost},
      {"http://[]/", Errc::kEmptyHost},
      {"http://host:0/", Errc::kBadPort},
      {"http://host:65536/", Errc::kBadPort},
      {"http://host:99999999999/", Errc::kBadPort},
      {"http://host:8o/", Errc::kBadPort},
      {"http://host:-1/", Errc::kBadPort},
      {"http://a:b:c/", Errc::kBadPort},
      {"http://[::1/", Errc::kBadHost},
      {"http://[::1]x/", Errc::kBadHost},
      {"http://[zz]/", Errc::kBadHost},
      {"http://ho$t/", Errc::kBadHost},
      {"http://user:pw@host/", Errc::kUserInfoNotSupported},
      {"http://host/a b", Errc::kBadUrl},
      {"http://host/a\tb", Errc::kBadUrl},
      {" http://host/", Errc::kBadUrl},
  };
  for (const Case& c : cases) {
    error_code ec;
    Url::parse(c.url, ec);
    EXPECT_EQ(ec, make_error_code(c.want)) << c.url << ": " << ec.message();
  }
  error_code ec;
  Url::parse("ftp://example.com/", ec);
  EXPECT_EQ(ec.message(),
            "unsupported URL scheme (only http:// and https:// are supported)");
  try {
    Url::parse("example.com");
    ADD_FAILURE() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "example.com: no scheme in URL (expected http://host/path)");
  }
}

TEST(Url, ResolvesLocations) {
  const Url base = Url::parse("http://h:81/a/b/c?q=1");
  auto resolve = [&](std::string_view ref) {
    error_code ec;
    Url u = base.resolve(ref, ec);
    return ec ? "error: " + ec.message() : u.to_string();
  };
  EXPECT_EQ(resolve("http://other/x"), "http://other/x");
  EXPECT_EQ(resolve("//other:9/x"), "http://other:9/x");
  EXPECT_EQ(resolve("/x/y"), "http://h:81/x/y");
  EXPECT_EQ(resolve("d"), "http://h:81/a/b/d");
  EXPECT_EQ(resolve("../d?z"), "http://h:81/a/d?z");
  EXPECT_EQ(resolve("../../../../d"), "http://h:81/d");
  EXPECT_EQ(resolve("./"), "http://h:81/a/b/");
  EXPECT_EQ(resolve("?z=2"), "http://h:81/a/b/c?z=2");
  EXPECT_EQ(resolve(""), "http://h:81/a/b/c?q=1");
  EXPECT_EQ(resolve("/x/./y/../z#f"), "http://h:81/x/z");
  EXPECT_EQ(resolve("https://h/"), "https://h/");
  EXPECT_EQ(resolve("ftp://h/"),
            "error: unsupported URL scheme (only http:// and https:// are "
            "supported)");
}

TEST(Url, SchemesAndDefaultPorts) {
  EXPECT_EQ(Url::parse("http://h/").port, 80);
  EXPECT_EQ(Url::parse("https://h/").port, 443);
  EXPECT_EQ(Url::parse("hTTpS://h/").scheme, "https");
  EXPECT_TRUE(Url::parse("https://h/").is_https());
  EXPECT_FALSE(Url::parse("http://h/").is_https());
  // An explicit default port is the same URL as none.
  EXPECT_EQ(Url::parse("http://h:80/"), Url::parse("http://h/"));
  EXPECT_EQ(Url::parse("https://h:443/x").to_string(), "https://h/x");
  EXPECT_EQ(Url::parse("http://h:1/").port, 1);
  EXPECT_EQ(Url::parse("http://h:65535/").port, 65535);
  EXPECT_EQ(Url::parse("http://h:08080/").port, 8080);
}

TEST(Url, Ipv6Literals) {
  Url u = Url::parse("http://[2001:DB8::1]/");
  EXPECT_EQ(u.host, "2001:db8::1");  // lower-case, without brackets
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.authority(), "[2001:db8::1]");
  u = Url::parse("https://[::ffff:192.0.2.1]:8443?q");
  EXPECT_EQ(u.host, "::ffff:192.0.2.1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.target, "/?q");
  EXPECT_EQ(u.to_string(), "https://[::ffff:192.0.2.1]:8443/?q");
  EXPECT_EQ(Url::parse("http://[::1]:/").port, 80);
  // IPv4 literals are names as far as the syntax goes.
  EXPECT_EQ(Url::parse("http://192.0.2.1:81/").authority(), "192.0.2.1:81");
}

TEST(Url, UserInfoIsRefused) {
  for (const char* text :
       {"http://user@host/", "http://user:pw@host/", "http://@host/",
        "https://u@[::1]:8/", "http://host:80@evil/"}) {
    error_code ec;
    const Url u = Url::parse(text, ec);
    EXPECT_EQ(ec, make_error_code(Errc::kUserInfoNotSupported)) << text;
    EXPECT_EQ(u, Url{}) << text;
  }
  // An '@' after the authority is part of the path or query.
  EXPECT_EQ(Url::parse("http://h/a@b?c@d").target, "/a@b?c@d");
}

TEST(Url, PathsQueriesAndFragments) {
  EXPECT_EQ(Url::parse("http://h").target, "/");
  EXPECT_EQ(Url::parse("http://h/").target, "/");
  EXPECT_EQ(Url::parse("http://h/a/b/").target, "/a/b/");
  EXPECT_EQ(Url::parse("http://h/?").target, "/?");
  EXPECT_EQ(Url::parse("http://h?a=1&b=2").target, "/?a=1&b=2");
  EXPECT_EQ(Url::parse("http://h/p?q=/x?y").target, "/p?q=/x?y");
  EXPECT_EQ(Url::parse("http://h/p#frag?not-a-query").target, "/p");
  EXPECT_EQ(Url::parse("http://h#f").target, "/");
  // Dot segments are the server's business; percent escapes are kept.
  EXPECT_EQ(Url::parse("http://h/a/../b/%2F").target, "/a/../b/%2F");
  EXPECT_EQ(Url::parse("http://h/?q=\xe2\x82\xac").target, "/?q=%E2%82%AC");
}

TEST(Url, ThrowingFormNamesTheUrl) {
  try {
    Url::parse("http://h:70000/");
    ADD_FAILURE() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::kBadPort));
    EXPECT_EQ(e.method(), "");
    EXPECT_EQ(e.url(), "http://h:70000/");
    EXPECT_STREQ(e.what(),
                 "http://h:70000/: invalid port in URL (expected 1-65535)");
  }
}

TEST(Url, PrintsAsTextThatParsesBack) {
  for (const char* text : {"http://h", "https://H:8443/a?b#c", "http://[::1]/x",
                           "http://h:80/", "http://h/caf\xc3\xa9?q"}) {
    const Url u = Url::parse(text);
    EXPECT_EQ(Url::parse(u.to_string()), u) << text;
  }
}

}  // namespace
}  // namespace eventlet::http
