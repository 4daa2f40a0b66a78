// Copyright 2026 The eventlet-cpp Authors.
#include "green_net/convenience.h"

#include <cerrno>
#include <exception>
#include <memory>
#include <string>

#include "green_net/hub_listeners.h"
#include "green_net/resolver.h"
#include "greenthread/greenthread.h"
#include "hub/hub.h"
#include "pool/green_pool.h"

namespace eventlet::net {

Socket listen(const Address& address, const ListenOptions& options) {
  Socket s = Socket::open(address.family(), SOCK_STREAM);
  if (address.family() != AF_UNIX) {
    if (options.reuse_addr) s.set_reuseaddr(true);
    if (options.reuse_port.value_or(address.port() != 0)) {
      error_code ec;
      s.set_reuseport(true, ec);
      // As eventlet: a platform without SO_REUSEPORT says EINVAL or
      // ENOPROTOOPT, and the socket listens without it.
      if (ec && ec.value() != EINVAL && ec.value() != ENOPROTOOPT)
        throw boost::system::system_error(ec, "setsockopt SO_REUSEPORT");
    }
  }
  s.bind(address);
  s.listen(options.backlog);
  return s;
}

Socket connect(const Address& address, std::optional<absl::Duration> timeout) {
  Socket s = Socket::open(address.family(), SOCK_STREAM);
  s.connect(address, timeout);
  return s;
}

Socket connect(std::string_view host, std::uint16_t port,
               std::optional<absl::Duration> timeout) {
  error_code last = make_error_code(boost::system::errc::host_unreachable);
  for (const Address& address : resolve(host, port)) {
    error_code ec;
    Socket s = Socket::open(address.family(), SOCK_STREAM, ec);
    if (!ec) s.connect(address, ec, timeout);
    if (!ec) return s;
    last = ec;
  }
  throw boost::system::system_error(last, "connect " + std::string(host));
}

void serve(Socket& listener, Handler handler, std::size_t concurrency) {
  serve(listener, std::move(handler), concurrency, {});
}

void serve(Socket& listener, Handler handler, std::size_t concurrency,
           const std::function<void(const GreenPool&)>& before_accept) {
  Hub& hub = Hub::current();
  Greenlet& acceptor = hub.current_greenlet();
  bool stopping = false;
  GreenPool pool(static_cast<std::int64_t>(concurrency));
  absl::Duration backoff = absl::ZeroDuration();
  try {
    for (;;) {
      if (before_accept) before_accept(pool);
      error_code ec;
      Address peer;
      Socket conn = listener.accept(&peer, ec);
      if (ec.value() == EMFILE || ec.value() == ENFILE) {
        if (backoff == absl::ZeroDuration()) {
          hub.report_exception(std::make_exception_ptr(
                                   boost::system::system_error(ec, "accept")),
                               "serve on " +
                                   listener.local_address().to_string() +
                                   " (out of file descriptors; backing off)");
        }
        backoff = backoff == absl::ZeroDuration()
                      ? absl::Milliseconds(10)
                      : std::min(backoff * 2, absl::Seconds(1));
        sleep(backoff);
        continue;
      }
      if (ec) {
        if (ec.value() == ECANCELED || ec.value() == EBADF)
          break;  // listener closed
        hub.report_exception(
            std::make_exception_ptr(boost::system::system_error(ec, "accept")),
            "serve on " + listener.local_address().to_string());
        continue;
      }
      backoff = absl::ZeroDuration();
      pool.spawn_n([&, conn = std::move(conn), peer]() mutable {
        try {
          handler(std::move(conn), peer);
        } catch (const StopServe&) {
          if (!stopping) {
            stopping = true;
            hub.throw_into(acceptor, std::make_exception_ptr(StopServe()));
          }
        } catch (...) {
          hub.report_exception(std::current_exception(),
                               "serve handler for " + peer.to_string());
        }
      });
    }
  } catch (const StopServe&) {
    // A handler asked to stop: let the others finish.
  }
  // An exception (a kill of the acceptor) leaves through here: the pool's
  // destructor then unwinds the handlers, which refer to this frame.
  pool.waitall();
}

void serve(Socket& listener, const Handler& handler,
           const ServeOptions& options) {
  CrossHubEvent<> own_stop;
  CrossHubEvent<>& stop = options.stop != nullptr ? *options.stop : own_stop;
  listen_on_hubs(
      listener, options.hubs, options.backlog, stop,
      [&](int, Socket& l) { serve(l, handler, options.concurrency); },
      [](int, Socket& l) { l.close(); });  // wakes that hub's accept loop
}

}  // namespace eventlet::net
