#!/usr/bin/python3
"""Python eventlet's (and gevent's) numbers for the core_bench targets.

    /usr/bin/python3 eventlet_micro.py                 # eventlet (python3-eventlet)
    /usr/bin/python3 eventlet_micro.py --lib gevent    # gevent (python3-gevent)
    /usr/bin/python3 eventlet_micro.py --idle 100000   # also idle memory

Benchmarks, each timed as the best of --repeat runs of --n iterations:
  sleep(0) ping-pong   main and one greenthread both loop sleep(0); per call
  spawn+wait           spawn a function returning an int, wait; per spawn
  Event ping-pong      two Events, reset by the receiver each round; per handoff
  idle memory          N greenthreads that sleep an hour; RSS growth each
"""

import argparse
import os
import sys
import time


def load(lib):
    if lib == "eventlet":
        import eventlet
        import eventlet.event

        class Ev:
            def __init__(self):
                self.e = eventlet.event.Event()

            def send(self, v):
                self.e.send(v)

            def wait(self):
                return self.e.wait()

            def reset(self):
                self.e.reset()

        def spawn_wait(f):
            return eventlet.spawn(f).wait()

        return (eventlet.__version__, eventlet.sleep, eventlet.spawn, spawn_wait,
                Ev)
    import gevent
    import gevent.event

    class Ev:  # gevent's Event carries no value: keep it beside.
        def __init__(self):
            self.e = gevent.event.Event()
            self.v = None

        def send(self, v):
            self.v = v
            self.e.set()

        def wait(self):
            self.e.wait()
            return self.v

        def reset(self):
            self.e.clear()

    def spawn_wait(f):
        return gevent.spawn(f).get()

    return gevent.__version__, gevent.sleep, gevent.spawn, spawn_wait, Ev


def best_of(repeat, fn):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t = time.perf_counter() - t0
        best = t if best is None or t < best else best
    return best


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", choices=["eventlet", "gevent"], default="eventlet")
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--idle", type=int, default=0,
                    help="also measure N idle greenthreads (0: skip)")
    args = ap.parse_args()
    version, sleep, spawn, spawn_wait, Event = load(args.lib)
    n = args.n
    print("%s %s, Python %s" % (args.lib, version, sys.version.split()[0]))

    def report(name, seconds, ops):
        print("%-20s %10.1f ns/op   (%d ops, best of %d)" %
              (name, seconds * 1e9 / ops, ops, args.repeat))

    def sleep0():
        state = {"stop": False}

        def partner():
            while not state["stop"]:
                sleep(0)

        gt = spawn(partner)
        sleep(0)
        t0 = time.perf_counter()
        for _ in range(n):
            sleep(0)
        t = time.perf_counter() - t0
        state["stop"] = True
        gt.wait() if args.lib == "eventlet" else gt.join()
        return t

    report("sleep(0) ping-pong", min(sleep0() for _ in range(args.repeat)),
           2 * n)

    def one():
        return 1

    def spawns():
        for _ in range(n):
            spawn_wait(one)

    report("spawn+wait", best_of(args.repeat, spawns), n)

    def events():
        ping, pong = Event(), Event()

        def partner():
            while True:
                v = ping.wait()
                ping.reset()
                if v < 0:
                    return
                pong.send(v + 1)

        gt = spawn(partner)
        t0 = time.perf_counter()
        token = 0
        for _ in range(n):
            ping.send(token)
            token = pong.wait()
            pong.reset()
        t = time.perf_counter() - t0
        ping.send(-1)
        gt.wait() if args.lib == "eventlet" else gt.join()
        return t

    report("Event ping-pong", min(events() for _ in range(args.repeat)), 2 * n)

    if args.idle:
        before = rss_bytes()
        t0 = time.perf_counter()
        started = [0]

        def idle():
            started[0] += 1
            sleep(3600)

        for _ in range(args.idle):
            spawn(idle)
        while started[0] != args.idle:
            sleep(0)
        t = time.perf_counter() - t0
        delta = rss_bytes() - before
        print("%d greenthreads: RSS delta %.1f MiB, %.0f bytes per greenthread, "
              "spawn+start took %.0f ms" %
              (args.idle, delta / 2**20, delta / args.idle, t * 1e3))
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
