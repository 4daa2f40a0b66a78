#!/usr/bin/env python3
"""eventlet.wsgi hello world, the Python baseline of bench/http_load.sh.

    /usr/bin/python3 eventlet_wsgi_hello.py --port 8083

Answers every request with "Hello, World!\\n" (text/plain), as
//examples:hello_server does; access log off; up to 20000 connections.
"""
import argparse
import sys

import eventlet
from eventlet import wsgi

BODY = b"Hello, World!\n"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8083)
    args = parser.parse_args()
    sock = eventlet.listen((args.address, args.port), backlog=4096)
    print("eventlet.wsgi: listening on http://%s:%d/" % sock.getsockname(), flush=True)
    wsgi.server(sock, app, log_output=False, max_size=20000, keepalive=True,
                log=open("/dev/null", "w"))


if __name__ == "__main__":
    sys.exit(main())
