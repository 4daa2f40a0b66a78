// Copyright 2026 The eventlet-cpp Authors.
//
// sim_net.h: an in-memory network for simulated hubs. net::Socket (and so
// the HTTP client and server) runs on it unchanged when the hub's backend
// returns it from Backend::network().
//
// Model. Hosts are IP addresses (any; "10.0.0.2", "::1"...). TCP-like stream
// sockets: connect sends a SYN that reaches the listener after the link's
// latency; the listener queues the connection and answers, and the client's
// connect completes one latency later (or fails with ECONNREFUSED when
// nobody listens, or the backlog is full). Bytes written arrive in order, in
// one segment per write, each after latency + a seeded jitter; a FIN follows
// shutdown(SHUT_WR)/close(). UDP-like datagram sockets: each sendto() is a
// datagram that arrives after latency + jitter, or is lost with the link's
// loss probability. A partition between two hosts (one way or both) holds
// stream segments until heal() (TCP would retransmit) and drops datagrams.
// Sender-side buffering is bounded (kWindowBytes in flight and unread per
// connection): write() then fails with EAGAIN until the reader catches up.
//
// Time and determinism: the network reads virtual time from `clock` and
// draws jitter and loss from `rng` (sim::Stream::kNetwork of the run's seed);
// events at equal times are delivered in the order they were sent. A backend
// hosting the network forwards watch()/unwatch() of its sockets, bounds its
// waits by next_delivery(), calls deliver_due(now) after moving its clock, and
// reports collect_ready().
//
// Socket ids start at kFirstSocket (clear of real fds and of SimBackend's
// virtual pairs) and are reused lowest-first, like fd numbers.
//
// Thread-safety: none; one hub thread.
#ifndef EVENTLET_SIM_SIM_NET_H_
#define EVENTLET_SIM_SIM_NET_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "green_net/address.h"
#include "green_net/network.h"
#include "hub/backend.h"
#include "sim/random.h"

namespace eventlet::sim {

struct LinkOptions {
  absl::Duration latency = absl::Microseconds(100);
  absl::Duration jitter = absl::ZeroDuration();  // uniform in [0, jitter]
  double loss = 0;                               // datagrams only
};

// What the network did, for traces (sim/trace.h records these).
struct NetEvent {
  enum class Kind { kSend, kDeliver, kDrop };
  Kind kind;
  std::uint64_t id;  // the packet: the same id on its send and delivery
  const char*
      what;  // "syn", "synack", "refuse", "data", "fin", "rst", "datagram"
  const std::string& from;  // hosts
  const std::string& to;
  std::size_t bytes;  // payload bytes
  std::int64_t at;    // kSend: when it will arrive (kNoDeadline if held)
  // kSend: the jitter drawn for it, in ns (-1: its link has no jitter, no
  // draw). kDrop: why it was lost, "loss" (a draw) or "partition".
  std::int64_t jitter;
  const char* drop_reason;
  // kDeliver: the socket (fd) the packet may make ready and for what
  // (kRead, kWrite or both), or -1 and 0 when it reaches no socket (a
  // connection gone meanwhile, a port nobody listens on). Else -1 and 0.
  int fd = -1;
  std::uint32_t fd_events = 0;
};

// The network's random decisions, one call per draw. By default they come
// from the network's seeded stream; a replay that drives the schedule from a
// trace (sim/decisions.h) substitutes the recorded draws.
class NetworkDraws {
 public:
  virtual ~NetworkDraws() = default;
  // Whether datagram `packet` is lost on a link with loss probability
  // `loss` (0 < loss <= 1).
  virtual bool lose(std::uint64_t packet, double loss) = 0;
  // The extra delay of `packet`, in [0, max_jitter] ns (max_jitter > 0).
  virtual std::int64_t jitter(std::uint64_t packet,
                              std::int64_t max_jitter) = 0;
};
using NetEventListener = std::function<void(const NetEvent&)>;

struct NetStats {
  std::uint64_t segments_sent = 0;
  std::uint64_t segments_delivered = 0;
  std::uint64_t datagrams_dropped = 0;
  std::uint64_t bytes_delivered = 0;
};

class SimNetwork final : public net::Network {
 public:
  static constexpr int kFirstSocket = 1 << 16;
  static constexpr std::size_t kWindowBytes = 1 << 20;

  SimNetwork(std::function<std::int64_t()> clock, Rng rng);
  ~SimNetwork() override;

