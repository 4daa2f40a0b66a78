// Copyright 2026 The eventlet-cpp Authors.
#include "sim/sim_net.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace eventlet::sim {

struct SimNetwork::Sock {
  enum class State { kNew, kListening, kConnecting, kConnected, kRefused };
  int id = -1;
  std::uint64_t serial =
      0;  // unique over the network's life: guards reused ids
  int type = SOCK_STREAM;
  State state = State::kNew;
  net::Address local;
  net::Address peer;
  bool bound = false;
  int backlog = 0;
  std::deque<int> accept_queue;
  int peer_id = -1;
  std::uint64_t peer_serial = 0;
  std::string rx;
  bool eof = false;    // the peer's FIN arrived
  bool reset = false;  // the connection was reset
  bool fin_sent = false;
  int connect_err = 0;
  std::size_t outstanding = 0;  // written, not yet read by the peer
  std::deque<std::pair<net::Address, std::string>> datagrams;
  std::uint32_t wanted = 0;
  std::string host;  // the host (sim/host.h) that owns it, or ""
};

struct SimNetwork::Event {
  enum class Kind { kSyn, kSynAck, kRefuse, kData, kFin, kReset, kDatagram };
  static const char* name(Kind k) {
    static constexpr const char* kNames[] = {"syn", "synack", "refuse",  "data",
                                             "fin", "rst",    "datagram"};
    return kNames[static_cast<int>(k)];
  }
  Event(Kind k, std::string from, std::string to)
      : kind(k), from_host(std::move(from)), to_host(std::move(to)) {}
  Kind kind;
  std::string from_host;
  std::string to_host;
  int to = -1;  // target socket (not for kSyn / kDatagram)
  std::uint64_t to_serial = 0;
  int from = -1;  // sender socket (kSyn, kSynAck)
  std::uint64_t from_serial = 0;
  net::Address src;  // kSyn / kDatagram: sender address
  net::Address dst;  // kSyn / kDatagram: destination address
  std::string data;
  std::uint64_t packet = 0;  // id for NetEvent
  bool copy = false;         // a duplicate: not lost or duplicated again
  bool after_fault = false;  // NetEvent::after_fault of its send
};

struct SimNetwork::Change {
  std::string from, to;
  bool cut;  // else heal
};

namespace {
// Per process is enough (only compared for equality); atomic, since
// simulations run on several threads at once.
std::atomic<std::uint64_t> g_serials{0};
}  // namespace

SimNetwork::SimNetwork(std::function<std::int64_t()> clock, Rng rng)
    : clock_(std::move(clock)), rng_(rng) {}

SimNetwork::~SimNetwork() = default;

void SimNetwork::freeze_clock() {
  const std::int64_t now = clock_();
  clock_ = [now] { return now; };
}

// ---- Links
// --------------------------------------------------------------------

void SimNetwork::set_link(const std::string& from, const std::string& to,
                          const LinkOptions& link) {
  links_[{from, to}] = link;
}

const LinkOptions& SimNetwork::link(const std::string& from,
                                    const std::string& to) const {
  auto it = links_.find({from, to});
  return it == links_.end() ? default_link_ : it->second;
}

void SimNetwork::partition(const std::string& from, const std::string& to,
                           bool one_way) {
  cut_direction(from, to, "call");
  if (!one_way) cut_direction(to, from, "call");
}

void SimNetwork::heal(const std::string& from, const std::string& to) {
  heal_direction(from, to, "call");
  heal_direction(to, from, "call");
  release_held();
}

void SimNetwork::schedule_partition(const std::string& from,
                                    const std::string& to, absl::Duration start,
                                    absl::Duration end, bool one_way) {
  if (start < absl::ZeroDuration() || end <= start) {
    throw std::invalid_argument(
        "SimNetwork::schedule_partition: needs 0 <= start < end");
  }
  const std::int64_t t0 = absl::ToInt64Nanoseconds(start);
  const bool heals = end != absl::InfiniteDuration();
  const std::int64_t t1 = heals ? absl::ToInt64Nanoseconds(end) : 0;
  for (int way = 0; way < (one_way ? 1 : 2); ++way) {
    const std::string& a = way == 0 ? from : to;
    const std::string& b = way == 0 ? to : from;
    changes_.emplace(std::make_pair(t0, next_seq_++), Change{a, b, true});
    if (heals) {
      changes_.emplace(std::make_pair(t1, next_seq_++), Change{a, b, false});
    }
  }
}

