#!/usr/bin/env python3
# A small HTTP/1.1 server (Python's http.server, keep-alive on) for the client
# tests: it prints "PORT <n>" once it listens on 127.0.0.1:<n>, then serves
# until killed. Every response carries X-Peer-Port (the client's port), so a
# test can count the connections it used; each request is also logged to
# stderr with that port.
#
# Routes:
#   /echo                  200, body: method, target, then "name: value" lines
#                          of the request headers, a blank line, the body
#   /size/<n>[?close=1]    200, n bytes (close=1: closes the connection after
#                          the response, without saying so)
#   /chunked/<n>/<k>       200, Transfer-Encoding: chunked, n chunks of k bytes
#   /redirect/<n>          302 to /redirect/<n-1>; /redirect/0 is 200 "done"
#   /loop                  302 to /loop, forever
#   /status/<code>?location=L   that status (with Location L if given)
#   /rel/a/b               302 to the relative "c?q=1" (= /rel/a/c?q=1)
#   /rel/a/c               200 "rel ok"
#   /nolength/<n>          n bytes without Content-Length, then closes
#   /bigheader/<n>         200 with an X-Big header of n bytes
#   /hang                  reads the request, never answers
#   /slowbody/<n>          Content-Length n, sends half, never the rest
#   /reset                 reads the request, resets the connection (RST)
import http.server
import socket
import struct
import sys
import time
import urllib.parse


def pattern(n):
    unit = b"0123456789abcdefghijklmnopqrstuvwxyz\n"
    return (unit * (n // len(unit) + 1))[:n]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle
    # holds the body until the client's delayed ACK (40 ms a response).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        sys.stderr.write("client port %d: %s\n" % (self.client_address[1], fmt % args))

    def reply(self, status, body=b"", headers=(), close=False, length=True):
        self.send_response(status)
        self.send_header("X-Peer-Port", str(self.client_address[1]))
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if close:
            self.close_connection = True

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = url.path.split("/")[1:]
        name = parts[0]
        if name == "echo":
            lines = ["%s %s" % (self.command, self.path)]
            lines += ["%s: %s" % (k, v) for k, v in self.headers.items()]
            self.reply(200, ("\n".join(lines) + "\n\n").encode() + body)
        elif name == "size":
            self.reply(200, pattern(int(parts[1])), close="close" in query)
        elif name == "chunked":
            n, k = int(parts[1]), int(parts[2])
            self.send_response(200)
            self.send_header("X-Peer-Port", str(self.client_address[1]))
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            data = pattern(n * k)
            for i in range(n):
                chunk = data[i * k:(i + 1) * k]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
        elif name == "redirect":
            n = int(parts[1])
            if n > 0:
                self.reply(302, b"moved", [("Location", "/redirect/%d" % (n - 1))])
            else:
                self.reply(200, b"done")
        elif name == "loop":
            self.reply(302, b"", [("Location", "/loop")])
        elif name == "status":
            headers = [("Location", query["location"][0])] if "location" in query else []
            self.reply(int(parts[1]), b"status body", headers)
        elif name == "rel" and parts[2:] == ["b"]:
            self.reply(302, b"", [("Location", "c?q=1")])
        elif name == "rel" and parts[2:] == ["c"]:
            self.reply(200, b"rel ok " + self.path.encode())
        elif name == "nolength":
            self.reply(200, pattern(int(parts[1])), [("Connection", "close")],
                       close=True, length=False)
        elif name == "bigheader":
            self.reply(200, b"big", [("X-Big", "b" * int(parts[1]))])
        elif name == "hang":
            time.sleep(60)
        elif name == "slowbody":
            n = int(parts[1])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            self.wfile.write(pattern(n // 2))
            time.sleep(60)
        elif name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        else:
            self.reply(404, b"not found")

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = route


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # resets and hangs are on purpose


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
