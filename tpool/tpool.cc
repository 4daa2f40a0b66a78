// Copyright 2026 The eventlet-cpp Authors.
#include "tpool/tpool.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace eventlet::tpool {
namespace {

std::size_t default_threads() {
  if (const char* env = std::getenv("EVENTLET_THREADPOOL_SIZE")) {
    long n = std::strtol(env, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 20;
}

struct Job {
  absl::AnyInvocable<void()> run;
  absl::AnyInvocable<void()> cancel;
};

// The pool's shared state. Workers hold it by shared_ptr, so a worker that
// killall() had to detach can finish its call safely later.
struct Pool {
  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable worker_exited;
  std::deque<Job> jobs;
  bool stopping = false;
  std::size_t alive = 0;  // worker threads not yet exited
};

struct Worker {
  std::thread thread;
  std::shared_ptr<std::atomic<bool>> exited;
};

std::atomic<bool> g_print_exceptions{false};

std::mutex g_mutex;  // guards the globals below (not the pool's queue)
std::size_t g_threads = 0;
std::shared_ptr<Pool> g_pool;
// Never destroyed: at process exit idle workers just stay parked (like
// eventlet's daemon threads) instead of std::thread's destructor calling
// std::terminate on them.
std::vector<Worker>& g_workers = *new std::vector<Worker>;

void worker_main(std::shared_ptr<Pool> pool,
                 std::shared_ptr<std::atomic<bool>> exited) {
  std::unique_lock<std::mutex> lock(pool->mutex);
  for (;;) {
    pool->work_ready.wait(
        lock, [&] { return pool->stopping || !pool->jobs.empty(); });
    if (pool->stopping) break;
    Job job = std::move(pool->jobs.front());
    pool->jobs.pop_front();
    lock.unlock();
    job.run();
    job = Job{};  // destroy captures off the lock
    lock.lock();
  }
  --pool->alive;
  exited->store(true);
  pool->worker_exited.notify_all();
}

// Starts the pool if needed; returns it. Caller holds g_mutex.
std::shared_ptr<Pool> running_pool() {
  if (g_pool) return g_pool;
  if (g_threads == 0) g_threads = default_threads();
  g_pool = std::make_shared<Pool>();
  g_pool->alive = g_threads;
  for (std::size_t i = 0; i < g_threads; ++i) {
    auto exited = std::make_shared<std::atomic<bool>>(false);
    g_workers.push_back(
        Worker{std::thread(worker_main, g_pool, exited), exited});
  }
  return g_pool;
}

}  // namespace

void set_print_exceptions(bool on) {
  g_print_exceptions.store(on, std::memory_order_relaxed);
}
bool print_exceptions() {
  return g_print_exceptions.load(std::memory_order_relaxed);
}

void internal::print_exception(std::exception_ptr error) {
  std::fprintf(stderr, "eventlet.tpool: call raised %s\n",
               describe_exception(error).c_str());
}

void set_num_threads(std::size_t n) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_threads = n == 0 ? 1 : n;
}

std::size_t num_threads() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_threads == 0 ? default_threads() : g_threads;
}

void internal::submit(absl::AnyInvocable<void()> job,
                      absl::AnyInvocable<void()> cancel) {
  for (;;) {
    std::shared_ptr<Pool> pool;
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      pool = running_pool();
    }
    {
      std::lock_guard<std::mutex> lock(pool->mutex);
      // A concurrent killall() took this pool away: use the next one.
      if (pool->stopping) continue;
      pool->jobs.push_back(Job{std::move(job), std::move(cancel)});
    }
    pool->work_ready.notify_one();
    return;
  }
}

void killall(absl::Duration grace) {
  std::shared_ptr<Pool> pool;
  std::vector<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    pool = std::move(g_pool);
    workers.swap(g_workers);
  }
  if (!pool) return;
  std::deque<Job> dropped;
  {
    std::unique_lock<std::mutex> lock(pool->mutex);
    pool->stopping = true;
    dropped.swap(pool->jobs);
    pool->work_ready.notify_all();
    pool->worker_exited.wait_for(lock, absl::ToChronoMilliseconds(grace),
                                 [&] { return pool->alive == 0; });
  }
  for (Job& job : dropped) job.cancel();
  std::size_t stuck = 0;
  for (Worker& w : workers) {
    if (w.exited->load()) {
      w.thread.join();
    } else {
      w.thread.detach();  // still inside a call; it exits when the call returns
      ++stuck;
    }
  }
  if (stuck != 0) {
    std::fprintf(stderr,
                 "eventlet: tpool::killall left %zu worker(s) still in a call "
                 "(detached)\n",
                 stuck);
  }
}

}  // namespace eventlet::tpool