void SimNetwork::cut_direction(const std::string& from, const std::string& to,
                               const char* reason) {
  if (!cuts_.insert({from, to}).second || !listener_) return;
  listener_(NetEvent{NetEvent::Kind::kPartition, 0, "", from, to, 0, clock_(),
                     -1, reason});
}

bool SimNetwork::heal_direction(const std::string& from, const std::string& to,
                                const char* reason) {
  if (cuts_.erase({from, to}) == 0) return false;
  if (listener_) {
    listener_(NetEvent{NetEvent::Kind::kHeal, 0, "", from, to, 0, clock_(), -1,
                       reason});
  }
  return true;
}

void SimNetwork::release_held() {
  std::vector<Event> held = std::move(held_);
  held_.clear();
  for (Event& e : held) {
    send(std::move(e));  // still cut: held again
  }
}

void SimNetwork::apply(const Change& change) {
  if (change.cut) {
    cut_direction(change.from, change.to, "schedule");
  } else if (heal_direction(change.from, change.to, "schedule")) {
    release_held();
  }
}

bool SimNetwork::cut(const std::string& from, const std::string& to) const {
  return cuts_.count({from, to}) != 0;
}

void SimNetwork::report(NetEvent::Kind kind, const Event& event,
                        std::int64_t at, std::int64_t jitter,
                        const char* reason) {
  if (!listener_) return;
  NetEvent ne{kind,
              event.packet,
              Event::name(event.kind),
              event.from_host,
              event.to_host,
              event.data.size(),
              at,
              jitter,
              reason};
  ne.after_fault = kind == NetEvent::Kind::kSend && event.after_fault;
  listener_(ne);
}

