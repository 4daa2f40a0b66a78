// Copyright 2026 The eventlet-cpp Authors.
#include "examples/page_server.h"

#include <string>

#include "gtest/gtest.h"
#include "hub/hub.h"

namespace eventlet::examples {
namespace {

http::Response get(const std::string& target) {
  http::Request request;
  request.method = "GET";
  request.target = target;
  return serve_page(request);
}

TEST(PageServer, PagesOfTheAskedSize) {
  http::Response r = get("/page/7?size=20");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "page 7\n.............");
  EXPECT_EQ(get("/page/1").body.size(), 1024u);
  EXPECT_EQ(get("/page/1?size=1048576").body.size(), 1048576u);
  EXPECT_EQ(get("/other").status, 404);
}

TEST(PageServer, SizeIsCapped) {
  for (const char* target :
       {"/page/1?size=1048577", "/page/1?size=67108864",
        "/page/1?size=99999999999999999999999", "/page/1?size=-1",
        "/page/1?size=", "/page/1?size=1k", "/page/1?delay_ms=60001"}) {
    const http::Response r = get(target);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_TRUE(r.body.find("from 0 to") != std::string::npos) << r.body;
  }
  Hub::destroy_current();
}

}  // namespace
}  // namespace eventlet::examples
