#!/usr/bin/python3
"""Python eventlet baselines for pool_bench (issue 3): GreenPool(1000) spawn N
trivial jobs then waitall (per job), imap over 100k items (per item), Queue
ping-pong (per round trip), Semaphore handoff (per handoff). Best of 3.

    /usr/bin/python3 bench/baselines/python/eventlet_pool.py
"""
import time

import eventlet
from eventlet import queue, semaphore


def best_of(repeat, fn):
    return min(fn() for _ in range(repeat))


def pool_spawn_waitall(n=10000):
    pool = eventlet.GreenPool(1000)
    t0 = time.perf_counter()
    for _ in range(n):
        pool.spawn_n(lambda: None)
    pool.waitall()
    return (time.perf_counter() - t0) / n


def imap(n=100000):
    pool = eventlet.GreenPool(1000)
    t0 = time.perf_counter()
    for _ in pool.imap(lambda x: x + 1, range(n)):
        pass
    return (time.perf_counter() - t0) / n


def queue_ping_pong(n=20000):
    ping, pong = queue.Queue(), queue.Queue()

    def partner():
        while True:
            v = ping.get()
            if v < 0:
                return
            pong.put(v)

    g = eventlet.spawn(partner)
    t0 = time.perf_counter()
    for _ in range(n):
        ping.put(1)
        pong.get()
    dt = (time.perf_counter() - t0) / n
    ping.put(-1)
    g.wait()
    return dt


def semaphore_handoff(n=20000):
    a, b = semaphore.Semaphore(0), semaphore.Semaphore(0)
    stop = [False]

    def partner():
        while True:
            a.acquire()
            if stop[0]:
                return
            b.release()

    g = eventlet.spawn(partner)
    t0 = time.perf_counter()
    for _ in range(n):
        a.release()
        b.acquire()
    dt = (time.perf_counter() - t0) / (2 * n)
    stop[0] = True
    a.release()
    g.wait()
    return dt


if __name__ == "__main__":
    print("eventlet %s" % eventlet.__version__)
    print("GreenPool(1000) spawn_n+waitall: %.0f ns/job" % (best_of(3, pool_spawn_waitall) * 1e9))
    print("GreenPool imap 100k: %.0f ns/item" % (best_of(3, imap) * 1e9))
    print("Queue ping-pong: %.0f ns/round trip" % (best_of(3, queue_ping_pong) * 1e9))
    print("Semaphore handoff: %.0f ns/handoff" % (best_of(3, semaphore_handoff) * 1e9))
