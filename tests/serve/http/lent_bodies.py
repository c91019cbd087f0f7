"""A kept answer's body is lent to the socket, not copied per request (core/serve/http.c
response_of(), answers.c copy_out()): each answer holds a reference to the kept body until
libmicrohttpd has sent it, so a refresh that replaces the body meanwhile never frees what is
still being sent.  Eight connections ask for a runs list and a leaderboard while runs are
stored beside the server (every answer refreshed many times): every answer is whole JSON, of
the length it says, and the newest run shows in the end.

Mutation: copy_out() dropping the reference in its lending branch too (body_put(b) before
return): the bodies are freed while being sent (and again when sent), the server dies or the
ASan build reports it, and this test fails."""
import threading

from serve_lib import *

DB = "lb.db"
add_user(DB, "vic", "viewer")
tv = token(DB, "vic")
for v in range(1, 6):
    bx("run", "trivial", "-p", "value=%d" % v, "--db", DB)
s = Server(DB, "--threads", "4")
URLS = ["/api/v1/runs?limit=50", "/api/v1/leaderboard?plugin=trivial"]
stop = threading.Event()
bad = []
count = [0]


def ask(i):
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)  # keep-alive
    while not stop.is_set():
        url = URLS[i % 2]
        c.request("GET", url, headers={"Authorization": "Bearer " + tv})
        r = c.getresponse()
        raw = r.read()
        try:
            j = json.loads(raw)
            ok = r.status == 200 and len(raw) == int(r.getheader("Content-Length")) and \
                ("runs" in j or "entries" in j)
        except (ValueError, TypeError):
            ok = False
        if not ok:
            bad.append((url, r.status, raw[:200]))
        count[0] += 1


threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for v in range(6, 16):  # changes while the answers are asked for and sent
    bx("run", "trivial", "-p", "value=%d" % v, "--db", DB)
    time.sleep(0.1)
time.sleep(1.0)
stop.set()
for t in threads:
    t.join()
check(not bad, "%d of %d answers not whole: %s" % (len(bad), count[0], bad[:3]))
check(count[0] > 50, "only %d answers" % count[0])
newest = sql(DB, "SELECT max(id) FROM runs")[0][0]
j, _ = s.expect(200, "GET", URLS[0], tok=tv)
check(j["runs"][0]["id"] == newest, "the runs list never showed run %d: %s" %
      (newest, j["runs"][0]["id"]))
sys.exit(0)
