#!/usr/bin/env python3
"""idle_conns.py: opens N keep-alive HTTP connections and holds them idle.

    python3 idle_conns.py --port 8080 --n 10000 --ready /tmp/ready

Each connection sends one "GET /" and reads the whole answer (so the server
has served a request on it and now keeps it idle), then stays open. When all
N are established it writes "ok N SECONDS" to --ready and sleeps until
killed. Needs `ulimit -n` above N. Exits 1 if a connection fails.
"""
import argparse
import socket
import sys
import time


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed in the body")
        body += chunk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--ready", required=True)
    args = parser.parse_args()
    request = ("GET / HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (args.host, args.port)).encode()
    held = []
    began = time.monotonic()
    try:
        for _ in range(args.n):
            s = socket.create_connection((args.host, args.port), timeout=30)
            s.sendall(request)
            read_response(s)
            held.append(s)
    except OSError as e:
        with open(args.ready, "w") as f:
            f.write("failed after %d connections: %s\n" % (len(held), e))
        return 1
    with open(args.ready, "w") as f:
        f.write("ok %d %.2f\n" % (len(held), time.monotonic() - began))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
