"""An answer nobody kept yet is computed once (core/serve/answers.c): the requests for the same
URL that come while its first computation runs, on any server thread, wait for it and get its
answer, instead of each computing the same (a cold leaderboard under 64 connections was
computed once per server thread, each slower for the others, and held up every connection of
those threads for seconds).

Eight connections ask for one cold leaderboard at once from a server with 4 threads, each
computation slowed by BENCHAAS_TEST_ANSWER_DELAY_MS; BENCHAAS_TEST_ANSWER_COUNT counts the
computations.

Mutation: answers_run() not waiting for a computation in progress (the `while (e &&
e->computing)` loop gone): the requests on other threads compute it too and this test fails
("computed N times").  Mutation: reserve() not marking the slot computing: likewise."""
import threading

from serve_lib import *

DB = "o.db"
add_user(DB, "vic", "viewer")
tv = token(DB, "vic")
bx("run", "trivial", "-p", "value=3", "--db", DB)
COUNT = os.path.abspath("computed.log")
s = Server(DB, "--threads", "4", env={"BENCHAAS_TEST_ANSWER_DELAY_MS": "1500",
                                      "BENCHAAS_TEST_ANSWER_COUNT": COUNT})
URL = "/api/v1/leaderboard?plugin=trivial"
got = []
go = threading.Barrier(8)


def ask():
    go.wait()
    st, _, j = s.request("GET", URL, tok=tv)
    got.append((st, json.dumps(j, sort_keys=True)))


threads = [threading.Thread(target=ask) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(len(got) == 8 and all(st == 200 for st, _ in got), "statuses: %s" % [st for st, _ in got])
check(len({body for _, body in got}) == 1, "the answers differ")
with open(COUNT) as f:
    n = sum(1 for line in f if line.strip() == "/api/v1/leaderboard")
check(n == 1, "the cold leaderboard was computed %d times for 8 requests at once" % n)
# a later request is answered from what is kept: no computation
s.expect(200, "GET", URL, tok=tv)
with open(COUNT) as f:
    n = sum(1 for line in f if line.strip() == "/api/v1/leaderboard")
check(n == 1, "computed again with nothing changed: %d" % n)
sys.exit(0)