void SimNetwork::send(Event event) {
  const std::string& from = event.from_host;
  const std::string& to = event.to_host;
  ++stats_.segments_sent;
  if (event.packet == 0) event.packet = ++packets_;  // a held one keeps its id
  const bool datagram = event.kind == Event::Kind::kDatagram;
  if (cut(from, to)) {
    if (datagram) {
      ++stats_.datagrams_dropped;
      report(NetEvent::Kind::kDrop, event, clock_(), -1, "partition");
    } else {
      // Held until heal().
      report(NetEvent::Kind::kSend, event, Backend::kNoDeadline, -1, nullptr);
      held_.push_back(std::move(event));
    }
    return;
  }
  const LinkOptions& l = link(from, to);
  if (datagram && !event.copy && l.loss > 0 &&
      noted(event.packet, draws_ != nullptr ? draws_->lose(event.packet, l.loss)
                                            : rng_.chance(l.loss))) {
    ++stats_.datagrams_dropped;
    report(NetEvent::Kind::kDrop, event, clock_(), -1, "loss");
    return;
  }
  const bool duplicated =
      datagram && !event.copy && l.duplicate > 0 &&
      noted(event.packet, draws_ != nullptr
                              ? draws_->duplicate(event.packet, l.duplicate)
                              : rng_.chance(l.duplicate));
  std::int64_t delay = absl::ToInt64Nanoseconds(l.latency);
  const std::int64_t max_jitter = absl::ToInt64Nanoseconds(l.jitter);
  std::int64_t jitter = -1;
  if (max_jitter > 0) {
    jitter = draws_ != nullptr
                 ? std::clamp<std::int64_t>(
                       draws_->jitter(event.packet, max_jitter), 0, max_jitter)
                 : static_cast<std::int64_t>(rng_.uniform(
                       static_cast<std::uint64_t>(max_jitter) + 1));
    delay += noted(event.packet, jitter);
  }
  std::int64_t held_back = 0;
  const std::int64_t max_hold = absl::ToInt64Nanoseconds(l.reorder_delay);
  if (datagram && l.reorder > 0 && max_hold > 0) {
    held_back = draws_ != nullptr
                    ? std::clamp<std::int64_t>(
                          draws_->reorder(event.packet, l.reorder, max_hold), 0,
                          max_hold)
                : rng_.chance(l.reorder)
                    ? static_cast<std::int64_t>(
                          rng_.uniform(static_cast<std::uint64_t>(max_hold))) +
                          1
                    : 0;
    delay += noted(event.packet, held_back);
  }
  std::int64_t at = clock_() + delay;
  // In order per direction: never before what was sent earlier.
  std::int64_t& last = last_delivery_[{from, to}];
  if (!datagram) at = std::max(at, last);
  last = std::max(last, at);
  report(NetEvent::Kind::kSend, event, at, jitter, nullptr);
  if (held_back > 0) {
    ++stats_.reorders;
    report(NetEvent::Kind::kReorder, event, at, held_back, nullptr);
  }
  std::optional<Event> copy;
  if (duplicated) copy = event;
  in_flight_.emplace(std::make_pair(at, next_seq_++), std::move(event));
  if (copy) {
    ++stats_.duplicates;
    const std::uint64_t original = copy->packet;
    copy->packet = ++packets_;
    copy->copy = true;
    copy->after_fault = true;
    if (listener_) {
      NetEvent ne{NetEvent::Kind::kDuplicate,
                  copy->packet,
                  Event::name(copy->kind),
                  copy->from_host,
                  copy->to_host,
                  copy->data.size(),
                  clock_(),
                  -1,
                  nullptr};
      ne.of = original;
      listener_(ne);
    }
    send(std::move(*copy));
  }
}

std::int64_t SimNetwork::noted(std::uint64_t packet, std::int64_t value) {
  for (std::uint64_t v : {packet, static_cast<std::uint64_t>(value)}) {
    for (int i = 0; i < 8; ++i) {
      draws_hash_ ^= (v >> (8 * i)) & 0xff;
      draws_hash_ *= 0x100000001b3ULL;
    }
  }
  return value;
}

// ---- Resets
// -------------------------------------------------------------------

void SimNetwork::reset_sock(Sock& sock, const char* reason,
                            std::uint64_t lost_packet) {
  ++stats_.resets;
  sock.reset = true;
  Event rst{Event::Kind::kReset, sock.local.host(), sock.peer.host()};
  rst.to = sock.peer_id;
  rst.to_serial = sock.peer_serial;
  rst.after_fault = true;
  if (listener_) {
    NetEvent ne{NetEvent::Kind::kReset,
                lost_packet,
                "rst",
                rst.from_host,
                rst.to_host,
                0,
                clock_(),
                -1,
                reason,
                sock.id,
                kRead | kWrite};
    listener_(ne);
  }
  send(std::move(rst));
}

bool SimNetwork::reset_connection(int s, const char* reason) {
  Sock* sock = find(s);
  if (sock == nullptr || sock->type != SOCK_STREAM ||
      sock->state != Sock::State::kConnected || sock->reset) {
    return false;
  }
  reset_sock(*sock, reason, 0);
  return true;
}

int SimNetwork::reset_connections(const std::string& host,
                                  const std::string& peer, const char* reason) {
  int n = 0;
  for (std::size_t i = 0; i < socks_.size(); ++i) {
    const Sock* s = socks_[i].get();
    if (s == nullptr || s->local.host() != host ||
        (!peer.empty() && s->peer.host() != peer)) {
      continue;
    }
    if (reset_connection(s->id, reason)) ++n;
  }
  return n;
}

// ---- Sockets
// ------------------------------------------------------------------

SimNetwork::Sock* SimNetwork::find(int s) const {
  if (s < kFirstSocket) return nullptr;
  const std::size_t i = static_cast<std::size_t>(s - kFirstSocket);
  return i < socks_.size() ? socks_[i].get() : nullptr;
}

