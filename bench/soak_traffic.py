#!/usr/bin/python3
"""soak_traffic.py: hostile HTTP traffic for bench/soak.sh, on loopback.

    soak_traffic.py KIND --port P --seconds S [--conns N] [--rate R]

KIND is one of
  slowloris  N connections each sending one header line per second, never finishing the
             request; reconnects when the server closes (expected: 408, then close).
  malformed  R malformed requests per second, each on a new connection; tallies the
             status codes answered per kind of request, "closed" when the server closed
             without answering (expected: 400/413/431/505, then close).
  reset      R connections per second that the client resets (RST, SO_LINGER 0): after
             half a request, after a whole request, or after the first bytes of the answer.
  chunkext   1 connection: a chunked POST whose first chunk extension never ends ("1;a=aaa…",
             as fast as the server reads); reconnects when the server closes.
  trailer    1 connection: a chunked POST whose trailer never ends ("0\\r\\nX: aaa…").
  pipeline   N connections that pipeline GETs and never read the answers; reconnect when
             the server closes.

Runs for S seconds, then prints one JSON object (counters) on stdout and exits. Every
connection goes to 127.0.0.1:P. Bounded: a flood connection sends at most
--flood-cap-mb MiB (default 1024) before reconnecting, and every wait has a timeout.
"""

import argparse
import asyncio
import collections
import json
import random
import socket
import struct
import sys
import time

HOST = "127.0.0.1"

MALFORMED = {
    "dup_content_length":
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    "te_and_cl":
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
        b"0\r\n\r\n",
    "http2_version": b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    "space_in_target": b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    "binary": b"\x00\x01\x02\xff\r\n\r\n",
    "huge_header": b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20000 + b"\r\n\r\n",
    "huge_content_length":
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
    "bad_chunk_size":
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "unknown_te": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
    "folded_header": b"GET / HTTP/1.1\r\nHost: x\r\n Folded: header\r\n\r\n",
    "space_in_field_name": b"GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    "no_host": b"GET / HTTP/1.1\r\n\r\n",
    "no_version": b"GET\r\n\r\n",
}


def status_of(data):
    """The status code of the first response in `data`, or a word for what came back."""
    if not data:
        return "closed"
    if data.startswith(b"HTTP/1.") and len(data) >= 12:
        return data[9:12].decode("ascii", "replace")
    return "garbage"


