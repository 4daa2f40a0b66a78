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
// Faults (each off by default; each traced, docs/trace-format.md):
// - Connection resets. reset_connection() / reset_connections() reset stream
//   connections on demand (a test, a crashing host); a link with
//   LinkOptions::reset > 0 resets a connection instead of carrying one of
//   its data segments, with that probability per segment. Either way the
//   local end fails at once (reads and writes: ECONNRESET, after the bytes
//   already received) and an RST travels to the peer like any segment, which
//   then fails the same way. Trace: net_reset, then the rst's net_send.
// - Datagram duplication: with LinkOptions::duplicate, a datagram also
//   arrives a second time, as a new packet with its own delay (net_duplicate,
//   then the copy's net_send). Copies are not duplicated or lost again.
// - Reordering beyond jitter: with LinkOptions::reorder, a datagram is held
//   back an extra delay drawn uniformly in [1, reorder_delay] ns, so later
//   ones overtake it (its net_send, then net_reorder with the delay). Stream
//   segments are never reordered (TCP hides it), nor duplicated.
// - Partitions: partition() / heal() at once, or schedule_partition() from
//   one virtual time to another, one way or both; each direction cut or
//   healed is a net_partition / net_heal event.
// Draws come from the network stream only for a fault whose rate is
// non-zero, so a run without faults draws (and traces) exactly what it did
// before faults existed. The order of draws per datagram: loss, duplicate,
// jitter, reorder; per data segment: reset, jitter.
//
// Time and determinism: the network reads virtual time from `clock` and
// draws jitter, loss and faults from `rng` (sim::Stream::kNetwork of the
// run's seed); events at equal times are delivered in the order they were
// sent (a scheduled partition change due with a delivery comes first). A
// backend hosting the network forwards watch()/unwatch() of its sockets,
// bounds its waits by next_delivery() (deliveries and scheduled partition
// changes), calls deliver_due(now) after moving its clock, and reports
// collect_ready().
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
  // Faults (see the header comment); probabilities in [0, 1], 0 = off.
  double duplicate = 0;  // datagrams: also delivered a second time
  double reorder = 0;    // datagrams: held back up to reorder_delay more
  absl::Duration reorder_delay = absl::Milliseconds(1);
  double reset = 0;  // stream data segments: reset the connection instead
};

// What the network did, for traces (sim/trace.h records these).
struct NetEvent {
  enum class Kind {
    kSend,
    kDeliver,
    kDrop,
    kReset,      // a connection was reset
    kDuplicate,  // a datagram was copied
    kReorder,    // a datagram was held back
    kPartition,  // the direction from -> to was cut
    kHeal,       // the direction from -> to was healed
  };
  Kind kind;
  // The packet: the same id on its send and delivery. kReset: the data
  // segment lost to a reset draw (0: none, an API call). kDuplicate: the
  // copy. kPartition / kHeal: 0.
  std::uint64_t id;
  const char*
      what;  // "syn", "synack", "refuse", "data", "fin", "rst", "datagram"
  const std::string& from;  // hosts (kReset: the end reset first, its peer)
  const std::string& to;
  std::size_t bytes;  // payload bytes
  std::int64_t at;    // kSend, kReorder: when it will arrive (kNoDeadline
                      // if held)
  // kSend: the jitter drawn for it, in ns (-1: its link has no jitter, no
  // draw). kReorder: the extra delay drawn.
  std::int64_t jitter;
  // kDrop: why it was lost, "loss" (a draw) or "partition". kReset: "chance"
  // (a draw on a link with a reset rate) or what reset_connection() was
  // given. kPartition / kHeal: "call" or "schedule". Else null.
  const char* reason;
  // kDeliver: the socket (fd) the packet may make ready and for what
  // (kRead, kWrite or both), or -1 and 0 when it reaches no socket (a
  // connection gone meanwhile, a port nobody listens on). kReset: the socket
  // reset at once, kRead | kWrite. Else -1 and 0.
  int fd = -1;
  std::uint32_t fd_events = 0;
  // kDuplicate: the original packet.
  std::uint64_t of = 0;
  // kSend: the packet exists because of the fault event just before (the
  // RST of a kReset, the copy of a kDuplicate).
  bool after_fault = false;
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
  // Faults, each drawn only when its rate is non-zero (0 < p <= 1): whether
  // data segment `packet` resets its connection; whether datagram `packet`
  // is duplicated; the extra delay of datagram `packet`, in [1, max_delay] ns,
  // or 0 if it is not held back (max_delay > 0).
  virtual bool reset(std::uint64_t packet, double p) = 0;
  virtual bool duplicate(std::uint64_t packet, double p) = 0;
  virtual std::int64_t reorder(std::uint64_t packet, double p,
                               std::int64_t max_delay) = 0;
};
using NetEventListener = std::function<void(const NetEvent&)>;