bool SimNetwork::owns(int s) const { return find(s) != nullptr; }

int SimNetwork::allocate() {
  std::size_t i = 0;
  while (i < socks_.size() && socks_[i]) ++i;
  if (i == socks_.size()) socks_.emplace_back();
  socks_[i] = std::make_unique<Sock>();
  socks_[i]->id = kFirstSocket + static_cast<int>(i);
  socks_[i]->serial = ++g_serials;
  return socks_[i]->id;
}

int SimNetwork::socket(int family, int type, int& err) {
  if (family != AF_INET && family != AF_INET6) {
    err = EAFNOSUPPORT;
    return -1;
  }
  if (type != SOCK_STREAM && type != SOCK_DGRAM) {
    err = EPROTONOSUPPORT;
    return -1;
  }
  const int s = allocate();
  find(s)->type = type;
  if (host_of_caller_) find(s)->host = host_of_caller_();
  return s;
}

const std::string& SimNetwork::source_host(const Sock& sock) const {
  return sock.host.empty() ? default_host_ : sock.host;
}

void SimNetwork::bind_ephemeral(Sock& sock) {
  const std::string& host = source_host(sock);
  std::uint16_t& next = next_port_[host];
  if (next == 0) next = 40000;
  while (bound_.count({host, next}) != 0) ++next;
  sock.local = *net::Address::from_ip(host, next++);
  sock.bound = true;
  bound_[{host, sock.local.port()}] = sock.id;
}

int SimNetwork::bind(int s, const net::Address& address, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->bound) {
    err = EINVAL;
    return -1;
  }
  std::string host = address.host();
  if (!sock->host.empty() && (host == "0.0.0.0" || host == "::")) {
    host = sock->host;
  }
  std::uint16_t port = address.port();
  if (port == 0) {
    std::uint16_t& next = next_port_[host];
    if (next == 0) next = 40000;
    while (bound_.count({host, next}) != 0) ++next;
    port = next++;
  } else if (bound_.count({host, port}) != 0) {
    err = EADDRINUSE;
    return -1;
  }
  sock->local = *net::Address::from_ip(host, port);
  sock->bound = true;
  bound_[{host, port}] = s;
  return 0;
}

int SimNetwork::listen(int s, int backlog, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr || sock->type != SOCK_STREAM) {
    err = sock == nullptr ? EBADF : EOPNOTSUPP;
    return -1;
  }
  if (!sock->bound) bind_ephemeral(*sock);
  sock->state = Sock::State::kListening;
  sock->backlog = std::max(backlog, 1);
  return 0;
}

int SimNetwork::accept(int s, net::Address* peer, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr || sock->state != Sock::State::kListening) {
    err = sock == nullptr ? EBADF : EINVAL;
    return -1;
  }
  if (sock->accept_queue.empty()) {
    err = EAGAIN;
    return -1;
  }
  const int conn = sock->accept_queue.front();
  sock->accept_queue.pop_front();
  if (peer != nullptr) *peer = find(conn)->peer;
  return conn;
}

int SimNetwork::connect(int s, const net::Address& address, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->state != Sock::State::kNew) {
    err = sock->state == Sock::State::kConnecting ? EALREADY : EISCONN;
    return -1;
  }
  if (!sock->bound) bind_ephemeral(*sock);
  sock->peer = address;
  if (sock->type == SOCK_DGRAM) {  // a default destination, nothing sent
    sock->state = Sock::State::kConnected;
    return 0;
  }
  sock->state = Sock::State::kConnecting;
  Event syn{Event::Kind::kSyn, sock->local.host(), address.host()};
  syn.from = s;
  syn.from_serial = sock->serial;
  syn.src = sock->local;
  syn.dst = address;
  send(std::move(syn));
  err = EINPROGRESS;
  return -1;
}

int SimNetwork::connect_error(int s) {
  Sock* sock = find(s);
  return sock == nullptr ? EBADF : sock->connect_err;
}

