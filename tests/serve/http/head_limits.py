"""A request's head at both limits at once (a request target of HTTP_URI_MAX bytes and headers
of HTTP_HEADERS_MAX bytes, counted as core/serve/http.c head_limits() counts them) is
answered as any other, and one byte over either limit gets the service's JSON 414 or 431,
also on a keep-alive connection after a large answer: libmicrohttpd's per-connection pool
(HTTP_POOL_BYTES, zeroed between two requests of a connection) holds such a head.

Mutation: HTTP_POOL_BYTES at HTTP_URI_MAX + HTTP_HEADERS_MAX (no room for libmicrohttpd's own
records): the head at the limits gets libmicrohttpd's own HTML 431 and this test fails."""
import socket

from serve_lib import *

URI_MAX, HEADERS_MAX = 8192, 16384  # core/serve/http.h
DB = "hl.db"
add_user(DB, "vic", "viewer")
tv = token(DB, "vic")
for v in range(1, 40):
    bx("run", "trivial", "-p", "value=%d" % v, "--db", DB)
s = Server(DB)


def recv_answer(f):
    """(status, body) of one answer read from the file f."""
    status = int(f.readline().split()[1])
    n = 0
    while True:
        line = f.readline().decode().rstrip("\r\n")
        if not line:
            break
        k, _, v = line.partition(":")
        if k.lower() == "content-length":
            n = int(v)
    return status, f.read(n)


def head(uri_len, headers_len):
    """The request bytes: a target of uri_len bytes, headers counting headers_len."""
    base = "/api/v1/me?x="
    uri = base + "a" * (uri_len - len(base))
    hs = [("Host", "127.0.0.1"), ("Authorization", "Bearer " + tv)]
    used = sum(len(k) + len(v) + 4 for k, v in hs)
    pad = headers_len - used - len("X-Pad") - 4
    hs.append(("X-Pad", "p" * pad))
    assert len(uri) == uri_len and sum(len(k) + len(v) + 4 for k, v in hs) == headers_len
    return ("GET %s HTTP/1.1\r\n%s\r\n" % (uri, "".join("%s: %s\r\n" % kv for kv in hs))).encode()


c = socket.create_connection(("127.0.0.1", s.port), timeout=60)
f = c.makefile("rb")
for n in range(2):  # a fresh connection, then after a large answer on the same connection
    c.sendall(head(URI_MAX, HEADERS_MAX))
    st, body = recv_answer(f)
    check(st == 200 and json.loads(body)["user"] == "vic",
          "the head at both limits (request %d): %d %r" % (n, st, body[:200]))
    c.sendall(("GET /api/v1/runs?limit=50 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
               "%s\r\n\r\n" % tv).encode())
    st, body = recv_answer(f)
    check(st == 200 and len(json.loads(body)["runs"]) == 39, "the runs list: %d" % st)
for uri_len, headers_len, want in ((URI_MAX + 1, HEADERS_MAX, 414),
                                   (URI_MAX, HEADERS_MAX + 1, 431)):
    c.sendall(head(uri_len, headers_len))
    st, body = recv_answer(f)
    try:
        j = json.loads(body)
    except ValueError:
        j = {}
    check(st == want and j.get("error", {}).get("status") == want,
          "%d + %d bytes: %d %r" % (uri_len, headers_len, st, body[:200]))
    c.close()
    c = socket.create_connection(("127.0.0.1", s.port), timeout=60)
    f = c.makefile("rb")
c.close()
sys.exit(0)