  // ---- Links and faults (tests and scenarios)
  // --------------------------------
  void set_default_link(const LinkOptions& link) { default_link_ = link; }
  // The link from host `from` to host `to` (one direction).
  void set_link(const std::string& from, const std::string& to,
                const LinkOptions& link);
  // Cuts `from` -> `to` (and back unless one_way) until heal().
  void partition(const std::string& from, const std::string& to,
                 bool one_way = false);
  void heal(const std::string& from, const std::string& to);
  // The host an unbound socket's connect() or sendto() uses (default
  // "10.0.0.1").
  void set_default_host(std::string host) { default_host_ = std::move(host); }
  const NetStats& stats() const { return stats_; }
  // Called for every packet sent, delivered or dropped (null: none).
  void set_event_listener(NetEventListener listener) {
    listener_ = std::move(listener);
  }
  // Takes the loss and jitter draws from `draws` instead of the seeded
  // stream (null: the stream). Not owned; must outlive its use.
  void set_draws(NetworkDraws* draws) { draws_ = draws; }
  // Stops reading the clock (the backend that provided it is going away):
  // time stays where it is for whatever is still sent or closed.
  void freeze_clock();

  // ---- Hosts (sim/host.h)
  // ---------------------------------------------------------
  // Names the host of the code that opens a socket ("" : none), asked once
  // per socket(); a socket of a host uses the host's address where it would
  // use the default host, and for bind() to "0.0.0.0" / "::". Connections
  // accepted by a host's listener belong to its host. Null: no hosts.
  void set_host_of_caller(std::function<std::string()> host_of_caller) {
    host_of_caller_ = std::move(host_of_caller);
  }
  // The host `address` crashed: every socket of the host is reset at once.
  // Each connected (or accepted, not yet accepted) stream sends a reset
  // ("rst") to its peer, which then reads and writes ECONNRESET; no FIN is
  // ever sent; listeners and datagram sockets stop receiving (their
  // addresses are free again). The sockets stay allocated, failing with
  // ECONNRESET, until their owners close() them.
  void crash_host(const std::string& address);

  // ---- For the hosting backend
  // ------------------------------------------------
  bool owns(int s) const;
  void watch(int s, std::uint32_t events);
  void unwatch(int s);
  // Earliest pending delivery (Backend::kNoDeadline if nothing is in flight).
  std::int64_t next_delivery() const;
  // Delivers everything due at `now`.
  void deliver_due(std::int64_t now);
  // Appends watched sockets whose wanted events are ready, by id.
  void collect_ready(std::vector<IoReady>* ready) const;

  // ---- net::Network
  // -------------------------------------------------------------
  int socket(int family, int type, int& err) override;
  int bind(int s, const net::Address& address, int& err) override;
  int listen(int s, int backlog, int& err) override;
  int accept(int s, net::Address* peer, int& err) override;
  int connect(int s, const net::Address& address, int& err) override;
  int connect_error(int s) override;
  long readv(int s, const iovec* iov, int count, int& err) override;
  long peek(int s, void* buffer, std::size_t size, int& err) override;
  long writev(int s, const iovec* iov, int count, int& err) override;
  long recvfrom(int s, void* buffer, std::size_t size, net::Address* from,
                int& err) override;
  long sendto(int s, const void* data, std::size_t size, const net::Address& to,
              int& err) override;
  int shutdown(int s, int how, int& err) override;
  void close(int s) override;
  net::Address local_address(int s) override;
  net::Address peer_address(int s) override;
  int set_option(int s, int level, int name, int value, int& err) override;

 private:
  struct Sock;
  struct Event;
  Sock* find(int s) const;
  int allocate();
  void bind_ephemeral(Sock& sock);
  // The host a socket sends from when it is not bound: its owner's address,
  // or the default host.
  const std::string& source_host(const Sock& sock) const;
  const LinkOptions& link(const std::string& from, const std::string& to) const;
  bool cut(const std::string& from, const std::string& to) const;
  // Schedules delivery of `event` over its from_host -> to_host link, after
  // the link's delay (never before earlier events in that direction).
  void send(Event event);
  void deliver(Event& event);
  // The socket `event` reaches on delivery and the readiness it may give it
  // (NetEvent::fd, fd_events); -1 if none.
  int arrival(const Event& event, std::uint32_t* events) const;
  std::uint32_t readiness(const Sock& sock) const;
  // For a stream socket's reads: 1 if bytes are waiting, else what a read
  // returns now (0 at end of stream, -1 with `err`).
  long stream_read_status(const Sock& sock, int& err) const;

  std::function<std::int64_t()> clock_;
  Rng rng_;
  std::vector<std::unique_ptr<Sock>> socks_;  // index s - kFirstSocket
  std::map<std::string, std::uint16_t> next_port_;
  std::map<std::pair<std::string, std::uint16_t>, int>
      bound_;  // (host, port) -> socket
  std::map<std::pair<std::string, std::string>, LinkOptions> links_;
  std::set<std::pair<std::string, std::string>> cuts_;
  std::multimap<std::pair<std::int64_t, std::uint64_t>, Event> in_flight_;
  std::vector<Event> held_;  // stream events sent across a partition
  std::map<std::pair<std::string, std::string>, std::int64_t> last_delivery_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t packets_ = 0;
  LinkOptions default_link_;
  std::string default_host_ = "10.0.0.1";
  NetStats stats_;
  NetEventListener listener_;
  NetworkDraws* draws_ = nullptr;
  std::function<std::string()> host_of_caller_;
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_SIM_NET_H_