long SimNetwork::peek(int s, void* buffer, std::size_t size, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->type == SOCK_DGRAM) {
    if (sock->datagrams.empty()) {
      err = EAGAIN;
      return -1;
    }
    const std::string& d = sock->datagrams.front().second;
    const std::size_t n = std::min(size, d.size());
    std::memcpy(buffer, d.data(), n);
    return static_cast<long>(n);
  }
  if (long rc = stream_read_status(*sock, err); rc <= 0) return rc;
  const std::size_t n = std::min(size, sock->rx.size());
  std::memcpy(buffer, sock->rx.data(), n);
  return static_cast<long>(n);
}

long SimNetwork::stream_read_status(const Sock& sock, int& err) const {
  if (!sock.rx.empty()) return 1;
  if (sock.reset) {
    err = ECONNRESET;
    return -1;
  }
  if (sock.eof) return 0;
  err = sock.state == Sock::State::kConnected ? EAGAIN
        : sock.state == Sock::State::kRefused ? ECONNREFUSED
                                              : ENOTCONN;
  return -1;
}

long SimNetwork::readv(int s, const iovec* iov, int count, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->type == SOCK_DGRAM) {
    return recvfrom(s, iov[0].iov_base, count > 0 ? iov[0].iov_len : 0, nullptr,
                    err);
  }
  if (long rc = stream_read_status(*sock, err); rc <= 0) return rc;
  std::size_t taken = 0;
  for (int i = 0; i < count && taken < sock->rx.size(); ++i) {
    const std::size_t n = std::min(iov[i].iov_len, sock->rx.size() - taken);
    std::memcpy(iov[i].iov_base, sock->rx.data() + taken, n);
    taken += n;
  }
  sock->rx.erase(0, taken);
  if (Sock* writer = find(sock->peer_id);
      writer && writer->serial == sock->peer_serial) {
    writer->outstanding -= std::min(writer->outstanding, taken);
  }
  return static_cast<long>(taken);
}

long SimNetwork::writev(int s, const iovec* iov, int count, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->type == SOCK_DGRAM) {
    if (sock->state != Sock::State::kConnected) {
      err = EDESTADDRREQ;
      return -1;
    }
    return sendto(s, iov[0].iov_base, count > 0 ? iov[0].iov_len : 0,
                  sock->peer, err);
  }
  if (sock->reset) {
    err = ECONNRESET;
    return -1;
  }
  if (sock->state != Sock::State::kConnected) {
    err = sock->state == Sock::State::kRefused ? ECONNREFUSED : ENOTCONN;
    return -1;
  }
  Sock* peer = find(sock->peer_id);
  if (sock->fin_sent || peer == nullptr || peer->serial != sock->peer_serial) {
    err = EPIPE;
    return -1;
  }
  if (sock->outstanding >= kWindowBytes) {
    err = EAGAIN;
    return -1;
  }
  std::string data;
  for (int i = 0; i < count && sock->outstanding + data.size() < kWindowBytes;
       ++i) {
    const std::size_t room = kWindowBytes - sock->outstanding - data.size();
    data.append(static_cast<const char*>(iov[i].iov_base),
                std::min(iov[i].iov_len, room));
  }
  sock->outstanding += data.size();
  const long n = static_cast<long>(data.size());
  Event e{Event::Kind::kData, sock->local.host(), sock->peer.host()};
  e.to = sock->peer_id;
  e.to_serial = sock->peer_serial;
  e.data = std::move(data);
  const double p = link(e.from_host, e.to_host).reset;
  if (p > 0 && !cut(e.from_host, e.to_host)) {
    const std::uint64_t packet = ++packets_;
    if (noted(packet,
              draws_ != nullptr ? draws_->reset(packet, p) : rng_.chance(p))) {
      reset_sock(*sock, "chance", packet);  // the segment is lost
      return n;
    }
    e.packet = packet;
  }
  send(std::move(e));
  return n;
}

