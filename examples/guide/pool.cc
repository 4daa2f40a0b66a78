#include <cstdio>
#include <string>
#include <vector>

#include "greenthread/greenthread.h"
#include "pool/green_pile.h"
#include "pool/green_pool.h"

// Pretends to fetch a URL: takes longer for shorter names.
std::string fetch(const std::string& url) {
  eventlet::sleep(absl::Milliseconds(20 - static_cast<int>(url.size())));
  return "<html>" + url + "</html>";
}

int main() {
  std::vector<std::string> urls = {"http://a.example", "http://bb.example",
                                   "http://ccc.example"};
  eventlet::GreenPool pool(200);
  // Results come back lazily, in input order, whatever order they finish in.
  for (const std::string& body : pool.imap(fetch, urls)) {
    std::printf("got body of length %zu\n", body.size());
  }

  // GreenPile: spawn now, collect in spawn order later.
  eventlet::GreenPile<std::string> pile(pool);
  for (const std::string& url : urls) pile.spawn(fetch, url);
  for (const std::string& body : pile) std::printf("pile: %s\n", body.c_str());

  // spawn() parks the caller while the pool is full; waitall() waits for all.
  eventlet::GreenPool two(2);
  for (int i = 0; i < 4; ++i) {
    two.spawn([i] {
      eventlet::sleep(absl::Milliseconds(1));
      return i;
    });
    std::printf("spawned %d\n", i);
    if (i == 1) std::printf("the pool is full: the next spawn() parks main\n");
  }
  two.waitall();
  std::printf("all done: running %zu\n", two.running());
}