def abort(writer):
    """Closes with a reset (RST) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass  # already closed
    writer.transport.abort()


async def read_until_close(reader, limit, timeout):
    """What the server sent until it closed (or `limit` bytes); None if it sent nothing
    for `timeout` seconds."""
    data = b""
    try:
        while len(data) < limit:
            chunk = await asyncio.wait_for(reader.read(65536), timeout)
            if not chunk:
                break
            data += chunk
    except asyncio.TimeoutError:
        return data or None
    except (ConnectionError, OSError):
        pass
    return data


async def connect(args, stats, retry_after=None):
    """A connection to the server, counted; None (after `retry_after` s, if
    given) when the connect fails, counted as a connect error."""
    try:
        conn = await asyncio.open_connection(HOST, args.port)
    except OSError:
        stats["connect_errors"] += 1
        if retry_after:
            await asyncio.sleep(retry_after)
        return None
    return conn


async def at_rate(rate, deadline, start):
    """Starts the coroutine `start()` makes, `rate` times a second until
    `deadline`; then waits up to 6 s for those still running."""
    tasks = set()
    while time.monotonic() < deadline:
        t = asyncio.ensure_future(start())
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        await asyncio.sleep(1.0 / rate)
    if tasks:
        await asyncio.wait(tasks, timeout=6)


async def slowloris(args, stats, deadline):
    async def one():
        while time.monotonic() < deadline:
            conn = await connect(args, stats, retry_after=1)
            if conn is None:
                continue
            reader, writer = conn
            stats["connections"] += 1
            answer = b""
            try:
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
                while time.monotonic() < deadline:
                    try:
                        answer = await asyncio.wait_for(reader.read(4096), 1.0)
                        break  # the server answered (408) or closed
                    except asyncio.TimeoutError:
                        writer.write(b"X-Slow-%d: y\r\n" % random.randrange(1000))
            except (ConnectionError, OSError):
                stats["reset_by_server"] += 1
            if time.monotonic() < deadline:
                stats["server_ended:" + status_of(answer)] += 1
            writer.close()

    await asyncio.gather(*(one() for _ in range(args.conns)))


async def malformed(args, stats, deadline):
    async def one(name):
        conn = await connect(args, stats)
        if conn is None:
            return
        reader, writer = conn
        try:
            writer.write(MALFORMED[name])
            data = await read_until_close(reader, 1 << 20, 5)
            stats[name + ":" + ("no_answer_in_5s" if data is None else status_of(data))] += 1
        except (ConnectionError, OSError):
            stats[name + ":reset_by_server"] += 1
        writer.close()

    def start():
        stats["sent"] += 1
        return one(random.choice(sorted(MALFORMED)))

    await at_rate(args.rate, deadline, start)


async def reset(args, stats, deadline):
    async def one(kind):
        conn = await connect(args, stats)
        if conn is None:
            return
        reader, writer = conn
        try:
            if kind == 0:
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")
                await writer.drain()
            elif kind == 1:
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                await writer.drain()
            else:
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                await asyncio.wait_for(reader.read(5), 5)
        except (asyncio.TimeoutError, ConnectionError, OSError):
            stats["errors"] += 1
        abort(writer)
        stats["reset_kind%d" % kind] += 1

    await at_rate(args.rate, deadline, lambda: one(random.randrange(3)))


async def flood(args, stats, deadline, head, filler):
    """Sends `head`, then `filler` forever (up to the cap), reconnecting when closed."""
    cap = args.flood_cap_mb << 20
    block = filler * (65536 // len(filler))
    while time.monotonic() < deadline:
        conn = await connect(args, stats, retry_after=0.5)
        if conn is None:
            continue
        reader, writer = conn
        stats["connections"] += 1
        sent = 0
        started = time.monotonic()
        how = "deadline"
        answer = asyncio.ensure_future(reader.read(64))  # whatever the server says
        try:
            writer.write(head)
            while time.monotonic() < deadline:
                if sent >= cap:
                    how = "cap_reached"
                    break
                if answer.done():
                    how = "server_answered" if answer.result() else "server_closed"
                    break
                writer.write(block)
                await asyncio.wait_for(writer.drain(), 5)
                sent += len(block)
        except asyncio.TimeoutError:
            how = "server_stopped_reading_5s"
        except (ConnectionError, OSError):
            how = "server_closed_or_reset"
        if answer.done() and not answer.cancelled() and not answer.exception():
            if answer.result():
                stats["answer:" + status_of(answer.result())] += 1
        else:
            answer.cancel()
        stats["bytes_sent"] += sent
        stats["ended:" + how] += 1
        stats["longest_connection_s"] = max(
            stats["longest_connection_s"], round(time.monotonic() - started, 1))
        stats["most_bytes_on_one_connection"] = max(
            stats["most_bytes_on_one_connection"], sent)
        abort(writer)


async def chunkext(args, stats, deadline):
    await flood(args, stats, deadline,
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a=", b"a")


async def trailer(args, stats, deadline):
    await flood(args, stats, deadline,
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"1\r\nx\r\n0\r\nX-Trailer: ", b"a")


async def pipeline(args, stats, deadline):
    requests = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 64

    async def one():
        while time.monotonic() < deadline:
            conn = await connect(args, stats, retry_after=1)
            if conn is None:
                continue
            reader, writer = conn
            writer.transport.pause_reading()  # never read the answers
            stats["connections"] += 1
            try:
                while time.monotonic() < deadline:
                    writer.write(requests)
                    try:
                        await asyncio.wait_for(writer.drain(), 1.0)
                        stats["requests_sent"] += 64
                    except asyncio.TimeoutError:
                        pass  # both buffers full: keep the connection, keep trying
                stats["ended:deadline"] += 1
            except (ConnectionError, OSError):
                stats["ended:server_closed"] += 1
            abort(writer)

    await asyncio.gather(*(one() for _ in range(args.conns)))


KINDS = {
    "slowloris": slowloris,
    "malformed": malformed,
    "reset": reset,
    "chunkext": chunkext,
    "trailer": trailer,
    "pipeline": pipeline,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--conns", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--flood-cap-mb", type=int, default=1024)
    args = parser.parse_args()
    stats = collections.Counter()
    stats["longest_connection_s"] = 0
    stats["most_bytes_on_one_connection"] = 0
    deadline = time.monotonic() + args.seconds

    async def run():
        await KINDS[args.kind](args, stats, deadline)

    try:
        asyncio.run(asyncio.wait_for(run(), args.seconds + 10))
    except asyncio.TimeoutError:
        stats["did_not_stop_in_time"] += 1
    stats = {k: v for k, v in stats.items() if v}
    print(json.dumps({"kind": args.kind, **dict(sorted(stats.items()))}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