long SimNetwork::recvfrom(int s, void* buffer, std::size_t size,
                          net::Address* from, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->type != SOCK_DGRAM) {
    iovec iov{buffer, size};
    const long n = readv(s, &iov, 1, err);
    if (n >= 0 && from != nullptr) *from = sock->peer;
    return n;
  }
  if (sock->datagrams.empty()) {
    err = EAGAIN;
    return -1;
  }
  auto [sender, data] = std::move(sock->datagrams.front());
  sock->datagrams.pop_front();
  const std::size_t n = std::min(size, data.size());  // the rest is truncated
  std::memcpy(buffer, data.data(), n);
  if (from != nullptr) *from = sender;
  return static_cast<long>(n);
}

long SimNetwork::sendto(int s, const void* data, std::size_t size,
                        const net::Address& to, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->type != SOCK_DGRAM) {
    iovec iov{const_cast<void*>(data), size};
    return writev(s, &iov, 1, err);
  }
  if (!sock->bound) bind_ephemeral(*sock);
  Event e{Event::Kind::kDatagram, sock->local.host(), to.host()};
  e.src = sock->local;
  e.dst = to;
  e.data.assign(static_cast<const char*>(data), size);
  send(std::move(e));
  return static_cast<long>(size);
}

int SimNetwork::shutdown(int s, int how, int& err) {
  Sock* sock = find(s);
  if (sock == nullptr) {
    err = EBADF;
    return -1;
  }
  if (sock->state != Sock::State::kConnected || sock->type != SOCK_STREAM) {
    err = ENOTCONN;
    return -1;
  }
  if ((how == SHUT_WR || how == SHUT_RDWR) && !sock->fin_sent) {
    sock->fin_sent = true;
    Event fin{Event::Kind::kFin, sock->local.host(), sock->peer.host()};
    fin.to = sock->peer_id;
    fin.to_serial = sock->peer_serial;
    send(std::move(fin));
  }
  return 0;
}

void SimNetwork::close(int s) {
  Sock* sock = find(s);
  if (sock == nullptr) return;
  if (sock->state == Sock::State::kConnected && sock->type == SOCK_STREAM) {
    int ignored;
    shutdown(s, SHUT_WR, ignored);
  }
  // Connections queued on a listener and never accepted are reset.
  for (int queued : sock->accept_queue) {
    Sock* q = find(queued);
    Event rst{Event::Kind::kReset, q->local.host(), q->peer.host()};
    rst.to = q->peer_id;
    rst.to_serial = q->peer_serial;
    send(std::move(rst));
    socks_[static_cast<std::size_t>(queued - kFirstSocket)].reset();
  }
  if (sock->bound) {
    auto it = bound_.find({sock->local.host(), sock->local.port()});
    if (it != bound_.end() && it->second == s) bound_.erase(it);
  }
  socks_[static_cast<std::size_t>(s - kFirstSocket)].reset();
}

net::Address SimNetwork::local_address(int s) {
  Sock* sock = find(s);
  return sock == nullptr ? net::Address() : sock->local;
}

net::Address SimNetwork::peer_address(int s) {
  Sock* sock = find(s);
  return sock == nullptr || sock->state != Sock::State::kConnected
             ? net::Address()
             : sock->peer;
}

int SimNetwork::set_option(int s, int, int, int, int& err) {
  if (find(s) == nullptr) {
    err = EBADF;
    return -1;
  }
  return 0;
}

// ---- Hosts
// --------------------------------------------------------------------

