// Copyright 2026 The eventlet-cpp Authors.
//
// hub_debug.h: the per-hub state of debug/ — the chaining HubObserver that
// records stacks and park times and feeds the blocking monitor. Internal.
//
// One HubDebug per OS thread (its hub), created on first use by the thread
// and destroyed at thread exit (it uninstalls itself first). All of it is
// used on the hub's thread only, except Watch, whose atomics the monitor
// thread reads.
#ifndef EVENTLET_DEBUG_INTERNAL_HUB_DEBUG_H_
#define EVENTLET_DEBUG_INTERNAL_HUB_DEBUG_H_

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>

#include "debug/debug.h"
#include "debug/internal/stacks.h"
#include "hub/hub.h"
#include "hub/observer.h"

namespace eventlet::debug::internal {

// CLOCK_MONOTONIC in ns: the blocking detector's real-time clock.
std::int64_t monotonic_ns();

// What the blocking monitor samples. Written by the hub's thread (observer
// callbacks), read by the monitor thread.
struct Watch {
  static constexpr int kNameBytes = 48;
  // Bumped (bump()) at every switch, pass, fired timer, poll start and poll
  // return, before the state below changes.
  std::atomic<std::uint64_t> progress{0};
  // monotonic_ns() of the latest bump: when the current holder got the hub.
  // The monitor measures holding from it, so a monitor thread that gets the
  // CPU late (a busy machine) still sees how long the holder has held.
  std::atomic<std::int64_t> progress_ns{0};
  // True while the hub waits in its poll (not holding the CPU).
  std::atomic<bool> idle{false};
  // Who runs: a seqlock (odd while being written) over id, callback, name.
  std::atomic<std::uint32_t> seq{0};
  std::atomic<std::int64_t> current_id{0};
  std::atomic<std::uint64_t> callback_seq{0};  // timer callback running
  std::atomic<std::int64_t> exited_id{-2};     // see who_runs()
  std::atomic<char> name[kNameBytes] = {};

  // Episodes of `resolution` or more, recorded by the hub's thread when they
  // end (in bump()), so that the monitor reports them even if it never got
  // the CPU while they lasted. At most kMaxMissed (the oldest are dropped).
  // Guarded by missed_mu (taken by the hub only after such an episode).
  static constexpr std::size_t kMaxMissed = 16;
  struct Missed {
    std::uint64_t progress = 0;  // the episode's progress value
    std::int64_t id = 0;
    std::string who;
    std::int64_t held_ns = 0;
  };
  std::mutex missed_mu;
  std::deque<Missed> missed;

  // Fixed at installation.
  pthread_t thread{};
  long tid = 0;
  std::shared_ptr<Mailbox> mailbox;
  absl::Duration resolution;
  BlockingOptions options;

  // Monitor-private.
  std::uint64_t last_progress = ~std::uint64_t{0};
  std::int64_t since_ns = 0;
  bool reported = false;
  BlockingReport last;

  void set_running(const Greenlet& g);
  // Hub thread, before the holder changes: ends the current episode (noting
  // it in `missed` if it lasted `resolution` or more and the hub was not idle)
  // and starts the next one now: progress_ns, then progress (release).
  void bump();
  // A consistent snapshot: "greenthread 3 (name)", "timer callback (seq 9)"...
  std::string who_runs(std::int64_t* id) const;
};

struct Registered;

struct ListenerKey {
  int fd;
  int event;
  std::int64_t greenlet;
  auto operator<=>(const ListenerKey&) const = default;
};

class HubDebug final : public HubObserver {
 public:
  explicit HubDebug(Hub& hub);
  ~HubDebug() override;

  // The calling thread's state for Hub::current(), made on first use (a
  // new one if the thread's hub was replaced since).
  static HubDebug& get();
  // The calling thread's state if it exists and belongs to its current hub.
  static HubDebug* get_if_exists();

  Hub& hub() const { return *hub_; }
  // Installs or uninstalls the observer to match what is turned on.
  void update();

  bool timer_stacks = false;
  bool listener_stacks = false;
  bool spawn_stacks = false;
  bool object_stacks = false;
  std::shared_ptr<Watch> watch;  // blocking detection, if on

  std::unordered_map<std::uint64_t, Trace> timer_traces;
  std::map<ListenerKey, Trace> listener_traces;
  std::unordered_map<std::int64_t, Trace> spawn_traces;
  std::unordered_map<const void*, Trace> object_traces;  // ObjectInfo::address
  std::unordered_map<std::int64_t, std::int64_t> parked_since;  // hub time
  std::uint64_t timers_added = 0, timers_fired = 0, timers_cancelled = 0;
  std::uint64_t switches = 0, spawned = 0, exited = 0, exceptions = 0;
  bool installed() const { return registration_.active(); }
  std::shared_ptr<Registered> registered;  // for the dump signal

  // HubObserver: what the features turned on record.
  void on_spawn(const Greenlet& g, const Greenlet& creator) override;
  void on_switch(const Greenlet& from, const Greenlet& to) override;
  void on_block(const Greenlet& g, const char* waiting_on) override;
  bool on_object_create(const ObjectInfo& object) override;
  void on_object_destroy(const ObjectInfo& object) override;
  std::string object_creation_site(const ObjectInfo& object) override;
  void on_exit(const Greenlet& g) override;
  void on_exception(std::exception_ptr error, std::string_view where) override;
  void on_timer_add(const TimerInfo& t) override;
  void on_timer_fire(const TimerInfo& t) override;
  void on_timer_cancel(const TimerInfo& t) override;
  void on_listen_add(int fd, IoEvents event, const Greenlet& g) override;
  void on_listen_remove(int fd, IoEvents event, const Greenlet& g) override;
  void on_pass(std::int64_t when) override;
  void on_poll(std::int64_t deadline) override;
  void on_poll_done(std::size_t ready) override;

 private:
  bool wanted() const {
    return timer_stacks || listener_stacks || spawn_stacks || object_stacks ||
           watch;
  }
  Hub* hub_;
  std::shared_ptr<Mailbox> mailbox_;   // identifies the hub (never reused)
  ObserverRegistration registration_;  // active while wanted()
};

// Blocking monitor (blocking.cc).
void monitor_add(std::shared_ptr<Watch> watch);
void monitor_remove(const std::shared_ptr<Watch>& watch);

// Hubs the dump signal asks (blocking.cc).
struct Registered {
  std::shared_ptr<Mailbox> mailbox;
  long tid = 0;
  std::shared_ptr<Watch> watch;  // may be null
};
void register_hub(const std::shared_ptr<Registered>& entry);
// Sets entry->watch under the registry's lock.
void registry_set_watch(const std::shared_ptr<Registered>& entry,
                        std::shared_ptr<Watch> watch);

}  // namespace eventlet::debug::internal

#endif  // EVENTLET_DEBUG_INTERNAL_HUB_DEBUG_H_