struct NetStats {
  std::uint64_t segments_sent = 0;
  std::uint64_t segments_delivered = 0;
  std::uint64_t datagrams_dropped = 0;
  std::uint64_t bytes_delivered = 0;
  std::uint64_t resets = 0;  // connections reset (either way)
  std::uint64_t duplicates = 0;
  std::uint64_t reorders = 0;
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
  // Heals both directions; held stream segments leave at once.
  void heal(const std::string& from, const std::string& to);
  // A partition on a schedule: cuts `from` -> `to` (and back unless one_way)
  // at virtual time `start` and heals what it cut at `end` (both since the
  // run's start; end > start, InfiniteDuration: never). Changes do not
  // count: a direction is cut from its latest cut (scheduled or called) to
  // its next heal. The backend wakes for each change as for a delivery.
  // Throws std::invalid_argument if end <= start or start < 0.
  void schedule_partition(const std::string& from, const std::string& to,
                          absl::Duration start, absl::Duration end,
                          bool one_way = false);
  // Resets the connection of stream socket `s` (connected, not already
  // reset): see Faults above; `reason` names the cause in the trace (a
  // string literal; "reset" by default, e.g. "crash" for a crashing host).
  // False (nothing done) for any other socket.
  bool reset_connection(int s, const char* reason = "reset");
  // reset_connection() on every connected stream socket of host `host`
  // (whose peer is host `peer`, unless `peer` is empty), in socket order.
  // Returns how many were reset.
  int reset_connections(const std::string& host, const std::string& peer = "",
                        const char* reason = "reset");
  // The host an unbound socket's connect() or sendto() uses (default
  // "10.0.0.1").
  void set_default_host(std::string host) { default_host_ = std::move(host); }
  const NetStats& stats() const { return stats_; }
  // A hash of every draw so far (packet and outcome, in order): a part of
  // the run's schedule hash (sim::Result::schedule_hash).
  std::uint64_t draws_hash() const { return draws_hash_; }
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
  // Cuts / heals one direction, traced if that changes it (heal: returns
  // whether it did).
  void cut_direction(const std::string& from, const std::string& to,
                     const char* reason);
  bool heal_direction(const std::string& from, const std::string& to,
                      const char* reason);
  // Sends the held stream segments again (those still cut are held again).
  void release_held();
  struct Change;
  void apply(const Change& change);
  void reset_sock(Sock& sock, const char* reason, std::uint64_t lost_packet);
  // Reports `kind` for `event` to the listener (if any).
  void report(NetEvent::Kind kind, const Event& event, std::int64_t at,
              std::int64_t jitter, const char* reason);
  // Mixes a draw into draws_hash_; returns `value`.
  std::int64_t noted(std::uint64_t packet, std::int64_t value);
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
  std::set<std::pair<std::string, std::string>> cuts_;  // cut directions
  // Scheduled partition changes by (time, order of scheduling).
  std::multimap<std::pair<std::int64_t, std::uint64_t>, Change> changes_;
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
  std::uint64_t draws_hash_ = 0xcbf29ce484222325ULL;  // FNV-1a's offset
};

}  // namespace eventlet::sim

#endif  // EVENTLET_SIM_SIM_NET_H_