void SimNetwork::crash_host(const std::string& address) {
  auto reset_peer = [this](Sock& sock) {
    if (sock.type != SOCK_STREAM || sock.state != Sock::State::kConnected ||
        sock.reset) {
      return;
    }
    Event rst{Event::Kind::kReset, sock.local.host(), sock.peer.host()};
    rst.to = sock.peer_id;
    rst.to_serial = sock.peer_serial;
    send(std::move(rst));
  };
  for (std::size_t i = 0; i < socks_.size(); ++i) {
    if (!socks_[i] || socks_[i]->host != address) continue;
    Sock& sock = *socks_[i];
    // Connections queued on a listener and never accepted have no owner to
    // close them: reset and freed now.
    for (int queued : sock.accept_queue) {
      reset_peer(*find(queued));
      socks_[static_cast<std::size_t>(queued - kFirstSocket)].reset();
    }
    sock.accept_queue.clear();
    reset_peer(sock);
    sock.reset = true;
    sock.fin_sent = true;  // close() sends no FIN
    if (sock.state == Sock::State::kConnecting ||
        sock.state == Sock::State::kNew) {
      sock.state = Sock::State::kRefused;
      sock.connect_err = ECONNRESET;
    }
    if (sock.state == Sock::State::kListening) sock.state = Sock::State::kNew;
    sock.datagrams.clear();
    if (sock.bound) {
      auto it = bound_.find({sock.local.host(), sock.local.port()});
      if (it != bound_.end() && it->second == sock.id) bound_.erase(it);
    }
  }
}

// ---- Delivery
// -----------------------------------------------------------------

std::int64_t SimNetwork::next_delivery() const {
  std::int64_t next = in_flight_.empty() ? Backend::kNoDeadline
                                         : in_flight_.begin()->first.first;
  if (!changes_.empty()) next = std::min(next, changes_.begin()->first.first);
  return next;
}

void SimNetwork::deliver_due(std::int64_t now) {
  for (;;) {
    const bool change_due =
        !changes_.empty() && changes_.begin()->first.first <= now;
    const bool packet_due =
        !in_flight_.empty() && in_flight_.begin()->first.first <= now;
    if (change_due && (!packet_due || changes_.begin()->first.first <=
                                          in_flight_.begin()->first.first)) {
      const Change change = std::move(changes_.begin()->second);
      changes_.erase(changes_.begin());
      apply(change);
    } else if (packet_due) {
      Event e = std::move(in_flight_.begin()->second);
      in_flight_.erase(in_flight_.begin());
      deliver(e);
    } else {
      return;
    }
  }
}

int SimNetwork::arrival(const Event& e, std::uint32_t* events) const {
  auto bound = [&]() -> const Sock* {
    auto it = bound_.find({e.dst.host(), e.dst.port()});
    return it == bound_.end() ? nullptr : find(it->second);
  };
  const Sock* s = nullptr;
  switch (e.kind) {
    case Event::Kind::kSyn:
      s = bound();
      if (s != nullptr && s->state != Sock::State::kListening) s = nullptr;
      *events = kRead;  // an accept is ready
      break;
    case Event::Kind::kDatagram:
      s = bound();
      *events = kRead;
      break;
    case Event::Kind::kSynAck:
    case Event::Kind::kRefuse:
      s = find(e.to);
      *events = kWrite;  // the connect completes
      break;
    case Event::Kind::kData:
    case Event::Kind::kFin:
      s = find(e.to);
      *events = kRead;
      break;
    case Event::Kind::kReset:
      s = find(e.to);
      *events = kRead | kWrite;
      break;
  }
  if (s == nullptr ||
      (e.kind != Event::Kind::kSyn && e.kind != Event::Kind::kDatagram &&
       s->serial != e.to_serial)) {
    *events = 0;
    return -1;
  }
  return s->id;
}

void SimNetwork::deliver(Event& e) {
  ++stats_.segments_delivered;
  if (listener_) {
    NetEvent ne{NetEvent::Kind::kDeliver,
                e.packet,
                Event::name(e.kind),
                e.from_host,
                e.to_host,
                e.data.size(),
                clock_(),
                -1,
                nullptr};
    ne.fd = arrival(e, &ne.fd_events);
    listener_(ne);
  }
  auto target = [&](int id, std::uint64_t serial) -> Sock* {
    Sock* s = find(id);
    return s != nullptr && s->serial == serial ? s : nullptr;
  };
  switch (e.kind) {
    case Event::Kind::kSyn: {
      Sock* client = target(e.from, e.from_serial);
      if (client == nullptr) return;  // gave up meanwhile
      auto it = bound_.find({e.dst.host(), e.dst.port()});
      Sock* listener = it == bound_.end() ? nullptr : find(it->second);
      const bool accepted =
          listener != nullptr && listener->state == Sock::State::kListening &&
          static_cast<int>(listener->accept_queue.size()) < listener->backlog;
      Event answer{accepted ? Event::Kind::kSynAck : Event::Kind::kRefuse,
                   e.to_host, e.from_host};
      answer.to = e.from;
      answer.to_serial = e.from_serial;
      if (accepted) {
        const int conn = allocate();
        Sock* c = find(conn);
        listener = find(it->second);  // allocate() may have moved the vector
        c->state = Sock::State::kConnected;
        c->local = e.dst;
        c->peer = e.src;
        c->peer_id = e.from;
        c->peer_serial = e.from_serial;
        c->host = listener->host;
        listener->accept_queue.push_back(conn);
        answer.from = conn;
        answer.from_serial = c->serial;
      }
      send(std::move(answer));
      return;
    }
    case Event::Kind::kSynAck: {
      Sock* client = target(e.to, e.to_serial);
      if (client == nullptr || client->state != Sock::State::kConnecting)
        return;
      client->state = Sock::State::kConnected;
      client->peer_id = e.from;
      client->peer_serial = e.from_serial;
      return;
    }
    case Event::Kind::kRefuse: {
      Sock* client = target(e.to, e.to_serial);
      if (client == nullptr) return;
      client->state = Sock::State::kRefused;
      client->connect_err = ECONNREFUSED;
      return;
    }
    case Event::Kind::kData:
      if (Sock* s = target(e.to, e.to_serial)) {
        stats_.bytes_delivered += e.data.size();
        s->rx += e.data;
      }
      return;
    case Event::Kind::kFin:
      if (Sock* s = target(e.to, e.to_serial)) s->eof = true;
      return;
    case Event::Kind::kReset:
      if (Sock* s = target(e.to, e.to_serial)) s->reset = true;
      return;
    case Event::Kind::kDatagram: {
      auto it = bound_.find({e.dst.host(), e.dst.port()});
      Sock* s = it == bound_.end() ? nullptr : find(it->second);
      if (s != nullptr && s->type == SOCK_DGRAM) {
        stats_.bytes_delivered += e.data.size();
        s->datagrams.emplace_back(e.src, std::move(e.data));
      } else {
        ++stats_.datagrams_dropped;
      }
      return;
    }
  }
}

// ---- Readiness
// ----------------------------------------------------------------

std::uint32_t SimNetwork::readiness(const Sock& s) const {
  if (s.type == SOCK_DGRAM)
    return (s.datagrams.empty() ? 0u : std::uint32_t{kRead}) | kWrite;
  switch (s.state) {
    case Sock::State::kListening:
      return s.accept_queue.empty() ? 0u : std::uint32_t{kRead};
    case Sock::State::kConnecting:
    case Sock::State::kNew:
      return 0;
    case Sock::State::kRefused:
      return kRead | kWrite;
    case Sock::State::kConnected: {
      std::uint32_t events = 0;
      if (!s.rx.empty() || s.eof || s.reset) events |= kRead;
      if (s.outstanding < kWindowBytes || s.reset) events |= kWrite;
      return events;
    }
  }
  return 0;
}

void SimNetwork::watch(int s, std::uint32_t events) {
  if (Sock* sock = find(s)) sock->wanted = events;
}

void SimNetwork::unwatch(int s) {
  if (Sock* sock = find(s)) sock->wanted = 0;
}

void SimNetwork::collect_ready(std::vector<IoReady>* ready) const {
  for (const auto& sock : socks_) {
    if (!sock || sock->wanted == 0) continue;
    const std::uint32_t events = readiness(*sock) & sock->wanted;
    if (events != 0) ready->push_back(IoReady{sock->id, events});
  }
}

}  // namespace eventlet::sim
